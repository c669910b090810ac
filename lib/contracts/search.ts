import { z } from 'zod';
import { jobIdSchema, STEP_ID_PATTERN, stepIdSchema } from './ids';
import { lineSchema } from './lines';

/** Longest query accepted (substring or regex source). */
export const MAX_SEARCH_QUERY = 256;
/**
 * Longest query string (`?…`, percent-encoded) a search accepts: q (256 characters, up to 9
 * bytes each once encoded) and the other parameters fit well under it; a 100 KB query string is
 * refused before anything is parsed.
 */
export const MAX_SEARCH_QUERY_STRING = 4096;
/** Longest global search `cursor` (an opaque `next`). */
export const MAX_SEARCH_CURSOR = 1024;
/** Matches returned by one search at most (`limit` ≤ this). */
export const MAX_SEARCH_LIMIT = 1000;
export const DEFAULT_SEARCH_LIMIT = 200;

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');

/** Query of both search APIs. `case` on = case-sensitive; off (default) = case-insensitive. */
export const searchQuerySchema = z.object({
  q: z
    .string()
    .min(1, 'q is required')
    .max(MAX_SEARCH_QUERY, `q is at most ${MAX_SEARCH_QUERY} characters`)
    .describe('a substring, or a regular expression with `regex`'),
  regex: flag.describe('`q` is a regular expression, run in linear time (lookarounds and backreferences are refused)'),
  case: flag.describe('case-sensitive; default: case-insensitive'),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_LIMIT).default(DEFAULT_SEARCH_LIMIT).describe('matches at most'),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

/** Highest `offset` of a job search (more matching lines than one scan budget's lines is no page anyone reaches). */
export const MAX_SEARCH_OFFSET = 20_000_000;

/** A job search cursor: `<step>:<n>` (step ids have no `:`), the position of a match. */
const AFTER_PATTERN = new RegExp(`^${STEP_ID_PATTERN.source.replace(/^\^|\$$/g, '')}:[1-9][0-9]{0,9}$`);

/** `after=<step>:<n>` as its parts. */
export function parseSearchCursor(after: string): { step: string; n: number } {
  const colon = after.lastIndexOf(':');
  return { step: after.slice(0, colon), n: Number(after.slice(colon + 1)) };
}

/** `<step>:<n>`: a job search cursor (`after`, `next`). */
export function searchCursor(step: string, n: number): string {
  return `${step}:${n}`;
}

/**
 * `GET /api/v1/jobs/{job}/search` adds `step`, and match paging: `offset` (matching lines to pass
 * over, in job order) or `after` (a cursor: only lines after that one are scanned), and `lines`
 * (each match carries its stored line).
 */
export const jobSearchQuerySchema = searchQuerySchema.extend({
  step: stepIdSchema.optional().describe('only this step'),
  offset: z.coerce.number().int().min(0).max(MAX_SEARCH_OFFSET).optional().describe('matching lines to pass over before the first returned (job order); not with `after`'),
  after: z
    .string()
    .max(100)
    .regex(AFTER_PATTERN, 'after is <step>:<n>')
    .optional()
    .describe('`<step>:<n>` (a previous answer\'s `next`): scan only the lines after that one; not with `offset`'),
  lines: flag.describe('each match carries its stored line (`line`), its text cut to a bounded length'),
});

/** `GET /api/v1/search` adds a label filter (`key:value`) and `since` (ms since the epoch or ISO-8601). */
export const globalSearchQuerySchema = searchQuerySchema.extend({
  label: z
    .string()
    .max(321)
    .regex(/^[^:]{1,64}:.{0,256}$/, 'label is key:value')
    .optional()
    .describe('`key:value`: only jobs with this label'),
  since: z.string().max(40).optional().describe('ms since the epoch or an ISO-8601 date: only jobs created at or after it'),
  cursor: z
    .string()
    .max(MAX_SEARCH_CURSOR)
    .regex(/^[A-Za-z0-9_-]+$/, 'invalid cursor')
    .optional()
    .describe('`next` of a previous answer (same query): go on after its last match'),
});

/**
 * `[from, to)` offsets (UTF-16 code units) into the line's plain text: the stored text with
 * every escape sequence removed (lib/ansi/plain.ts `plainText`), which is what the viewer shows.
 */
export const rangeSchema = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);

export const jobSearchMatchSchema = z.object({
  step: z.string(),
  n: z.number().int().positive(),
  ranges: z.array(rangeSchema),
  /** with `lines=1`: the stored line (escapes kept; rendered like any line), text cut to a bounded length */
  line: lineSchema.optional(),
});
export const jobSearchResultSchema = z.object({
  matches: z.array(jobSearchMatchSchema),
  /** lines that matched among those scanned (with `after`: among the lines after the cursor) */
  total: z.number().int().nonnegative(),
  /** true when matches exist past this page, or the scan budget ran out before the end of the log */
  truncated: z.boolean(),
  /**
   * True when the scan reached the end of every step searched: `total` is then the exact count
   * (of the log as it was when the search began). False: `total` is a lower bound (budget).
   * Absent only from servers that predate it.
   */
  exact: z.boolean().optional(),
  /** how many matching lines come before `matches[0]` (job order; with `after`, after the cursor) */
  offset: z.number().int().nonnegative().optional(),
  /** present when more matches follow the last one returned: pass it as `after` for the next page */
  next: z.string().optional(),
});
export type JobSearchResult = z.infer<typeof jobSearchResultSchema>;

export const globalSearchMatchSchema = z.object({
  job: jobIdSchema,
  title: z.string(),
  step: z.string(),
  n: z.number().int().positive(),
  /** the stored line (escapes kept; rendered like any line), text cut to a bounded length */
  line: lineSchema,
  ranges: z.array(rangeSchema),
});
export const globalSearchResultSchema = z.object({
  matches: z.array(globalSearchMatchSchema),
  total: z.number().int().nonnegative(),
  truncated: z.boolean(),
  /** jobs whose logs were searched (newest first) */
  scannedJobs: z.number().int().nonnegative(),
  /**
   * Present when the answer is truncated and can go on: pass it as `cursor` (with the same
   * query) for the matches after the last one returned, with no match twice and none skipped.
   */
  next: z.string().optional(),
});
export type GlobalSearchResult = z.infer<typeof globalSearchResultSchema>;
