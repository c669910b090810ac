import { describe, expect, it } from 'vitest';
import { parseRetention, planSweep, type RetentionRule, type SizedJob } from './policy';

const DAY = 24 * 60 * 60 * 1000;
const NOW = 1_800_000_000_000;

function job(id: string, endedDaysAgo: number | null, bytes: number, labels: Record<string, string> = { repo: 'a' }): SizedJob {
  return { id, labels, status: endedDaysAgo === null ? 'running' : 'success', createdAt: NOW - 400 * DAY, endedAt: endedDaysAgo === null ? null : NOW - endedDaysAgo * DAY, bytes };
}

describe('retention policy', () => {
  it('parses rules and refuses bad ones whole (retention off, with the reason)', () => {
    expect(parseRetention(undefined)).toEqual({ rules: [], problem: null });
    expect(parseRetention('[{"labels":{"repo":"a"},"maxAgeDays":30,"maxBytes":100}]').rules).toEqual([{ labels: { repo: 'a' }, maxAgeDays: 30, maxBytes: 100 }]);
    expect(parseRetention('nope').problem).toMatch(/not JSON/);
    expect(parseRetention('[{"labels":{}}]').problem).toMatch(/maxAgeDays or maxBytes/);
    expect(parseRetention('[{"labels":{},"maxAgeDays":-1}]').rules).toEqual([]);
    expect(parseRetention('[{"labels":{},"maxAgeDays":1,"extra":1}]').rules).toEqual([]);
  });

  it('deletes completed jobs older than maxAgeDays in the scope, never running ones or other scopes', () => {
    const jobs = [job('old', 31, 10), job('young', 29, 10), job('running', null, 10), job('other', 99, 10, { repo: 'b' })];
    const plan = planSweep([{ labels: { repo: 'a' }, maxAgeDays: 30 }], jobs, NOW);
    expect(plan.map((d) => d.id)).toEqual(['old']);
    expect(plan[0]?.reason).toMatch(/older than 30 days/);
  });

  it('deletes the oldest completed jobs until the scope fits maxBytes (running jobs count, stay)', () => {
    const jobs = [job('r', null, 50), job('a3', 3, 30), job('a1', 1, 30), job('a9', 9, 30), job('b', 50, 1000, { repo: 'b' })];
    expect(planSweep([{ labels: { repo: 'a' }, maxBytes: 100 }], jobs, NOW).map((d) => d.id)).toEqual(['a9', 'a3']);
    expect(planSweep([{ labels: { repo: 'a' }, maxBytes: 130 }], jobs, NOW).map((d) => d.id)).toEqual(['a9']);
    expect(planSweep([{ labels: { repo: 'a' }, maxBytes: 140 }], jobs, NOW)).toEqual([]);
    // over the limit with only a running job left: nothing else to delete
    expect(planSweep([{ labels: { repo: 'a' }, maxBytes: 0 }], jobs, NOW).map((d) => d.id)).toEqual(['a9', 'a3', 'a1']);
  });

  it('unions the rules (an age deletion counts towards the size), oldest first, bounded per sweep', () => {
    const jobs = [job('x1', 10, 60, { repo: 'a', team: 't' }), job('x2', 5, 60, { repo: 'a', team: 't' }), job('x3', 1, 60, { repo: 'a', team: 't' })];
    const rules: RetentionRule[] = [
      { labels: { team: 't' }, maxBytes: 100 },
      { labels: {}, maxAgeDays: 7 },
    ];
    expect(planSweep(rules, jobs, NOW).map((d) => d.id)).toEqual(['x1', 'x2']);
    const many = Array.from({ length: 250 }, (_, i) => job(`j${String(i).padStart(3, '0')}`, 100 + (i % 50), 1));
    const plan = planSweep([{ labels: {}, maxAgeDays: 1 }], many, NOW, 100);
    expect(plan).toHaveLength(100);
    const ages = plan.map((d) => many.find((j) => j.id === d.id)!.endedAt!);
    expect([...ages].sort((a, b) => a - b)).toEqual(ages);
  });
});
