import type { Group } from '@/lib/contracts';
import { searchCursor, type JobSearchResult } from '@/lib/contracts/search';

/**
 * Pure logic of the in-log search's match pages (docs/api.md "Search", job search paging): the
 * browser holds a window of pages of matches, never every match. A page is SEARCH_PAGE_MATCHES
 * matches in job order; page p holds matches p*SIZE .. (p+1)*SIZE-1 (0-based indices, the `offset`
 * of its request). No DOM, no fetch.
 */

export type SearchMatch = JobSearchResult['matches'][number];

/** Matches per page request (`limit`): a page with its lines (`lines=1`) stays well under 1 MB for usual lines. */
export const SEARCH_PAGE_MATCHES = 500;
/**
 * Pages kept in the browser at most (the farthest from what is in use go first): 4000 matches,
 * their lines cut at 2000 characters by the server, whatever the number of matches.
 */
export const MAX_SEARCH_PAGES = 8;
/**
 * Rows the filter list shows at most (Chromium caps an element's height at ~33.5M px): past it,
 * a note says so and next/previous still walk every match.
 */
export const MAX_FILTER_ROWS = 500_000;
/** A running job's search is counted again at most this often while lines arrive (a server scan each). */
export const LIVE_RECOUNT_MS = 3_000;

export function pageOf(index: number): number {
  return Math.floor(index / SEARCH_PAGE_MATCHES);
}

/** The pages holding match indices `first`..`last` (inclusive; clamped to `total`). */
export function pagesSpanning(first: number, last: number, total: number): number[] {
  const end = Math.min(last, total - 1);
  if (total <= 0 || end < 0) return [];
  const pages: number[] = [];
  for (let p = pageOf(Math.max(0, first)); p <= pageOf(end); p++) pages.push(p);
  return pages;
}

/**
 * Which cached pages to drop so that at most `max` stay: the ones farthest from every page in
 * use (`focus`: the current match's page, the filter list's visible pages). Pages in use are
 * never dropped, even past `max`.
 */
export function pagesToEvict(cached: readonly number[], focus: readonly number[], max: number = MAX_SEARCH_PAGES): number[] {
  if (cached.length <= max) return [];
  const inUse = new Set(focus);
  const distance = (p: number) => (focus.length === 0 ? p : Math.min(...focus.map((f) => Math.abs(p - f))));
  const candidates = cached.filter((p) => !inUse.has(p)).sort((a, b) => distance(b) - distance(a) || b - a);
  return candidates.slice(0, Math.max(0, cached.length - max));
}

/** `N` when the count is exact, `≥ N` when the server stopped counting early. */
export function countText(total: number, exact: boolean): string {
  return exact ? `${total}` : `≥ ${total}`;
}

/** The search status: "k of N", "N matches" (no match chosen yet), "No matches"; "≥ N" when not exact. */
export function matchStatus(current: number | null, total: number, exact: boolean): string {
  if (total === 0) return exact ? 'No matches' : 'No matches yet (search stopped early)';
  const all = countText(total, exact);
  return current === null ? `${all} ${total === 1 && exact ? 'match' : 'matches'}` : `${current + 1} of ${all}`;
}

/** The innermost group of `groups` holding line `n` (an open group runs to the end), or null. */
export function groupAt(groups: readonly Group[], n: number): Group | null {
  let best: Group | null = null;
  for (const g of groups) {
    if (g.start <= n && (g.end === null || n <= g.end) && (best === null || g.start >= best.start)) best = g;
  }
  return best;
}

/** A match's place in a page, or null when `index` is not in `page`. */
export function matchIn(page: { number: number; matches: readonly SearchMatch[] }, index: number): SearchMatch | null {
  if (pageOf(index) !== page.number) return null;
  return page.matches[index - page.number * SEARCH_PAGE_MATCHES] ?? null;
}

/** Where page `number` starts: after the last match of the page before it, or at its offset. */
export type PageStart = { offset: number } | { after: string };

/**
 * How to ask for page `number`: by cursor (`after` the previous page's last match) when that page
 * is held, full and of the same count, so that the server scans only what follows it; else by
 * `offset` (the scan then counts from the start).
 */
export function pageStart(number: number, previous: { matches: readonly SearchMatch[]; gen: number } | undefined, gen: number): PageStart {
  const last = previous && previous.gen === gen && previous.matches.length === SEARCH_PAGE_MATCHES ? previous.matches[SEARCH_PAGE_MATCHES - 1] : undefined;
  return number > 0 && last ? { after: searchCursor(last.step, last.n) } : { offset: number * SEARCH_PAGE_MATCHES };
}

/** A count: matching lines, and whether that is all of them. */
export interface Count {
  total: number;
  exact: boolean;
  /** the count generation it belongs to (a running job is counted again as lines arrive) */
  gen: number;
}

/**
 * The count an answer gives for page `number`: its `total`, plus the matches before the cursor
 * when it was asked by cursor (the server counted only what follows it).
 */
export function answerCount(number: number, start: PageStart, answer: { total: number; exact?: boolean | undefined; truncated: boolean }, gen: number): Count {
  const before = 'after' in start ? number * SEARCH_PAGE_MATCHES : 0;
  return { total: before + answer.total, exact: answer.exact ?? !answer.truncated, gen };
}

/**
 * The count to show after an answer: a newer generation replaces the old; within one, the larger
 * count wins (a scan cut by the budget counted less), and an exact one over an equal lower bound.
 */
export function mergeCount(shown: Count | null, next: Count): Count {
  if (!shown || next.gen > shown.gen) return next;
  if (next.gen < shown.gen) return shown;
  if (next.total !== shown.total) return next.total > shown.total ? next : shown;
  return next.exact ? next : shown;
}

/**
 * Matches with redrawn lines swapped in (issue 13: `lines` are one step's replaced lines): a
 * match of that step whose line is given carries the new line and no ranges (the old offsets
 * described the old text; the next count brings the new ones). A new array when any match
 * changed, else null. Matches without their line (`lines=0`) are left alone.
 */
export function replaceMatchLines(matches: readonly SearchMatch[], step: string, lines: ReadonlyMap<number, SearchMatch['line'] & object>): SearchMatch[] | null {
  let next: SearchMatch[] | null = null;
  matches.forEach((m, i) => {
    if (m.step !== step || !m.line) return;
    const line = lines.get(m.n);
    if (!line || line.text === m.line.text) return;
    next ??= matches.slice();
    next[i] = { ...m, line, ranges: [] };
  });
  return next;
}
