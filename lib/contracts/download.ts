import { z } from 'zod';
import { stepIdSchema } from './ids';

/** `ansi` keeps the stored escape codes; `text` strips them. */
export const LOG_FORMATS = ['ansi', 'text'] as const;

/** Query of `GET /api/v1/jobs/{job}/log`: the whole job, or one `step`, as a download. */
export const logDownloadQuerySchema = z.object({
  step: stepIdSchema.optional().describe('only this step; default: every step in order'),
  format: z.enum(LOG_FORMATS).default('ansi').describe('`ansi` keeps escape codes, `text` strips them'),
});
