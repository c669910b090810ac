import { describe, expect, it } from 'vitest';
import { elapsed, formatCount, formatDuration } from './format';

describe('formatDuration', () => {
  const table: [number, string][] = [
    [0, '0ms'],
    [999, '999ms'],
    [1000, '1s'],
    [59_999, '59s'],
    [60_000, '1m 00s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 00m'],
    [-1, ''],
    [Number.NaN, ''],
  ];
  it.each(table)('%d → %s', (ms, want) => expect(formatDuration(ms)).toBe(want));
  it('elapsed uses now for running', () => {
    expect(elapsed(1000, null, 5000)).toBe(4000);
    expect(elapsed(1000, 3000, 5000)).toBe(2000);
    expect(elapsed(null, 3000, 5000)).toBeNull();
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});
