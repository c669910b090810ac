import { describe, expect, it } from 'vitest';
import type { Group } from '@/lib/contracts';
import { answerCount, countText, groupAt, matchIn, matchStatus, MAX_SEARCH_PAGES, mergeCount, pageOf, pagesSpanning, pageStart, pagesToEvict, replaceMatchLines, SEARCH_PAGE_MATCHES, type SearchMatch } from './search-pages';

const SIZE = SEARCH_PAGE_MATCHES;

describe('pageOf / pagesSpanning', () => {
  it.each([
    [0, 0],
    [SIZE - 1, 0],
    [SIZE, 1],
    [2500, Math.floor(2500 / SIZE)],
  ])('match %i is on page %i', (index, page) => {
    expect(pageOf(index)).toBe(page);
  });

  it.each([
    ['one page', 0, 10, 2500, [0]],
    ['across a page edge', SIZE - 2, SIZE + 2, 2500, [0, 1]],
    ['clamped to the total', 0, 10 * SIZE, 2 * SIZE + 1, [0, 1, 2]],
    ['no matches', 0, 10, 0, []],
    ['a negative start is page 0', -5, 3, 10, [0]],
  ] as const)('%s', (_name, first, last, total, want) => {
    expect(pagesSpanning(first, last, total)).toEqual(want);
  });
});

describe('pagesToEvict', () => {
  it.each([
    ['under the cap: nothing', [0, 1, 2], [1], 8, []],
    ['the farthest from the focus go first', [0, 1, 2, 3, 4, 5], [5], 4, [0, 1]],
    ['two foci keep both (ties: the higher page goes)', [0, 1, 2, 50, 51, 52], [1, 51], 4, [52, 50]],
    ['pages in use stay even past the cap', [0, 1, 2], [0, 1, 2], 2, []],
    ['no focus: the highest pages go', [0, 1, 2, 3], [], 2, [3, 2]],
  ] as const)('%s', (_name, cached, focus, max, want) => {
    expect(pagesToEvict(cached, focus, max)).toEqual(want);
  });

  it('walking every page of 100k matches keeps a bounded window', () => {
    const cached: number[] = [];
    for (let p = 0; p < 100_000 / SIZE; p++) {
      cached.push(p);
      for (const gone of pagesToEvict(cached, [p])) cached.splice(cached.indexOf(gone), 1);
      expect(cached.length).toBeLessThanOrEqual(MAX_SEARCH_PAGES);
    }
    expect(cached).toContain(100_000 / SIZE - 1);
  });
});

describe('counts', () => {
  it.each([
    [null, 0, true, 'No matches'],
    [null, 0, false, 'No matches yet (search stopped early)'],
    [null, 1, true, '1 match'],
    [null, 2500, true, '2500 matches'],
    [null, 2500, false, '≥ 2500 matches'],
    [0, 3, true, '1 of 3'],
    [1000, 2500, true, '1001 of 2500'],
    [1000, 2500, false, '1001 of ≥ 2500'],
  ] as const)('current %s of %s, exact %s → %s', (current, total, exact, text) => {
    expect(matchStatus(current, total, exact)).toBe(text);
  });

  it('countText', () => {
    expect(countText(5, true)).toBe('5');
    expect(countText(5, false)).toBe('≥ 5');
  });
});

describe('groupAt', () => {
  const g = (id: string, start: number, end: number | null): Group => ({ id, name: id, parent: null, start, end, startedAt: null, endedAt: null });
  const groups = [g('outer', 1, 100), g('inner', 10, 20), g('open', 200, null)];
  it.each([
    [5, 'outer'],
    [15, 'inner'],
    [20, 'inner'],
    [21, 'outer'],
    [150, null],
    [10_000, 'open'],
  ] as const)('line %i is in %s', (n, want) => {
    expect(groupAt(groups, n)?.id ?? null).toBe(want);
  });
});

