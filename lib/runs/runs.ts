import 'server-only';
import { DEFAULT_RUNS_EACH_WAY, MAX_RUNS_EACH_WAY, type JobSummary, type RunSummary, type RunsAnswer } from '../contracts';
import type { JobFilter, JobVisibility, LogStore } from '../store/types';
import { compareRuns, greenAndRed, isEarlier, pipelineKey, sameKey, type KeyedJob, type PipelineKey } from './key';

/** Jobs asked of the store per listJobs page while looking for runs. */
export const RUNS_PAGE = 50;
/**
 * Listing pages one lookup reads at most (so at most RUNS_PAGE × MAX_RUN_SCAN_PAGES summaries):
 * past it the lookup stops with what it found (runs), or finds nothing (lastGreen, firstRed).
 */
export const MAX_RUN_SCAN_PAGES = 4;

/** A run as the runs API shows it (lib/contracts/runs.ts). */
export type Run = RunSummary;

/** The runs answer (lib/contracts/runs.ts). */
export type Runs = RunsAnswer;

/** The job whose runs are looked for: its id, key and creation time. */
export interface RunsJob extends KeyedJob {
  readonly id: string;
  readonly status: JobSummary['status'];
  readonly createdAt: number;
  readonly endedAt: number | null;
}

type Visible = JobVisibility | null | undefined;

/** The listing filter that narrows the store's scan to the pipeline (exact matching is sameKey). */
function keyFilter(pipeline: PipelineKey, visible: Visible): JobFilter {
  // a title is looked up as text (then matched exactly); a job with an extra `branch` label passes
  // the default key's label filter, and sameKey drops it after the listing
  const filter: JobFilter = pipeline.source === 'title' ? { q: pipeline.key.title } : { labels: pipeline.key };
  return visible ? { ...filter, visible } : filter;
}

/**
 * The runs of `pipeline` among the jobs `filter` lists, page by page (at most MAX_RUN_SCAN_PAGES),
 * until `enough` says so. `cut` is true when the page budget ran out with pages left.
 */
async function scan(store: LogStore, pipeline: PipelineKey, filter: JobFilter, keep: (job: JobSummary) => boolean, enough: (found: number) => boolean): Promise<{ found: JobSummary[]; cut: boolean }> {
  const found: JobSummary[] = [];
  let before: string | undefined;
  for (let page = 0; page < MAX_RUN_SCAN_PAGES; page++) {
    const list = await store.listJobs({ ...filter, limit: RUNS_PAGE, ...(before !== undefined ? { before } : {}) });
    for (const job of list.jobs) if (keep(job) && sameKey(pipelineKey(job), pipeline)) found.push(job);
    if (list.next === null) return { found, cut: false };
    if (enough(found.length)) return { found, cut: false };
    before = list.next;
  }
  return { found, cut: true };
}

const asRun = (job: RunsJob | JobSummary, current: boolean): Run => ({
  id: job.id,
  title: job.title,
  status: job.status,
  createdAt: job.createdAt,
  endedAt: job.endedAt,
  current,
});

/**
 * The last successful run of `job`'s pipeline created before it, among the jobs `visible` keeps
 * (lib/access listVisibility; absent or null: all). Null when none within the scan budget.
 */
export async function lastGreenOf(store: LogStore, job: RunsJob, visible?: Visible): Promise<JobSummary | null> {
  const pipeline = pipelineKey(job);
  if (pipeline.source === 'none') return null;
  const filter: JobFilter = { ...keyFilter(pipeline, visible), status: 'success', createdBefore: job.createdAt + 1 };
  const { found } = await scan(store, pipeline, filter, (run) => isEarlier(run, job), (n) => n > 0);
  return greenAndRed(found, job).lastGreen;
}

/**
 * `lastGreenOf` by job id: null when the job does not exist. For GET …/diff's default base;
 * callers check access to `jobId` first (lib/http/access.ts openJob) and pass the reader's
 * listVisibility so a base the reader may not see is never chosen.
 */
export async function lastGreenRun(store: LogStore, jobId: string, visible?: Visible): Promise<JobSummary | null> {
  const job = await store.getJob(jobId);
  return job ? lastGreenOf(store, job, visible) : null;
}

/** The oldest failed run after `green`, up to and including `job`; null when none (or past the scan budget). */
async function firstRedSince(store: LogStore, job: RunsJob, green: JobSummary, visible: Visible): Promise<JobSummary | null> {
  const pipeline = pipelineKey(job);
  const filter: JobFilter = { ...keyFilter(pipeline, visible), status: 'failure', createdAfter: green.createdAt, createdBefore: job.createdAt + 1 };
  const { found, cut } = await scan(store, pipeline, filter, () => true, () => false);
  return cut ? null : greenAndRed([green, ...found], job).firstRedSinceGreen;
}

/**
 * The runs of `job`'s pipeline around it: up to `limit` earlier and `limit` later runs (the
 * nearest ones), the job itself marked `current`, newest first; with the last green run before
 * the job and the first red run since that green. Only jobs `visible` keeps are looked at.
 */
export async function runsOf(store: LogStore, job: RunsJob, limit: number = DEFAULT_RUNS_EACH_WAY, visible?: Visible): Promise<Runs> {
  const each = Math.max(1, Math.min(MAX_RUNS_EACH_WAY, Math.floor(limit)));
  const pipeline = pipelineKey(job);
  const self = asRun(job, true);
  if (pipeline.source === 'none') return { pipeline, runs: [self], lastGreen: null, firstRedSinceGreen: null };
  const base = keyFilter(pipeline, visible);
  const [earlier, later, green] = await Promise.all([
    scan(store, pipeline, { ...base, createdBefore: job.createdAt + 1 }, (run) => isEarlier(run, job), (n) => n >= each),
    scan(store, pipeline, { ...base, createdAfter: job.createdAt }, (run) => isEarlier(job, run), () => false),
    lastGreenOf(store, job, visible),
  ]);
  const red = green ? await firstRedSince(store, job, green, visible) : null;
  const before = earlier.found.sort(compareRuns).slice(0, each);
  const after = later.found.sort(compareRuns).slice(-each);
  return {
    pipeline,
    runs: [...after.map((run) => asRun(run, false)), self, ...before.map((run) => asRun(run, false))],
    lastGreen: green?.id ?? null,
    firstRedSinceGreen: red?.id ?? null,
  };
}
