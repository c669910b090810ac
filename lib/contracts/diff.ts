import { z } from 'zod';
import { DEFAULT_HUNKS_PER_PAGE, HUNK_KINDS, MAX_HUNKS_PER_PAGE, NORMALISE_RULE_IDS, type NormaliseRuleId } from './diff-names';
import { jobIdSchema, stepIdSchema } from './ids';

/**
 * `GET /api/v1/jobs/{job}/diff` (docs/api.md "Diff"): a step's log compared with the same step
 * of another run, after normalisation (docs/diff.md), as pages of hunks; without `step`, one
 * summary row per step. A diff is computed off the request thread and cached: while it is
 * being computed the answer is a 202 `DiffComputing` with `Retry-After`.
 */

/** Longest `normalise` value: every rule id, comma-separated, with room to spare. */
const MAX_NORMALISE_CHARS = 512;

/**
 * `normalise`: `all` (the default), `none` (raw visible text), or a comma-separated list of
 * rule ids (docs/diff.md "Normalisation"), applied in the rules' fixed order.
 */
export const normaliseParamSchema = z
  .string()
  .max(MAX_NORMALISE_CHARS)
  .transform((value, ctx): NormaliseRuleId[] => {
    const trimmed = value.trim();
    if (trimmed === '' || trimmed === 'all') return [...NORMALISE_RULE_IDS];
    if (trimmed === 'none') return [];
    const ids: NormaliseRuleId[] = [];
    for (const part of trimmed.split(',')) {
      const id = NORMALISE_RULE_IDS.find((rule) => rule === part.trim());
      if (!id) {
        ctx.addIssue({ code: 'custom', message: `unknown rule ${JSON.stringify(part.trim().slice(0, 40))}: all, none, or a list of ${NORMALISE_RULE_IDS.join(', ')}` });
        return z.NEVER;
      }
      if (!ids.includes(id)) ids.push(id);
    }
    return NORMALISE_RULE_IDS.filter((id) => ids.includes(id));
  });

export const diffQuerySchema = z.object({
  base: jobIdSchema.optional().describe('the job (run) to compare with; required until the last green run can be looked up'),
  step: stepIdSchema.optional().describe('the step to compare (matched in `base` by id, then by name); absent: one summary row per step'),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).describe('index of the first hunk of the page (the `next` of the previous page)'),
  limit: z.coerce.number().int().min(1).max(MAX_HUNKS_PER_PAGE).default(DEFAULT_HUNKS_PER_PAGE).describe('hunks on the page'),
  normalise: normaliseParamSchema.prefault('all').describe('`all`, `none`, or comma-separated rule ids (docs/diff.md)'),
});
export type DiffQuery = z.infer<typeof diffQuerySchema>;

/** One hunk: lines `baseFrom ≤ n < baseTo` of the base step and `headFrom ≤ n < headTo` of the job's step (1-based, the store's numbers). */
export const diffHunkSchema = z.object({
  kind: z.enum(HUNK_KINDS),
  baseFrom: z.number().int().positive(),
  baseTo: z.number().int().positive(),
  headFrom: z.number().int().positive(),
  headTo: z.number().int().positive(),
});

export const diffSummarySchema = z.object({
  counts: z.object({ added: z.number().int().nonnegative(), removed: z.number().int().nonnegative(), unchanged: z.number().int().nonnegative() }),
  /** lines compared on each side (a live step: its count when the diff started) */
  baseLines: z.number().int().nonnegative(),
  headLines: z.number().int().nonnegative(),
  hunks: z.number().int().nonnegative(),
  /** a side longer than MAX_DIFF_LINES was compared on its first lines only */
  truncated: z.object({ base: z.boolean(), head: z.boolean() }),
  /** regions too different to align within the work budget, reported whole as `changed` */
  replacedRegions: z.number().int().nonnegative(),
});

/** A normalisation rule as the reply names it (its full description is in docs/diff.md and NORMALISE_RULES). */
export const diffRuleSchema = z.object({ id: z.string(), title: z.string() });

/** 200 with `step`: the diff of one step, a page of its hunks. */
export const stepDiffSchema = z.object({
  job: jobIdSchema,
  base: jobIdSchema,
  step: z.object({ head: stepIdSchema, base: stepIdSchema }),
  summary: diffSummarySchema,
  hunks: z.array(diffHunkSchema),
  offset: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  next: z.number().int().positive().nullable(),
  rules: z.array(diffRuleSchema),
  /**
   * True when both jobs have ended and the diff covers every line of both steps: it will not
   * change. False for a live job (ask again: the diff grows) and for a diff older than the
   * step's lines (a newer one is being computed).
   */
  complete: z.boolean(),
});
export type StepDiff = z.infer<typeof stepDiffSchema>;

export const DIFF_STEP_STATUSES = ['differs', 'equal', 'computing', 'pending', 'unmatched'] as const;

/**
 * One row of the per-step summary. `differs`/`equal`: the step's diff is known (`added`,
 * `removed`, `unchanged` and `addedErrors` set); `computing`: its diff is being computed;
 * `pending`: not started yet (the diff queue is full: ask again); `unmatched`: a step of one
 * run only (`baseStep` null: only in the job, every line and error line counted as added;
 * `step` null: only in `base`).
 */
export const diffStepRowSchema = z.object({
  step: stepIdSchema.nullable(),
  baseStep: stepIdSchema.nullable(),
  name: z.string(),
  status: z.enum(DIFF_STEP_STATUSES),
  added: z.number().int().nonnegative().nullable(),
  removed: z.number().int().nonnegative().nullable(),
  unchanged: z.number().int().nonnegative().nullable(),
  /** error lines of the job's step (its error index, docs/triage.md) inside `added` or `changed` hunks; null while unknown */
  addedErrors: z.number().int().nonnegative().nullable(),
  /** error lines of the job's step (StepMeta.errors.count; 0 without any) */
  errors: z.number().int().nonnegative(),
});
export type DiffStepRow = z.infer<typeof diffStepRowSchema>;

/** 200 without `step`: one row per step, the steps that differ (and the job's unmatched ones) first, each group in job order. */
export const diffStepsSchema = z.object({
  job: jobIdSchema,
  base: jobIdSchema,
  steps: z.array(diffStepRowSchema),
  rules: z.array(diffRuleSchema),
  /** every row is known (of every line of its steps) and both jobs have ended */
  complete: z.boolean(),
});
export type DiffSteps = z.infer<typeof diffStepsSchema>;

/** 202: the diff is being computed (or waits for a worker); ask again after `Retry-After` seconds. */
export const diffComputingSchema = z.object({
  status: z.literal('computing'),
  job: jobIdSchema,
  base: jobIdSchema,
  step: z.object({ head: stepIdSchema, base: stepIdSchema }),
  progress: z.object({
    /** `queued` (waiting for a worker), `reading` (lines sent to the worker so far) or `aligning` */
    phase: z.enum(['queued', 'reading', 'aligning']),
    lines: z.number().int().nonnegative(),
    /** lines of both steps together */
    total: z.number().int().nonnegative(),
  }),
});
export type DiffComputing = z.infer<typeof diffComputingSchema>;
