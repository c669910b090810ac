import { describe, expect, it } from 'vitest';
import { formatClock, formatElapsed, formatGap, formatStamp, gapBefore, GAP_THRESHOLD_MS, nextTimestampMode, stampLine, type TimestampMode } from './timestamps';

/** 2026-03-29 00:59:58.5 UTC: an hour before Europe's summer time begins. */
const T = Date.UTC(2026, 2, 29, 0, 59, 58, 500);
const utc = () => 0;
const paris = (ts: number) => (ts >= Date.UTC(2026, 2, 29, 1) ? 120 : 60);
const newYork = () => -300;

describe('formatClock', () => {
  it.each([
    [T, 0, '00:59:58.500'],
    [T, 60, '01:59:58.500'],
    [T, -300, '19:59:58.500'],
    [T, 330, '06:29:58.500'],
    [0, 0, '00:00:00.000'],
    [Date.UTC(2026, 0, 1, 23, 59, 59, 999), 0, '23:59:59.999'],
    [Date.UTC(2026, 0, 1, 23, 59, 59, 999), 1, '00:00:59.999'],
    [1.9, 0, '00:00:00.001'],
  ])('%d at %d min → %s', (ts, offset, want) => {
    expect(formatClock(ts, offset)).toBe(want);
  });
});

describe('formatElapsed', () => {
  it.each([
    [0, '+0:00.000'],
    [1234, '+0:01.234'],
    [83_456, '+1:23.456'],
    [3_599_999, '+59:59.999'],
    [3_723_004, '+1:02:03.004'],
    [-1500, '-0:01.500'],
  ])('%d ms → %s', (ms, want) => {
    expect(formatElapsed(ms)).toBe(want);
  });
});

describe('formatStamp', () => {
  const start = T - 61_000;
  it.each([
    ['off', T, utc, ''],
    ['local', T, paris, '01:59:58.500'],
    ['local', T + 2000, paris, '03:00:00.500'],
    ['local', T, newYork, '19:59:58.500'],
    ['utc', T, paris, '00:59:58.500Z'],
    ['elapsed', T, paris, '+1:01.000'],
  ] as const)('%s %d → %s', (mode, ts, zone, want) => {
    expect(formatStamp(ts, mode as TimestampMode, start, zone)).toBe(want);
  });

  it('elapsed without a step start is blank', () => {
    expect(formatStamp(T, 'elapsed', null, utc)).toBe('');
  });
});

describe('gaps', () => {
  it.each([
    [undefined, 50_000, null],
    [0, GAP_THRESHOLD_MS, null],
    [0, GAP_THRESHOLD_MS + 1, GAP_THRESHOLD_MS + 1],
    [1000, 43_000, 42_000],
    [5000, 1000, null],
  ])('previous %s, this %d → %s', (prev, ts, want) => {
    expect(gapBefore(prev, ts)).toBe(want);
  });

  it.each([
    [10_001, '+10s'],
    [42_999, '+42s'],
    [60_000, '+1m00s'],
    [185_000, '+3m05s'],
    [7_620_000, '+2h07m'],
    [111_600_000, '+31h'],
  ])('%d ms → %s', (ms, want) => {
    expect(formatGap(ms)).toBe(want);
  });

  it.each([
    ['a line after a pause', T, T - 42_000, { ts: '00:59:58.500Z', gap: '+42s' }],
    ['a line right after the previous', T, T - 200, { ts: '00:59:58.500Z', gap: null }],
    ['the first line, or one whose previous is not loaded', T, undefined, { ts: '00:59:58.500Z', gap: null }],
    ['a line not loaded yet', undefined, T, { ts: '', gap: null }],
  ])('stampLine: %s', (_name, ts, prev, want) => {
    expect(stampLine(ts, prev, 'utc', null, utc)).toEqual(want);
  });
});

describe('nextTimestampMode', () => {
  it('cycles off → local → UTC → elapsed → off', () => {
    const seen: TimestampMode[] = ['off'];
    for (let i = 0; i < 4; i++) seen.push(nextTimestampMode(seen[seen.length - 1]!));
    expect(seen).toEqual(['off', 'local', 'utc', 'elapsed', 'off']);
  });
});
