import type { PIPELINE_SOURCES } from '../contracts/runs';

/**
 * Which pipeline a job is a run of (docs/runs.md "The pipeline key"). Pure: used by the server
 * (lib/runs/runs.ts) and by tests.
 *
 * A job's pipeline key is, in this order:
 * 1. its `pipeline` label, when it has one: `{pipeline: "<value>"}` (a job declares its pipeline);
 * 2. its `repo` and `workflow` labels, plus `branch` when it has one: `{repo, workflow[, branch]}`;
 * 3. its title, when not empty: `{title: "<title>"}`;
 * 4. none: the job is a pipeline of its own (its only run is itself).
 * Two jobs are runs of the same pipeline when their keys are equal (same source, same entries):
 * a job with a `branch` label is not a run of a pipeline keyed without one.
 */

export const PIPELINE_LABEL = 'pipeline';
/** The labels of the default key, in order; the last one is optional. */
export const PIPELINE_DEFAULT_LABELS = ['repo', 'workflow'] as const;
export const PIPELINE_OPTIONAL_LABEL = 'branch';

/** 'label' | 'labels' | 'title' | 'none' (lib/contracts/runs.ts) */
export type PipelineSource = (typeof PIPELINE_SOURCES)[number];

export interface PipelineKey {
  /** where the key comes from: the `pipeline` label, `repo`+`workflow`(+`branch`), the title, or none */
  source: PipelineSource;
  /** the entries of the key (empty for `none`) */
  key: Record<string, string>;
}

/** Just enough of a job to key it. */
export interface KeyedJob {
  readonly title: string;
  readonly labels: Readonly<Record<string, string>>;
}

function label(job: KeyedJob, key: string): string | undefined {
  return Object.hasOwn(job.labels, key) ? job.labels[key] : undefined;
}

export function pipelineKey(job: KeyedJob): PipelineKey {
  const declared = label(job, PIPELINE_LABEL);
  if (declared !== undefined && declared !== '') return { source: 'label', key: { [PIPELINE_LABEL]: declared } };
  const [repoKey, workflowKey] = PIPELINE_DEFAULT_LABELS;
  const repo = label(job, repoKey);
  const workflow = label(job, workflowKey);
  if (repo && workflow) {
    const branch = label(job, PIPELINE_OPTIONAL_LABEL);
    return { source: 'labels', key: { [repoKey]: repo, [workflowKey]: workflow, ...(branch ? { [PIPELINE_OPTIONAL_LABEL]: branch } : {}) } };
  }
  if (job.title !== '') return { source: 'title', key: { title: job.title } };
  return { source: 'none', key: {} };
}

export function sameKey(a: PipelineKey, b: PipelineKey): boolean {
  if (a.source !== b.source || a.source === 'none') return false;
  const ka = Object.keys(a.key);
  if (ka.length !== Object.keys(b.key).length) return false;
  return ka.every((k) => Object.hasOwn(b.key, k) && b.key[k] === a.key[k]);
}

/** Runs' order: newest first, createdAt descending then id descending (the file store's listing order). */
export function compareRuns(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Whether run `a` came before run `b` (in the order above). */
export function isEarlier(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): boolean {
  return compareRuns(a, b) > 0;
}

export interface RunLike {
  id: string;
  status: string;
  createdAt: number;
}

/**
 * Given the runs of one pipeline (any order) and the job, the last green run (newest `success`
 * created before the job) and the first red since it (oldest `failure` after that green, up to
 * and including the job). Both are null when not found among `runs`.
 */
export function greenAndRed<R extends RunLike>(runs: readonly R[], job: { id: string; createdAt: number }): { lastGreen: R | null; firstRedSinceGreen: R | null } {
  const sorted = [...runs].sort(compareRuns);
  const lastGreen = sorted.find((run) => run.status === 'success' && isEarlier(run, job)) ?? null;
  if (!lastGreen) return { lastGreen, firstRedSinceGreen: null };
  let firstRed: R | null = null;
  for (const run of sorted) {
    if (!isEarlier(lastGreen, run)) break;
    if (run.status === 'failure' && (run.id === job.id || isEarlier(run, job))) firstRed = run;
  }
  return { lastGreen, firstRedSinceGreen: firstRed };
}
