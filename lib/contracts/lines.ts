import { z } from 'zod';

export const STREAMS = ['out', 'err'] as const;
export const streamSchema = z.enum(STREAMS);
export type Stream = z.infer<typeof streamSchema>;

/**
 * Hard cap on one stored line (bytes of UTF-8). Longer lines are refused with 413 while
 * streaming, never buffered. The viewer shows far less until asked (DISPLAY_LINE_CHARS).
 */
export const MAX_LINE_BYTES = 1024 * 1024;
/** docs/api.md: `GET lines?limit=` is at most this. */
export const MAX_RANGE_LIMIT = 5000;

/**
 * The terminal screen of a step (issue 13, lib/ansi/screen.ts): its last SCREEN_ROWS stored lines.
 * A producer's cursor moves (up, position, save/restore, erase in display, insert/delete line)
 * rewrite lines within it; a line that scrolls above it is final. Stores accept `updates` only
 * for lines within it (docs/api.md "Line updates").
 */
export const SCREEN_ROWS = 200;

/** A stored line, as served by every read API. `ts` is ms since the epoch. */
export const lineSchema = z.object({
  n: z.number().int().positive(),
  ts: z.number(),
  stream: streamSchema,
  text: z.string(),
});
export type Line = z.infer<typeof lineSchema>;

/** One NDJSON record of `POST lines`. `ts` may be ms since the epoch or an ISO-8601 string. */
export const ndjsonLineSchema = z
  .object({
    n: z.number().int().positive(),
    ts: z.union([z.number().finite().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
    stream: streamSchema.optional(),
    text: z.string(),
  })
  .strict();
export type NdjsonLine = z.infer<typeof ndjsonLineSchema>;

/**
 * Answer of `POST lines`. `last` is the producer's last line number (resume after it); it
 * equals the step's stored line count unless the terminal screen merged lines (a cursor moved
 * up and rewrote earlier lines), when `lines` says how many lines the step holds.
 */
export const appendResultSchema = z.object({
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  last: z.number().int().nonnegative(),
  lines: z.number().int().nonnegative().optional().describe("the step's stored line count, when it differs from `last`"),
});
export type AppendResult = z.infer<typeof appendResultSchema>;

/**
 * Reply of `GET …/lines`. `truncated` and `next` appear only when the reply stopped short of
 * the lines asked for to stay within the range byte budget (docs/api.md "Limits"): ask again
 * from `next` for the rest. Older clients that ignore them see a short page, as they would
 * near the end of a growing step.
 */
export const lineRangeSchema = z.object({
  lines: z.array(lineSchema),
  last: z.number().int().nonnegative(),
  truncated: z.literal(true).optional().describe('the reply was cut to fit the byte budget; more lines of the range exist'),
  next: z.number().int().positive().optional().describe('with `truncated`: the first line not sent, the `from` of the next request'),
});
export type LineRange = z.infer<typeof lineRangeSchema>;

/** Query of `GET …/steps/{step}/lines`: `limit` lines from line `from`. */
export const readLinesQuerySchema = z.object({
  from: z.coerce.number().int().min(1).default(1).describe('the first line of the range'),
  limit: z.coerce.number().int().min(1).max(MAX_RANGE_LIMIT).default(1000).describe('lines at most'),
});

/** Query of `POST …/steps/{step}/lines`: `first` numbers the first line of a text body; `stream` tags its lines. */
export const writeLinesQuerySchema = z.object({
  first: z.coerce.number().int().min(1).optional().describe("text bodies: the number of the body's first line; default: after the step's last line"),
  stream: streamSchema.default('out').describe('text bodies: the stream of every line'),
});

/** Content types of a `POST lines` body read as NDJSON records (`application/jsonl` is common too). */
export const NDJSON_CONTENT_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'] as const;
/** Content types of a `POST lines` body read as raw text; a body without a Content-Type is text. */
export const TEXT_CONTENT_TYPES = ['text/plain', 'application/octet-stream'] as const;

/** How a `POST lines` body is read, from its Content-Type; null (anything else) is a 400. */
export function linesBodyFormat(contentType: string | null): 'ndjson' | 'text' | null {
  const type = (contentType ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? '';
  if ((NDJSON_CONTENT_TYPES as readonly string[]).includes(type)) return 'ndjson';
  if ((TEXT_CONTENT_TYPES as readonly string[]).includes(type)) return 'text';
  return null;
}
