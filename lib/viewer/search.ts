import { MAX_SEARCH_QUERY } from '@/lib/contracts/search';

/**
 * Pure logic of the search UI (docs/api.md "Search"): request URLs, the match cursor of the
 * in-log search, and the `/search` page's URL state. No DOM, no fetch.
 */

/** What the user asks for: the text and its two toggles. */
export interface SearchOptions {
  q: string;
  regex: boolean;
  /** case-sensitive when true */
  caseSensitive: boolean;
}

/** Matches a job search asks for when no page is named (the contract's maximum). */
export const JOB_SEARCH_LIMIT = 1000;
/** Hits the `/search` page asks for. */
export const GLOBAL_SEARCH_LIMIT = 200;

/** A query worth sending: non-blank and within the contract's length. */
export function isRunnable(opts: SearchOptions): boolean {
  return opts.q.trim().length > 0 && opts.q.length <= MAX_SEARCH_QUERY;
}

function flags(opts: SearchOptions, params: URLSearchParams) {
  params.set('q', opts.q);
  params.set('regex', opts.regex ? '1' : '0');
  params.set('case', opts.caseSensitive ? '1' : '0');
}

/**
 * A page of a job search's matches (search-pages.ts): `limit` after the first `offset`, or after
 * the cursor `after` (`<step>:<n>`), with their lines.
 */
export type JobSearchPage = { limit: number; lines: boolean } & ({ offset: number; after?: undefined } | { after: string; offset?: undefined });

export function jobSearchUrl(apiBase: string, job: string, opts: SearchOptions, step?: string, limit = JOB_SEARCH_LIMIT, page?: JobSearchPage): string {
  const params = new URLSearchParams();
  flags(opts, params);
  if (step !== undefined) params.set('step', step);
  params.set('limit', String(page?.limit ?? limit));
  if (page) {
    if (page.after !== undefined) params.set('after', page.after);
    else params.set('offset', String(page.offset));
    if (page.lines) params.set('lines', '1');
  }
  return `${apiBase}/jobs/${encodeURIComponent(job)}/search?${params.toString()}`;
}

/** The `/search` page's form: also its URL (`/search?q=&regex=1&case=1&label=k:v&since=`). */
export interface GlobalSearchForm extends SearchOptions {
  label: string;
  since: string;
}

export const EMPTY_GLOBAL_FORM: GlobalSearchForm = { q: '', regex: false, caseSensitive: false, label: '', since: '' };

function truthy(v: string | null): boolean {
  return v === '1' || v === 'true';
}

/** Reads the page URL's query; unknown or oversized values are dropped, never echoed as HTML. */
export function parseSearchPageParams(params: URLSearchParams): GlobalSearchForm {
  const text = (key: string, max: number) => {
    const v = params.get(key) ?? '';
    return v.length <= max ? v : '';
  };
  return {
    q: text('q', MAX_SEARCH_QUERY),
    regex: truthy(params.get('regex')),
    caseSensitive: truthy(params.get('case')),
    label: text('label', 321),
    since: text('since', 40),
  };
}

/** The page URL of a form (only what is set, so links stay short). */
export function searchPageHref(form: GlobalSearchForm): string {
  const params = new URLSearchParams();
  if (form.q) params.set('q', form.q);
  if (form.regex) params.set('regex', '1');
  if (form.caseSensitive) params.set('case', '1');
  if (form.label.trim()) params.set('label', form.label.trim());
  if (form.since.trim()) params.set('since', form.since.trim());
  const qs = params.toString();
  return qs ? `/search?${qs}` : '/search';
}

export function globalSearchUrl(apiBase: string, form: GlobalSearchForm, limit = GLOBAL_SEARCH_LIMIT): string {
  const params = new URLSearchParams();
  flags(form, params);
  if (form.label.trim()) params.set('label', form.label.trim());
  if (form.since.trim()) params.set('since', form.since.trim());
  params.set('limit', String(limit));
  return `${apiBase}/search?${params.toString()}`;
}

/** `/jobs/{job}#{step}:{n}`: a hit's deep link (job and step ids are URL-safe by contract, encoded anyway). */
export function hitHref(job: string, step: string, n: number): string {
  return `/jobs/${encodeURIComponent(job)}#${encodeURIComponent(step)}:${n}`;
}

/**
 * The next match from `current` (null: none chosen yet) going `direction`, wrapping around
 * both ends. Null when there are no matches.
 */
export function stepMatch(current: number | null, count: number, direction: 1 | -1): number | null {
  if (count <= 0) return null;
  if (current === null || current < 0 || current >= count) return direction > 0 ? 0 : count - 1;
  return (current + direction + count) % count;
}

/** Groups hits by job, keeping the server's order (newest job first, then step and line order). */
export function groupByJob<T extends { job: string }>(hits: readonly T[]): { job: string; hits: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const hit of hits) {
    let g = groups.get(hit.job);
    if (!g) groups.set(hit.job, (g = []));
    g.push(hit);
  }
  return [...groups].map(([job, list]) => ({ job, hits: list }));
}

/**
 * Where `[from, to)` offsets of a line's text fall among its text nodes (lengths in UTF-16
 * units, in document order): start and end as (node index, offset). Ranges past the shown
 * text (a line cut for display) are clipped; empty or inverted ones dropped.
 */
export interface NodePoint {
  node: number;
  offset: number;
}
export function locateRanges(nodeLengths: readonly number[], ranges: readonly (readonly [number, number])[]): { start: NodePoint; end: NodePoint }[] {
  const total = nodeLengths.reduce((a, b) => a + b, 0);
  const point = (offset: number, preferNext: boolean): NodePoint | null => {
    let base = 0;
    for (let i = 0; i < nodeLengths.length; i++) {
      const len = nodeLengths[i]!;
      // A start at a node's end belongs to the next node; an end there stays in this one.
      if (offset < base + len || (offset === base + len && !preferNext)) return { node: i, offset: offset - base };
      base += len;
    }
    return null;
  };
  const out: { start: NodePoint; end: NodePoint }[] = [];
  for (const [from, rawTo] of ranges) {
    const to = Math.min(rawTo, total);
    if (from >= to) continue;
    const start = point(from, true);
    const end = point(to, false);
    if (start && end) out.push({ start, end });
  }
  return out;
}
