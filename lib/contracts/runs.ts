import { z } from 'zod';
import { jobStatusSchema } from './job';

/**
 * `GET /api/v1/jobs/{job}/runs` (docs/api.md "Runs", docs/runs.md): the runs of the job's
 * pipeline around it, with the last green run and the first red run since it.
 */

/** Most runs answered on each side of the job (earlier, later). */
export const MAX_RUNS_EACH_WAY = 50;
/** Runs on each side when `limit` is not given. */
export const DEFAULT_RUNS_EACH_WAY = 20;

export const runsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_RUNS_EACH_WAY).default(DEFAULT_RUNS_EACH_WAY).describe('runs at most on each side of the job (the nearest ones)'),
});
export type RunsQuery = z.infer<typeof runsQuerySchema>;

export const PIPELINE_SOURCES = ['label', 'labels', 'title', 'none'] as const;

export const runSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: jobStatusSchema,
  createdAt: z.number(),
  endedAt: z.number().nullable(),
  /** this run is the job the runs were asked for */
  current: z.boolean(),
});
export type RunSummary = z.infer<typeof runSchema>;

export const runsAnswerSchema = z.object({
  pipeline: z.object({
    /** where the key comes from: the `pipeline` label, `repo`+`workflow`(+`branch`) labels, the title, or none (the job is its only run) */
    source: z.enum(PIPELINE_SOURCES),
    key: z.record(z.string(), z.string()),
  }),
  /** later runs, the job itself (`current`), earlier runs: newest first */
  runs: z.array(runSchema),
  /** the newest successful run created before the job, or null */
  lastGreen: z.string().nullable(),
  /** the oldest failed run after lastGreen, up to and including the job, or null */
  firstRedSinceGreen: z.string().nullable(),
});
export type RunsAnswer = z.infer<typeof runsAnswerSchema>;
