import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../contracts';
import { applyListEvent, jobHref, type ListRows } from './rows';

const job = (id: string, extra: Partial<JobSummary> = {}): JobSummary => ({
  id, title: id, labels: {}, status: 'running', createdAt: 1, endedAt: null, stepCount: 0, lineCount: 0, ...extra,
});

describe('applyListEvent', () => {
  it('replaces on page, updates or adds on upsert, drops on remove', () => {
    let rows: ListRows | null = null;
    expect(applyListEvent(rows, { type: 'upsert', job: job('a') })).toBeNull();
    rows = applyListEvent(rows, { type: 'page', page: { jobs: [job('b'), job('a')], next: 'n1' } });
    rows = applyListEvent(rows, { type: 'upsert', job: job('a', { status: 'failure' }) });
    expect(rows?.jobs.map((j) => [j.id, j.status])).toEqual([['b', 'running'], ['a', 'failure']]);
    rows = applyListEvent(rows, { type: 'upsert', job: job('c') });
    expect(rows?.jobs.map((j) => j.id)).toEqual(['c', 'b', 'a']);
    expect(rows?.next).toBe('n1');
    const same = applyListEvent(rows, { type: 'remove', id: 'zzz' });
    expect(same).toBe(rows);
    rows = applyListEvent(rows, { type: 'remove', id: 'b' });
    expect(rows?.jobs.map((j) => j.id)).toEqual(['c', 'a']);
    rows = applyListEvent(rows, { type: 'page', page: { jobs: [], next: null } });
    expect(rows).toEqual({ jobs: [], next: null });
  });
});

describe('jobHref', () => {
  it.each<[Partial<JobSummary>, string]>([
    [{ status: 'failure', firstError: { step: 'test', n: 42 } }, '/jobs/j.1#test:42'],
    [{ status: 'failure', firstError: null }, '/jobs/j.1'],
    [{ status: 'failure' }, '/jobs/j.1'],
    [{ status: 'success', firstError: { step: 'test', n: 3 } }, '/jobs/j.1'],
    [{ status: 'running' }, '/jobs/j.1'],
  ])('%j → %s', (extra, href) => {
    expect(jobHref(job('j.1', extra))).toBe(href);
  });
});
