import { jobMetaSchema, lineRangeSchema, type JobMeta, type Line, type LineRange, type LogDisposition } from '@/lib/contracts';
import { stepErrorsPageSchema, type StepErrorsPage } from '@/lib/contracts/triage';
import { diffComputingSchema, diffStepsSchema, stepDiffSchema, type DiffComputing, type DiffSteps, type StepDiff } from '@/lib/contracts/diff';
import { DEFAULT_RUNS_EACH_WAY, runsAnswerSchema, type RunsAnswer } from '@/lib/contracts/runs';
import { globalSearchResultSchema, jobSearchResultSchema, type GlobalSearchResult, type JobSearchResult } from '@/lib/contracts/search';
import { globalSearchUrl, jobSearchUrl, type GlobalSearchForm, type JobSearchPage, type SearchOptions } from '@/lib/viewer/search';
import { PAGE_SIZE } from '@/lib/viewer/constants';
import { densePrefix, pageFirstLine } from '@/lib/viewer/pages';

/*
 * The app's HTTP client for the read API (the viewer, the job list and /search): every response
 * decoded with the contract's schemas. Runs in the browser: it imports nothing server-only.
 */

/** A failed API call, with the server's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** the server's own message (shown as text, e.g. why a regex was refused) */
    readonly detail: string = '',
  ) {
    super(message);
  }
}

/** Longest server message shown to the user. */
const MAX_DETAIL_CHARS = 300;

declare global {
  interface Window {
    /** A range the page's inline script started fetching for a deep link (app/_first-screen/script.tsx). */
    __logscopePrefetch?: { url: string; response: Promise<Response> };
  }
}

/** The response the page started fetching for `url` before the bundle loaded, once; else null. */
function takePrefetched(url: string): Promise<Response> | null {
  if (typeof window === 'undefined') return null;
  const prefetch = window.__logscopePrefetch;
  if (!prefetch || prefetch.url !== url) return null;
  delete window.__logscopePrefetch;
  return prefetch.response;
}

/**
 * The credential a viewer sends with every read (docs/api.md "Access"), none by default (same
 * origin: the session cookie, if any, goes by itself).
 * - `access`: a signed view link token, appended as `?access=` to every URL, the events stream
 *   included (EventSource sends no headers);
 * - `token`: a read key, sent as `Authorization: Bearer` (keys never travel in URLs), so the
 *   events stream is read with fetch (lib/client/fetch-event-source.ts).
 */
export interface ApiAuth {
  access?: string;
  token?: string;
}

/** `url` with the link token appended when there is one. */
export function withAccess(url: string, auth?: ApiAuth): string {
  if (!auth?.access) return url;
  return `${url}${url.includes('?') ? '&' : '?'}access=${encodeURIComponent(auth.access)}`;
}

/** The request headers a credential adds (the Bearer read key), none otherwise. */
export function authHeaders(auth?: ApiAuth): Record<string, string> {
  return auth?.token ? { authorization: `Bearer ${auth.token}` } : {};
}

async function getJson(url: string, signal?: AbortSignal, auth?: ApiAuth): Promise<unknown> {
  const request = () => fetch(withAccess(url, auth), { signal, headers: { accept: 'application/json', ...authHeaders(auth) } });
  // the page's own prefetch carries no credential of an embedder: only used without one
  const prefetched = auth?.access || auth?.token ? null : takePrefetched(url);
  // a prefetch that failed to connect is simply made again
  const res = prefetched ? await prefetched.catch(request) : await request();
  if (!res.ok) {
    let code = 'http_error';
    let detail = '';
    try {
      const body: unknown = await res.json();
      if (body && typeof body === 'object' && 'error' in body) {
        const err = (body as { error: unknown }).error;
        if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') code = err.code;
        if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') detail = err.message.slice(0, MAX_DETAIL_CHARS);
      }
    } catch {
      // not JSON: keep the generic code
    }
    throw new ApiError(res.status, code, `${res.status} ${code}`, detail);
  }
  return res.json();
}

export function jobUrl(apiBase: string, job: string): string {
  return `${apiBase}/jobs/${encodeURIComponent(job)}`;
}

export async function fetchJob(apiBase: string, job: string, signal?: AbortSignal, auth?: ApiAuth): Promise<JobMeta> {
  return jobMetaSchema.parse(await getJson(jobUrl(apiBase, job), signal, auth));
}

/**
 * One aligned page of a step's lines (see lib/viewer/pages.ts); a reply cut by the server's byte
 * budget (`truncated`) is followed from `next`. Given what is already known of the page (`have`:
 * its start, e.g. a server-rendered screen's or a page read while its step was growing), it
 * fetches only the lines after it.
 */
export async function fetchLinePage(apiBase: string, job: string, step: string, page: number, signal?: AbortSignal, have?: readonly Line[], auth?: ApiAuth): Promise<Line[]> {
  const first = pageFirstLine(page);
  // completed from its first gap (a page read while its step grew, or the first screen's, which
  // holds only the lines its rows showed); a whole page is read again
  const prefix = have ? densePrefix(page, have) : 0;
  const known = prefix < PAGE_SIZE && have ? have.slice(0, prefix) : [];
  const lines: Line[] = [...known];
  for (let from = first + known.length; ; ) {
    const range = await fetchLineRange(apiBase, job, step, from, first + PAGE_SIZE - from, signal, auth);
    lines.push(...range.lines);
    if (!range.truncated || range.next === undefined || range.next <= from || range.next >= first + PAGE_SIZE) return lines;
    from = range.next;
  }
}