describe('matchIn', () => {
  const page = { number: 2, matches: [{ step: 's', n: 7, ranges: [] }] };
  it('finds a match by its index in the job, only on its own page', () => {
    expect(matchIn(page, 2 * SIZE)?.n).toBe(7);
    expect(matchIn(page, 2 * SIZE + 1)).toBeNull();
    expect(matchIn(page, 0)).toBeNull();
  });
});

describe('pageStart / answerCount / mergeCount', () => {
  const full = (gen: number) => ({ gen, matches: Array.from({ length: SIZE }, (_, i): SearchMatch => ({ step: 'b', n: 10 + i, ranges: [] })) });
  it.each([
    ['page 0 is by offset', 0, undefined, 1, { offset: 0 }],
    ['no previous page: by offset', 3, undefined, 1, { offset: 3 * SIZE }],
    ['a full previous page of this count: by cursor', 3, full(1), 1, { after: `b:${10 + SIZE - 1}` }],
    ['a previous page of an older count: by offset', 3, full(0), 1, { offset: 3 * SIZE }],
    ['a short previous page (the end): by offset', 3, { gen: 1, matches: [{ step: 'b', n: 1, ranges: [] } as SearchMatch] }, 1, { offset: 3 * SIZE }],
  ] as const)('%s', (_name, number, previous, gen, want) => {
    expect(pageStart(number, previous, gen)).toEqual(want);
  });

  it('a cursor answer counts what follows the cursor: the matches before it are added', () => {
    expect(answerCount(3, { after: 'b:9' }, { total: 20, exact: true, truncated: false }, 1)).toEqual({ total: 3 * SIZE + 20, exact: true, gen: 1 });
    expect(answerCount(3, { offset: 3 * SIZE }, { total: 2000, exact: false, truncated: true }, 1)).toEqual({ total: 2000, exact: false, gen: 1 });
    // a server without `exact`: a truncated answer is not taken as exact
    expect(answerCount(0, { offset: 0 }, { total: 5, truncated: true }, 1).exact).toBe(false);
  });

  it.each([
    ['first count', null, { total: 5, exact: true, gen: 1 }, { total: 5, exact: true, gen: 1 }],
    ['a newer count replaces, even smaller', { total: 9, exact: true, gen: 1 }, { total: 7, exact: true, gen: 2 }, { total: 7, exact: true, gen: 2 }],
    ['an older count is ignored', { total: 9, exact: true, gen: 2 }, { total: 20, exact: true, gen: 1 }, { total: 9, exact: true, gen: 2 }],
    ['same count: the larger wins (a cut scan counted less)', { total: 900, exact: false, gen: 1 }, { total: 1200, exact: false, gen: 1 }, { total: 1200, exact: false, gen: 1 }],
    ['same count and total: exact wins', { total: 900, exact: false, gen: 1 }, { total: 900, exact: true, gen: 1 }, { total: 900, exact: true, gen: 1 }],
  ] as const)('%s', (_name, shown, next, want) => {
    expect(mergeCount(shown, next)).toEqual(want);
  });
});

describe('replaceMatchLines', () => {
  const m = (step: string, n: number, text?: string): SearchMatch => ({ step, n, ranges: [[0, 1]], ...(text !== undefined ? { line: { n, ts: 0, stream: 'out', text } } : {}) });
  it('gives matches of the step their redrawn line without ranges, and leaves the rest', () => {
    const matches = [m('a', 1, 'x'), m('a', 2, 'y'), m('b', 2, 'y'), m('a', 3)];
    const lines = new Map([2, 3].map((n) => [n, { n, ts: 0, stream: 'out' as const, text: 'new' }]));
    const next = replaceMatchLines(matches, 'a', lines);
    expect(next).not.toBeNull();
    expect(next![0]).toBe(matches[0]);
    expect(next![1]).toEqual({ step: 'a', n: 2, ranges: [], line: { n: 2, ts: 0, stream: 'out', text: 'new' } });
    expect(next![2]).toBe(matches[2]);
    expect(next![3]).toBe(matches[3]);
    expect(replaceMatchLines(matches, 'a', new Map([[1, { n: 1, ts: 0, stream: 'out' as const, text: 'x' }]]))).toBeNull();
  });
});
