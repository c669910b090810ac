import { z } from 'zod';

/**
 * Every `error.code` the API answers: lib/errors.ts's codes (each with its one HTTP status)
 * plus `internal`, the 500 that hides an unexpected failure. errors.test.ts keeps the two lists
 * equal.
 */
export const ERROR_CODES = [
  'bad_request',
  'regex_unsupported',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'line_gap',
  'job_completed',
  'too_large',
  'unsupported_media_type',
  'quota_exceeded',
  'too_many_requests',
  'unavailable',
  'internal',
] as const;
export const errorCodeSchema = z.enum(ERROR_CODES);
export type ApiErrorCode = z.infer<typeof errorCodeSchema>;

/**
 * The body of every error answer (docs/api.md "Errors"). Some errors add details beside code
 * and message: `expected` and `last` on a line gap, `last` on a malformed line (the last line
 * stored, to resume from), `maxLineBytes` on an over-long line, `limit` (the quota's name) and `max` on `quota_exceeded`.
 */
export const errorBodySchema = z.object({
  error: z
    .object({
      code: errorCodeSchema,
      message: z.string(),
      expected: z.number().int().positive().optional(),
      last: z.number().int().nonnegative().optional(),
      maxLineBytes: z.number().int().positive().optional(),
      limit: z.string().optional(),
      max: z.number().int().nonnegative().optional(),
    })
    .loose(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
