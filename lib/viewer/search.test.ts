import { describe, expect, it } from 'vitest';
import {
  EMPTY_GLOBAL_FORM,
  globalSearchUrl,
  groupByJob,
  hitHref,
  isRunnable,
  jobSearchUrl,
  locateRanges,
  parseSearchPageParams,
  searchPageHref,
  stepMatch,
} from './search';

describe('stepMatch', () => {
  it.each([
    // current, count, direction, expected
    [null, 0, 1, null],
    [null, 0, -1, null],
    [null, 5, 1, 0],
    [null, 5, -1, 4],
    [0, 5, 1, 1],
    [4, 5, 1, 0],
    [0, 5, -1, 4],
    [3, 5, -1, 2],
    [0, 1, 1, 0],
    [0, 1, -1, 0],
    [9, 5, 1, 0],
    [-1, 5, -1, 4],
  ] as const)('from %s of %s going %s → %s', (current, count, direction, expected) => {
    expect(stepMatch(current, count, direction)).toBe(expected);
  });
});

describe('request URLs', () => {
  it('job search: flags as 0/1, step only when given, ids encoded', () => {
    const url = new URL(jobSearchUrl('/api/v1', 'job-1', { q: 'a b&c', regex: true, caseSensitive: false }, 'build'), 'http://x');
    expect(url.pathname).toBe('/api/v1/jobs/job-1/search');
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'a b&c', regex: '1', case: '0', step: 'build', limit: '1000' });
    const noStep = new URL(jobSearchUrl('/api/v1', 'j', { q: 'x', regex: false, caseSensitive: true }), 'http://x');
    expect(noStep.searchParams.has('step')).toBe(false);
    expect(noStep.searchParams.get('case')).toBe('1');
    expect(jobSearchUrl('/api', 'a/b', { q: 'x', regex: false, caseSensitive: false })).toContain('/jobs/a%2Fb/search?');
  });

  it('job search pages: offset or after, and lines', () => {
    const opts = { q: 'x', regex: false, caseSensitive: false };
    const byOffset = new URL(jobSearchUrl('/api/v1', 'j', opts, undefined, undefined, { offset: 1500, limit: 500, lines: true }), 'http://x');
    expect(Object.fromEntries(byOffset.searchParams)).toEqual({ q: 'x', regex: '0', case: '0', limit: '500', offset: '1500', lines: '1' });
    const byCursor = new URL(jobSearchUrl('/api/v1', 'j', opts, 's', undefined, { after: 's:42', limit: 500, lines: false }), 'http://x');
    expect(Object.fromEntries(byCursor.searchParams)).toEqual({ q: 'x', regex: '0', case: '0', step: 's', limit: '500', after: 's:42' });
  });

  it('global search: label and since only when set', () => {
    const url = new URL(globalSearchUrl('/api/v1', { ...EMPTY_GLOBAL_FORM, q: 'err', label: ' branch:main ', since: '' }), 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'err', regex: '0', case: '0', label: 'branch:main', limit: '200' });
  });

  it('hit links are job deep links', () => {
    expect(hitHref('job-1', 'build', 42)).toBe('/jobs/job-1#build:42');
    expect(hitHref('a b', 's', 1)).toBe('/jobs/a%20b#s:1');
  });
});

describe('search page URL', () => {
  it.each([
    ['', EMPTY_GLOBAL_FORM],
    ['q=x&regex=1&case=true', { ...EMPTY_GLOBAL_FORM, q: 'x', regex: true, caseSensitive: true }],
    ['q=x&regex=yes&label=os:linux&since=2026-01-01', { ...EMPTY_GLOBAL_FORM, q: 'x', label: 'os:linux', since: '2026-01-01' }],
    [`q=${'a'.repeat(300)}`, EMPTY_GLOBAL_FORM],
    [`since=${'1'.repeat(41)}`, EMPTY_GLOBAL_FORM],
  ] as const)('parses %s', (qs, form) => {
    expect(parseSearchPageParams(new URLSearchParams(qs))).toEqual(form);
  });

  it('round-trips through its href', () => {
    const form = { q: 'a+b <c>', regex: true, caseSensitive: false, label: 'k:v', since: '1700000000000' };
    const href = searchPageHref(form);
    expect(href.startsWith('/search?')).toBe(true);
    expect(parseSearchPageParams(new URL(href, 'http://x').searchParams)).toEqual(form);
    expect(searchPageHref(EMPTY_GLOBAL_FORM)).toBe('/search');
  });

  it('runs only non-blank queries within the length limit', () => {
    expect(isRunnable({ q: '  ', regex: false, caseSensitive: false })).toBe(false);
    expect(isRunnable({ q: 'x', regex: false, caseSensitive: false })).toBe(true);
    expect(isRunnable({ q: 'x'.repeat(257), regex: false, caseSensitive: false })).toBe(false);
  });
});

describe('groupByJob', () => {
  it('keeps server order within and across jobs', () => {
    const hits = [
      { job: 'b', n: 1 },
      { job: 'b', n: 5 },
      { job: 'a', n: 2 },
      { job: 'b', n: 9 },
    ];
    expect(groupByJob(hits)).toEqual([
      { job: 'b', hits: [hits[0], hits[1], hits[3]] },
      { job: 'a', hits: [hits[2]] },
    ]);
    expect(groupByJob([])).toEqual([]);
  });
});

describe('locateRanges', () => {
  it.each([
    // node lengths, ranges, expected [startNode, startOff, endNode, endOff][]
    [[10], [[2, 5]], [[0, 2, 0, 5]]],
    [[3, 4], [[3, 5]], [[1, 0, 1, 2]]],
    [[3, 4], [[1, 3]], [[0, 1, 0, 3]]],
    [[3, 4], [[2, 6]], [[0, 2, 1, 3]]],
    [[3, 0, 4], [[3, 4]], [[2, 0, 2, 1]]],
    [[5], [[3, 99]], [[0, 3, 0, 5]]],
    [[5], [[5, 9], [4, 4], [3, 2]], []],
    [[], [[0, 1]], []],
  ] as const)('%j %j', (lengths, ranges, expected) => {
    expect(locateRanges(lengths, ranges).map((r) => [r.start.node, r.start.offset, r.end.node, r.end.offset])).toEqual(expected);
  });
});
