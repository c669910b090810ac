import { z } from 'zod';
import { stepIdSchema } from './ids';

/**
 * `ansi` keeps the stored escape codes; `text` strips them (both: each line's final text, after
 * the terminal screen's redraws). `raw`: the producer's lines as sent, redraws included (masked).
 */
export const LOG_FORMATS = ['ansi', 'text', 'raw'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * `attachment` saves the log as a file (the default); `inline` shows it in the browser tab, as
 * text (the raw view): same bytes, same headers otherwise.
 */
export const LOG_DISPOSITIONS = ['attachment', 'inline'] as const;
export type LogDisposition = (typeof LOG_DISPOSITIONS)[number];

/** Query of `GET /api/v1/jobs/{job}/log`: the whole job, or one `step`, as a download or a raw view. */
export const logDownloadQuerySchema = z.object({
  step: stepIdSchema.optional().describe('only this step; default: every step in order'),
  format: z.enum(LOG_FORMATS).default('ansi').describe('`ansi` keeps escape codes, `text` strips them (final text); `raw` is what the producer sent, redraws included'),
  disposition: z
    .enum(LOG_DISPOSITIONS)
    .default('attachment')
    .describe('`attachment` (default) saves a file; `inline` shows the log as text in the browser tab (raw view)'),
});
