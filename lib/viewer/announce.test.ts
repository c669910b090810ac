import { describe, expect, it } from 'vitest';
import type { StepMeta } from '@/lib/contracts';
import { ERROR_ANNOUNCE_MIN_MS, ErrorAnnouncer, errorAnnouncement, lineWaitText, streamAnnouncement } from './announce';
import { step } from './test-helpers';

const withErrors = (id: string, count: number): StepMeta => step(id, 100, 'running', count > 0 ? { errors: { count, first: 1, truncated: false } } : {});

describe('streamAnnouncement', () => {
  it.each([
    ['live', undefined, 'Streaming live'],
    ['reconnecting', 'running', 'Connection lost, reconnecting'],
    ['complete', 'failure', 'Job failed'],
    ['complete', 'success', 'Job complete, passed'],
    ['complete', 'cancelled', 'Job cancelled'],
    ['connecting', 'running', null],
  ] as const)('%s (%s) → %s', (state, job, want) => expect(streamAnnouncement(state, job)).toBe(want));
});

describe('errorAnnouncement', () => {
  it.each([
    [[['build', 1]], '1 new error line in build'],
    [[['build', 3]], '3 new error lines in build'],
    [[['build', 3], ['test', 2]], '5 new error lines in build and test'],
    [[['a', 1], ['b', 1], ['c', 1], ['d', 1]], '4 new error lines in a, b and 2 more steps'],
    [[['a', 1], ['b', 1], ['c', 1]], '3 new error lines in a, b and 1 more step'],
    [[], null],
  ] as [[string, number][], string | null][])('%j → %s', (added, want) => expect(errorAnnouncement(new Map(added))).toBe(want));
});

describe('lineWaitText', () => {
  it('says what is waited for, and what never came', () => {
    expect(lineWaitText('waiting', 1200, 'build')).toBe('Waiting for line 1,200 of build…');
    expect(lineWaitText('missed', 50, 'build')).toBe('Line 50 of build was never written: showing its last line.');
    expect(lineWaitText('waiting', 1, 'x'.repeat(100))).toBe(`Waiting for line 1 of ${'x'.repeat(60)}……`);
  });
});

describe('ErrorAnnouncer', () => {
  it('does not announce the errors already there when the page opened', () => {
    const a = new ErrorAnnouncer();
    a.observe([withErrors('build', 7)]);
    expect(a.take(0)).toBeNull();
    expect(a.dueIn(0)).toBeNull();
  });

  it('announces new errors at most once per ERROR_ANNOUNCE_MIN_MS, summing what came between', () => {
    const a = new ErrorAnnouncer();
    a.observe([withErrors('build', 0), withErrors('test', 0)]);
    a.observe([withErrors('build', 1), withErrors('test', 0)]);
    expect(a.take(1_000)).toBe('1 new error line in build');
    // 200 more error lines, one step event each, within the throttle: one announcement later
    for (let i = 2; i <= 201; i++) a.observe([withErrors('build', i), withErrors('test', 0)]);
    a.observe([withErrors('build', 201), withErrors('test', 2)]);
    expect(a.take(1_000 + ERROR_ANNOUNCE_MIN_MS - 1)).toBeNull();
    expect(a.dueIn(1_000 + ERROR_ANNOUNCE_MIN_MS - 1)).toBe(1);
    expect(a.take(1_000 + ERROR_ANNOUNCE_MIN_MS)).toBe('202 new error lines in build and test');
    expect(a.take(1_000 + 3 * ERROR_ANNOUNCE_MIN_MS)).toBeNull();
  });

  it('ignores a step event that lowers a count (an older event)', () => {
    const a = new ErrorAnnouncer();
    a.observe([withErrors('build', 5)]);
    a.observe([withErrors('build', 3)]);
    a.observe([withErrors('build', 5)]);
    expect(a.take(10_000)).toBeNull();
  });

  it('a step added later counts from zero', () => {
    const a = new ErrorAnnouncer();
    a.observe([withErrors('build', 0)]);
    a.observe([withErrors('build', 0), withErrors('deploy', 2)]);
    expect(a.take(10_000)).toBe('2 new error lines in deploy');
  });
});
