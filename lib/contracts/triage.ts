import { z } from 'zod';
import { stepIdSchema } from './ids';

/**
 * `GET /api/v1/jobs/{job}/steps/{step}/errors` (docs/api.md "Errors"): a step's error lines from
 * its error index (lib/triage, built at ingest), in pages.
 */

/** Most error lines one page holds (the default page). */
export const MAX_ERRORS_PAGE = 1000;

/** Longest rule id answered (ids are lib/triage RULE_IDS; new rules may be added). */
const MAX_RULE_CHARS = 32;

/** Query: the errors after line `after`, at most `limit` of them. */
export const stepErrorsQuerySchema = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).describe('only error lines with n > after (the `next` of the previous page)'),
  limit: z.coerce.number().int().min(1).max(MAX_ERRORS_PAGE).default(MAX_ERRORS_PAGE).describe('error lines at most'),
});
export type StepErrorsQuery = z.infer<typeof stepErrorsQuerySchema>;

/** One error line: its number and the rule that named it (docs/triage.md "The rules"). */
export const stepErrorSchema = z.object({ n: z.number().int().positive(), rule: z.string().max(MAX_RULE_CHARS) });
export type StepError = z.infer<typeof stepErrorSchema>;

export const stepErrorsPageSchema = z.object({
  step: stepIdSchema,
  /** error lines seen in the step (kept or not) */
  count: z.number().int().nonnegative(),
  /** more error lines were seen than the index keeps (MAX_ERRORS_PER_STEP): the later ones are only counted */
  truncated: z.boolean(),
  /** kept error lines with n > after, ascending, at most `limit` */
  errors: z.array(stepErrorSchema),
  /** the `after` of the next page, or null when this page holds the last kept error line */
  next: z.number().int().positive().nullable(),
});
export type StepErrorsPage = z.infer<typeof stepErrorsPageSchema>;