/**
 * One page of a step's error lines (docs/api.md "Errors: a step's error lines"): those after line
 * `after` (default 0), ascending; follow `next` for the rest. Read from the step's error index.
 */
export async function fetchStepErrors(apiBase: string, job: string, step: string, after = 0, signal?: AbortSignal, auth?: ApiAuth): Promise<StepErrorsPage> {
  const url = `${jobUrl(apiBase, job)}/steps/${encodeURIComponent(step)}/errors?after=${Math.max(0, Math.floor(after))}`;
  return stepErrorsPageSchema.parse(await getJson(url, signal, auth));
}

/**
 * The runs of the job's pipeline around it (docs/api.md "Runs"): up to `limit` on each side,
 * newest first, with the last green run and the first red since it.
 */
export async function fetchRuns(apiBase: string, job: string, limit = DEFAULT_RUNS_EACH_WAY, signal?: AbortSignal, auth?: ApiAuth): Promise<RunsAnswer> {
  const url = `${jobUrl(apiBase, job)}/runs?limit=${Math.max(1, Math.floor(limit))}`;
  return runsAnswerSchema.parse(await getJson(url, signal, auth));
}

/** One range request (`GET …/lines?from=&limit=`) as the server answers it: maybe `truncated`, with `next`. */
export async function fetchLineRange(apiBase: string, job: string, step: string, from: number, limit: number, signal?: AbortSignal, auth?: ApiAuth): Promise<LineRange> {
  const url = `${jobUrl(apiBase, job)}/steps/${encodeURIComponent(step)}/lines?from=${from}&limit=${limit}`;
  return lineRangeSchema.parse(await getJson(url, signal, auth));
}

/**
 * The raw log of the job, or of one step (`GET …/log`): a file to save (`attachment`) or the raw
 * view in a tab (`inline`). A plain link, so it carries a signed link token (`?access=`) or the
 * session cookie, never a read key (links send no headers).
 */
export function logFileUrl(apiBase: string, job: string, opts: { step?: string; format: 'ansi' | 'text'; disposition: LogDisposition }, auth?: ApiAuth): string {
  const query = new URLSearchParams();
  if (opts.step !== undefined) query.set('step', opts.step);
  query.set('format', opts.format);
  if (opts.disposition !== 'attachment') query.set('disposition', opts.disposition);
  return withAccess(`${jobUrl(apiBase, job)}/log?${query}`, auth);
}

export function eventsUrl(apiBase: string, job: string, after: string | null): string {
  const base = `${jobUrl(apiBase, job)}/events`;
  return after === null ? base : `${base}?after=${encodeURIComponent(after)}`;
}

/** In-log search (`GET /jobs/{job}/search`; `page`: one page of matches with their lines), decoded with the contract's schema. */
export async function fetchJobSearch(apiBase: string, job: string, opts: SearchOptions, step: string | undefined, signal?: AbortSignal, auth?: ApiAuth, page?: JobSearchPage): Promise<JobSearchResult> {
  return jobSearchResultSchema.parse(await getJson(jobSearchUrl(apiBase, job, opts, step, undefined, page), signal, auth));
}

/** Search across jobs (`GET /search`; `cursor`: a previous answer's `next`), decoded with the contract's schema. */
export async function fetchGlobalSearch(apiBase: string, form: GlobalSearchForm, signal?: AbortSignal, cursor?: string): Promise<GlobalSearchResult> {
  const url = globalSearchUrl(apiBase, form) + (cursor !== undefined ? `&cursor=${encodeURIComponent(cursor)}` : '');
  return globalSearchResultSchema.parse(await getJson(url, signal));
}

/** What to compare (docs/api.md "Diff"): `base` the other run (absent: the last green run), `normalise` `all` (default), `none` or rule ids. */
export interface DiffRequest {
  base?: string;
  offset?: number;
  limit?: number;
  normalise?: 'all' | 'none' | readonly string[];
}

function diffUrl(apiBase: string, job: string, request: DiffRequest, step?: string): string {
  const query = new URLSearchParams();
  if (request.base !== undefined) query.set('base', request.base);
  if (step !== undefined) query.set('step', step);
  if (request.offset !== undefined) query.set('offset', String(request.offset));
  if (request.limit !== undefined) query.set('limit', String(request.limit));
  if (request.normalise !== undefined) query.set('normalise', typeof request.normalise === 'string' ? request.normalise : request.normalise.join(','));
  return `${jobUrl(apiBase, job)}/diff?${query}`;
}

/**
 * A page of the diff of a step with the same step of `request.base` (`GET /jobs/{job}/diff`):
 * the page, or (a 202) `{status: 'computing', progress}` while the server computes it: ask again
 * in a couple of seconds. A `complete: false` diff is of a live step: ask again for the grown one.
 */
export async function fetchDiff(apiBase: string, job: string, step: string, request: DiffRequest, signal?: AbortSignal, auth?: ApiAuth): Promise<StepDiff | DiffComputing> {
  const body = await getJson(diffUrl(apiBase, job, request, step), signal, auth);
  return body && typeof body === 'object' && 'status' in body ? diffComputingSchema.parse(body) : stepDiffSchema.parse(body);
}

/** The per-step summary of the diff with `request.base` or the last green run (`GET /jobs/{job}/diff` without `step`): differing steps first. */
export async function fetchDiffSteps(apiBase: string, job: string, request: DiffRequest, signal?: AbortSignal, auth?: ApiAuth): Promise<DiffSteps> {
  return diffStepsSchema.parse(await getJson(diffUrl(apiBase, job, request), signal, auth));
}
