import { z } from 'zod';
import { stepIdSchema } from './ids';
import { streamSchema } from './lines';

/** `keep` serves the stored text (escape codes included); `strip` serves what a line shows (lib/ansi/plain.ts). */
export const EXPORT_ANSI = ['keep', 'strip'] as const;

/** Query of `GET /api/v1/jobs/{job}/export`: the whole job, or one `step`, as NDJSON. */
export const exportQuerySchema = z.object({
  step: stepIdSchema.optional().describe('only this step; default: every step in order'),
  ansi: z.enum(EXPORT_ANSI).default('keep').describe('`keep` the stored escape codes or `strip` them (group titles too)'),
});
export type ExportQuery = z.infer<typeof exportQuerySchema>;

/**
 * The innermost group a line is in: the group whose opening line is the latest at or before the
 * line among those not yet closed there (`start <= n <= end`; the opening marker's line is its
 * group's header and belongs to it). `path` holds the titles from the outermost group to this one.
 */
export const exportGroupSchema = z.object({ id: z.string(), path: z.array(z.string()) });
export type ExportGroup = z.infer<typeof exportGroupSchema>;

/** One line of `GET …/export` (one JSON object per line, `\n`-terminated). `ts` is ms since the epoch. */
export const exportRecordSchema = z.object({
  step: stepIdSchema,
  n: z.number().int().positive(),
  ts: z.number(),
  stream: streamSchema,
  group: exportGroupSchema.nullable(),
  text: z.string(),
});
export type ExportRecord = z.infer<typeof exportRecordSchema>;
