import { z } from 'zod';
import { stepIdSchema } from './ids';

export const STEP_STATUSES = ['pending', 'running', 'success', 'failure', 'cancelled', 'skipped'] as const;
export const stepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof stepStatusSchema>;

/** A job is `running` until completed with one of the final statuses. */
export const JOB_STATUSES = ['running', 'success', 'failure', 'cancelled'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;
export const FINAL_JOB_STATUSES = ['success', 'failure', 'cancelled'] as const;
export const finalJobStatusSchema = z.enum(FINAL_JOB_STATUSES);
export type FinalJobStatus = z.infer<typeof finalJobStatusSchema>;

const MAX_NAME = 200;
const MAX_LABELS = 32;
const MAX_LABEL_KEY = 64;
const MAX_LABEL_VALUE = 256;
const MAX_STEPS = 500;

export const nameSchema = z.string().max(MAX_NAME);
export const labelsSchema = z
  .record(z.string().min(1).max(MAX_LABEL_KEY), z.string().max(MAX_LABEL_VALUE))
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`);

/**
 * Deepest group nesting, shared by server and browser: ingest ignores markers that would open
 * a deeper group (and their matching ends), and the viewer shows any deeper group in a stored
 * list as plain lines. Bounds the ingest state, recursion and indent.
 */
export const MAX_GROUP_DEPTH = 16;

/**
 * A nested group inside a step, opened and closed by in-band markers.
 * `start` is the opening marker's line; `end` the closing marker's line, or the last line of an
 * implicitly ended group, or null while the group is still open.
 */
export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  parent: z.string().nullable(),
  start: z.number().int().positive(),
  end: z.number().int().positive().nullable(),
  /** ms since the epoch, from the marker (GitLab, Buildkite) or the line's ts. */
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  /** GitLab `[collapsed=true]`: the producer asked for the group to start collapsed. */
  collapsed: z.boolean().optional(),
});
export type Group = z.infer<typeof groupSchema>;

/**
 * Which in-band group markers a step's lines use (docs/api.md "Group markers"): one dialect,
 * `none` (no groups), or `auto` (the default: the step is locked to the first dialect seen in
 * it; lib/ingest/README.md "Dialects").
 */
export const MARKER_DIALECTS = ['auto', 'none', 'github', 'gitlab', 'travis', 'buildkite'] as const;
export const markerDialectSchema = z.enum(MARKER_DIALECTS);
export type MarkerDialect = z.infer<typeof markerDialectSchema>;

/**
 * A step's error lines as recognised at ingest (lib/triage, docs/triage.md): `count` error lines
 * seen, `first` the line number of the first one (null when none is kept), `truncated` when more
 * were seen than the per-step index keeps (MAX_ERRORS_PER_STEP). Absent on StepMeta: no error
 * line seen (or the step was stored before error lines were recognised).
 */
export const stepErrorsSchema = z.object({
  count: z.number().int().nonnegative(),
  first: z.number().int().positive().nullable(),
  truncated: z.boolean(),
});
export type StepErrors = z.infer<typeof stepErrorsSchema>;

export const stepMetaSchema = z.object({
  id: stepIdSchema,
  name: z.string(),
  parent: z.string().nullable(),
  status: stepStatusSchema,
  /** ms since the epoch */
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  /** number of stored lines: the step's lines are 1..lines */
  lines: z.number().int().nonnegative(),
  /**
   * The producer's last line number, present when it differs from `lines`: the terminal screen
   * merged producer lines into fewer stored lines (a cursor moved up and rewrote). A numbered
   * producer resumes after `produced ?? lines`.
   */
  produced: z.number().int().nonnegative().optional(),
  groups: z.array(groupSchema),
  /** Internal (platform) steps are hidden by default in the viewer; set by the producer. */
  internal: z.boolean().optional(),
  /** The group-marker dialect the producer declared for the step (absent: `auto`). */
  markers: markerDialectSchema.optional(),
  /** Error lines recognised at ingest (absent: none seen); a `step` event carries every change. */
  errors: stepErrorsSchema.optional(),
});
export type StepMeta = z.infer<typeof stepMetaSchema>;

export const jobMetaSchema = z.object({
  id: z.string(),
  title: z.string(),
  labels: z.record(z.string(), z.string()),
  status: jobStatusSchema,
  createdAt: z.number(),
  endedAt: z.number().nullable(),
  /** opaque per-job cursor of the last event stored; resume the events stream after it */
  cursor: z.string(),
  steps: z.array(stepMetaSchema),
});
export type JobMeta = z.infer<typeof jobMetaSchema>;

/** Where a job's listing row links to: a line of a step (lib/triage/summary.ts firstJobError). */
export const jobErrorRefSchema = z.object({ step: stepIdSchema, n: z.number().int().positive() });
export type JobErrorRef = z.infer<typeof jobErrorRefSchema>;

export const jobSummarySchema = jobMetaSchema.omit({ steps: true, cursor: true }).extend({
  stepCount: z.number().int().nonnegative(),
  lineCount: z.number().int().nonnegative(),
  /**
   * The first error of the first failed step (in step order) that has one; for a failed job
   * without such a step, the first error of the first step with errors. Null (or absent) when none.
   */
  firstError: jobErrorRefSchema.nullable().optional(),
});
export type JobSummary = z.infer<typeof jobSummarySchema>;

export const jobListSchema = z.object({ jobs: z.array(jobSummarySchema), next: z.string().nullable() });
export type JobList = z.infer<typeof jobListSchema>;

/** Most jobs one `GET /api/v1/jobs` page returns; older ones are paged with `before`. */
export const MAX_LIST_LIMIT = 200;

/** Longest text filter (`q`) of a job listing. */
export const MAX_FILTER_TEXT = 200;
/** Label filters (`label=key:value`) one listing takes at most; they are ANDed. */
export const MAX_FILTER_LABELS = 8;
/** Largest time a listing's `createdAfter`/`createdBefore` takes: ms since the epoch (year 275760). */
export const MAX_FILTER_TIME_MS = 8_640_000_000_000_000;
/** Longest label filter: a key, the colon, a value. */
export const MAX_LABEL_FILTER_CHARS = MAX_LABEL_KEY + 1 + MAX_LABEL_VALUE;
/** Longest page cursor (`before`). */
export const MAX_LIST_CURSOR = 512;

/**
 * One label filter, `key:value`, split at the first colon (so a value may hold colons, a key
 * cannot): jobs whose label `key` is exactly `value`.
 */
export const labelFilterSchema = z
  .string()
  .max(MAX_LABEL_FILTER_CHARS)
  .regex(/^[^:]{1,64}:/, 'label is key:value (a key of 1 to 64 characters without a colon)')
  .refine((s) => s.length - s.indexOf(':') - 1 <= MAX_LABEL_VALUE, `a label value is at most ${MAX_LABEL_VALUE} characters`);

/** `key:value` filters as a record; two different values for one key are refused. */
export function labelFilters(filters: readonly string[]): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const filter of filters) {
    const at = filter.indexOf(':');
    const key = filter.slice(0, at);
    const value = filter.slice(at + 1);
    if (Object.hasOwn(labels, key) && labels[key] !== value) return { error: `label ${key} is given twice with different values` };
    labels[key] = value;
  }
  return { labels: { ...labels } };
}

const filterTimeSchema = z.coerce.number().int().min(0).max(MAX_FILTER_TIME_MS);

/**
 * The filters of a job listing, shared by `GET /api/v1/jobs` and the list's event stream
 * (`GET /api/v1/joblist/events`). `label` may repeat (`?label=a:1&label=b:2`: both).
 */
export const jobFilterQueryShape = {
  status: jobStatusSchema.optional().describe('only jobs with this status'),
  q: z.string().max(MAX_FILTER_TEXT).optional().describe('case-insensitive substring of the id, the title or a label value'),
  label: z
    .array(labelFilterSchema)
    .max(MAX_FILTER_LABELS, `at most ${MAX_FILTER_LABELS} label filters`)
    .optional()
    .describe('`key:value` (repeatable, ANDed): only jobs whose label `key` is exactly `value`'),
  createdAfter: filterTimeSchema.optional().describe('ms since the epoch: only jobs created at or after it'),
  createdBefore: filterTimeSchema.optional().describe('ms since the epoch: only jobs created before it'),
};

/** Query of `GET /api/v1/jobs`. `before` is the `next` of the previous page. */
export const listJobsQuerySchema = z.object({
  ...jobFilterQueryShape,
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(50).describe('jobs on this page'),
  before: z.string().max(MAX_LIST_CURSOR).optional().describe('the `next` of the previous page'),
});
export type ListJobsQueryInput = z.infer<typeof listJobsQuerySchema>;

// ---- write-side request bodies ----

export const stepDeclSchema = z.object({
  id: stepIdSchema,
  name: nameSchema.optional(),
  parent: stepIdSchema.nullable().optional(),
  internal: z.boolean().optional(),
  markers: markerDialectSchema.optional(),
});

export const putJobBodySchema = z
  .object({
    title: nameSchema.optional(),
    labels: labelsSchema.optional(),
    steps: z.array(stepDeclSchema).max(MAX_STEPS).optional(),
  })
  .strict();
export type PutJobBody = z.infer<typeof putJobBodySchema>;

export const putStepBodySchema = z
  .object({
    name: nameSchema.optional(),
    parent: stepIdSchema.nullable().optional(),
    status: stepStatusSchema.optional(),
    internal: z.boolean().optional(),
    markers: markerDialectSchema.optional(),
  })
  .strict();
export type PutStepBody = z.infer<typeof putStepBodySchema>;

export const completeBodySchema = z.object({ status: finalJobStatusSchema }).strict();

// ---- write-side answers ----

/** `PUT /api/v1/jobs/{job}` that created the job: its write token is shown this once. */
export const jobCreatedSchema = z.object({ job: jobMetaSchema, writeToken: z.string().min(1) });
/** `POST /jobs/{job}/token`: the job's new write token (the previous one no longer works). */
export const writeTokenAnswerSchema = z.object({ writeToken: z.string().min(1) });
/** `PUT /api/v1/jobs/{job}` that updated it, and `POST /api/v1/jobs/{job}/complete`. */
export const jobAnswerSchema = z.object({ job: jobMetaSchema });
/** `GET` and `PUT /api/v1/jobs/{job}/steps/{step}`. */
export const stepAnswerSchema = z.object({ step: stepMetaSchema });
