import { z } from 'zod';

export const STREAMS = ['out', 'err'] as const;
export const streamSchema = z.enum(STREAMS);
export type Stream = z.infer<typeof streamSchema>;

/**
 * Hard cap on one stored line (bytes of UTF-8). Longer lines are refused with 413 while
 * streaming, never buffered. The viewer shows far less until asked (DISPLAY_LINE_CHARS).
 */
export const MAX_LINE_BYTES = 1024 * 1024;
/** API.md: `GET lines?limit=` is at most this. */
export const MAX_RANGE_LIMIT = 5000;

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

export const appendResultSchema = z.object({
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  last: z.number().int().nonnegative(),
});
export type AppendResult = z.infer<typeof appendResultSchema>;

export const lineRangeSchema = z.object({ lines: z.array(lineSchema), last: z.number().int().nonnegative() });
export type LineRange = z.infer<typeof lineRangeSchema>;
