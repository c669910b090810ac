import { z } from 'zod';
import { stepIdSchema } from './ids';

/** A signed link lives at most this long (30 days): a leaked link stops working by itself. */
export const MAX_LINK_TTL_SECONDS = 30 * 24 * 3600;
/** Life of a link minted without an explicit one (24 hours). */
export const DEFAULT_LINK_TTL_SECONDS = 24 * 3600;

/** `POST /api/v1/jobs/{job}/links`: a link to the whole job, or to one step of it. */
export const createLinkBodySchema = z
  .object({
    step: stepIdSchema.optional().describe('only this step (the link then reads that step alone)'),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_LINK_TTL_SECONDS)
      .default(DEFAULT_LINK_TTL_SECONDS)
      .describe(`seconds the link lives, at most ${MAX_LINK_TTL_SECONDS} (default ${DEFAULT_LINK_TTL_SECONDS})`),
  })
  .strict();
export type CreateLinkBody = z.infer<typeof createLinkBodySchema>;

/** The minted link: its token (for `?access=` or Bearer), the page URL carrying it, and when it expires. */
export const linkAnswerSchema = z.object({
  token: z.string(),
  url: z.string(),
  /** ms since the epoch */
  expiresAt: z.number().int(),
});
export type LinkAnswer = z.infer<typeof linkAnswerSchema>;

/** `POST /api/v1/session` (JSON, or an HTML form's fields): a read or admin key, for a browser session. */
export const createSessionBodySchema = z.object({ key: z.string().min(1).max(512) }).strict();

/** The session a key opened: which key, and until when (ms since the epoch). */
export const sessionAnswerSchema = z.object({ key: z.string(), kind: z.enum(['read', 'admin']), expiresAt: z.number().int() });
export type SessionAnswer = z.infer<typeof sessionAnswerSchema>;
