import { describe, expect, it } from 'vitest';
import { formatJobHash, formatStepHash, inRange, parseJobHash, parseStepHash, selectLine } from './hash';

describe('job page hash', () => {
  const table: [string, ReturnType<typeof parseJobHash>][] = [
    ['#build', { step: 'build' }],
    ['build', { step: 'build' }],
    ['#build:12', { step: 'build', lines: { from: 12, to: 12 } }],
    ['#build:12-20', { step: 'build', lines: { from: 12, to: 20 } }],
    ['#build:20-12', { step: 'build', lines: { from: 12, to: 20 } }],
    ['#a.b_c-d:900000', { step: 'a.b_c-d', lines: { from: 900000, to: 900000 } }],
    ['#', null],
    ['', null],
    ['#build:', null],
    ['#build:0', null],
    ['#build:-3', null],
    ['#build:1e3', null],
    ['#build:12-', null],
    ['#build:12-x', null],
    ['#build:99999999999', null],
    ['#build:1000000001', null],
    ['#build:12:13', null],
    ['#.hidden', null],
    ['#../etc', null],
    ['#<script>alert(1)</script>', null],
    ['#%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', null],
    ['#%E0%A4%A', null],
    ['#' + 'a'.repeat(65), null],
    ['#build:' + '1'.repeat(500), null],
    ['#b%75ild:3', { step: 'build', lines: { from: 3, to: 3 } }],
  ];
  it.each(table)('%s', (hash, want) => {
    expect(parseJobHash(hash)).toEqual(want);
  });

  it('round-trips', () => {
    for (const link of [{ step: 's' }, { step: 's', lines: { from: 4, to: 4 } }, { step: 's', lines: { from: 4, to: 9 } }]) {
      expect(parseJobHash(formatJobHash(link))).toEqual(link);
    }
  });
});

describe('step page hash', () => {
  const table: [string, ReturnType<typeof parseStepHash>][] = [
    ['#L1', { from: 1, to: 1 }],
    ['#L10-L20', { from: 10, to: 20 }],
    ['#L10-20', { from: 10, to: 20 }],
    ['#L20-L10', { from: 10, to: 20 }],
    ['#L0', null],
    ['#l5', null],
    ['#L', null],
    ['#L5-', null],
    ['#L5-Lx', null],
    ['#5', null],
    ['#L5<script>', null],
    ['#L' + '9'.repeat(300), null],
  ];
  it.each(table)('%s', (hash, want) => {
    expect(parseStepHash(hash)).toEqual(want);
  });
  it('formats', () => {
    expect(formatStepHash({ from: 3, to: 3 })).toBe('#L3');
    expect(formatStepHash({ from: 3, to: 7 })).toBe('#L3-L7');
  });
});

describe('line selection', () => {
  it('click selects, shift-click extends from the anchor, other step restarts', () => {
    const one = selectLine(null, 's', 10, true);
    expect(one).toEqual({ step: 's', lines: { from: 10, to: 10 } });
    expect(selectLine(one, 's', 4, true)).toEqual({ step: 's', lines: { from: 4, to: 10 } });
    expect(selectLine({ step: 's', lines: { from: 10, to: 20 } }, 's', 15, true)).toEqual({ step: 's', lines: { from: 10, to: 15 } });
    expect(selectLine(one, 't', 4, true)).toEqual({ step: 't', lines: { from: 4, to: 4 } });
    expect(selectLine(one, 's', 4, false)).toEqual({ step: 's', lines: { from: 4, to: 4 } });
    expect(inRange({ from: 2, to: 3 }, 3)).toBe(true);
    expect(inRange(undefined, 3)).toBe(false);
  });
});
