import { JOB_STATUSES, MAX_FILTER_LABELS, MAX_FILTER_TEXT, MAX_FILTER_TIME_MS, MAX_LIST_CURSOR, labelFilterSchema, type JobStatus } from '../contracts';

/**
 * The job list page's state in its URL (`/?status=&q=&label=&createdAfter=&createdBefore=&before=&newer=`),
 * so a filtered page is a link and a reload shows the same list. The filter parameters are the
 * API's own (`GET /api/v1/jobs`, `GET /api/v1/job-list/events`); `before` is the page cursor and
 * `newer` the cursors of the pages in front of it (for *Newer*). Pure: the browser and the
 * server read a URL the same way. What the API would refuse is dropped here, so a hand-edited
 * link shows a list, not an error.
 */

/** Jobs on one page of the list. */
export const JOB_LIST_PAGE = 50;
/** Page cursors kept for *Newer* (beyond it *Newer* goes to the newest page). */
export const MAX_NEWER_TRAIL = 20;

export interface JobListView {
  status?: JobStatus;
  q?: string;
  /** `key:value` filters, in the order given */
  labels: string[];
  createdAfter?: number;
  createdBefore?: number;
  /** the page: jobs older than this cursor (absent: the newest page) */
  before?: string;
  /** cursors of the pages between the newest page and this one, oldest last */
  newer: string[];
}

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

function all(params: Params, name: string): string[] {
  if (params instanceof URLSearchParams) return params.getAll(name);
  const value = params[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

const first = (params: Params, name: string): string | undefined => all(params, name)[0];

function time(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms <= MAX_FILTER_TIME_MS ? ms : undefined;
}

const isCursor = (value: string | undefined): value is string => value !== undefined && value !== '' && value.length <= MAX_LIST_CURSOR;

export function parseView(params: Params): JobListView {
  const view: JobListView = { labels: [], newer: [] };
  const status = first(params, 'status');
  if (status && (JOB_STATUSES as readonly string[]).includes(status)) view.status = status as JobStatus;
  const q = first(params, 'q')?.trim();
  if (q) view.q = q.slice(0, MAX_FILTER_TEXT);
  const labels = [...new Set(all(params, 'label'))].filter((label) => labelFilterSchema.safeParse(label).success);
  view.labels = labels.slice(0, MAX_FILTER_LABELS);
  const after = time(first(params, 'createdAfter'));
  const before = time(first(params, 'createdBefore'));
  if (after !== undefined) view.createdAfter = after;
  if (before !== undefined && (after === undefined || before > after)) view.createdBefore = before;
  const cursor = first(params, 'before');
  if (isCursor(cursor)) view.before = cursor;
  view.newer = all(params, 'newer').filter(isCursor).slice(-MAX_NEWER_TRAIL);
  if (view.before === undefined) view.newer = [];
  return view;
}

/** The filter parameters (what the API takes), without paging. */
function filterParams(view: JobListView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.status) params.set('status', view.status);
  if (view.q) params.set('q', view.q);
  for (const label of view.labels) params.append('label', label);
  if (view.createdAfter !== undefined) params.set('createdAfter', String(view.createdAfter));
  if (view.createdBefore !== undefined) params.set('createdBefore', String(view.createdBefore));
  return params;
}

/** The page's URL (`/` plus its query) for a view. */
export function viewHref(view: JobListView): string {
  const params = filterParams(view);
  if (view.before !== undefined) {
    params.set('before', view.before);
    for (const cursor of view.newer) params.append('newer', cursor);
  }
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

/** The query of the list stream for a view (`GET /api/v1/job-list/events?…`). */
export function streamQuery(view: JobListView, limit = JOB_LIST_PAGE): string {
  const params = filterParams(view);
  params.set('limit', String(limit));
  if (view.before !== undefined) params.set('before', view.before);
  return params.toString();
}

/** The same filters, from the newest page. */
export function withFilters(filters: Omit<JobListView, 'before' | 'newer'>): JobListView {
  return { ...filters, labels: [...filters.labels], newer: [] };
}

/** The next older page: jobs before `next` (the page's `next`). */
export function olderView(view: JobListView, next: string): JobListView {
  const newer = view.before === undefined ? [] : [...view.newer, view.before].slice(-MAX_NEWER_TRAIL);
  return { ...view, before: next, newer };
}

/** The page in front of this one (the newest page when the trail is empty); null on the newest page. */
export function newerView(view: JobListView): JobListView | null {
  if (view.before === undefined) return null;
  const newer = [...view.newer];
  const before = newer.pop();
  const { before: _current, ...rest } = view;
  return before === undefined ? { ...rest, newer: [] } : { ...rest, before, newer };
}

/** Whether the view filters anything (a "clear" control is offered). */
export function isFiltered(view: JobListView): boolean {
  return view.status !== undefined || view.q !== undefined || view.labels.length > 0 || view.createdAfter !== undefined || view.createdBefore !== undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ms since the epoch as a `datetime-local` input's value (local time, minutes). */
export function toLocalInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (local time) as ms since the epoch; undefined when empty or invalid. */
export function fromLocalInput(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_FILTER_TIME_MS ? ms : undefined;
}
