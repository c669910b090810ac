import 'server-only';
import { readFile, readdir } from 'node:fs/promises';
import { isJobId, type JobList, type JobSummary } from '../../contracts';
import { badRequest } from '../../errors';
import type { JobSize, ListJobsQuery } from '../types';
import { lowerNeedle, matchesFilter } from '../list-filter';
import { isErrno } from './fs-util';
import { metaFileSchema, summarize } from './job-state';
import { assertJobId, type StorePaths } from './paths';

/** meta.json files read at once while scanning the jobs directory. */
const SCAN_CONCURRENCY = 16;

/**
 * Summaries of every job on disk, from their meta.json checkpoints (read once per process;
 * jobs opened since are summarised from memory). A directory without a valid meta.json is an
 * interrupted create, not a job. Line counts of a job that crashed after its last checkpoint
 * lag until the job is opened again.
 */
export async function scanJobs(paths: StorePaths): Promise<Map<string, JobSummary>> {
  const ids = (await readdir(paths.jobsDir)).filter(isJobId);
  const found = new Map<string, JobSummary>();
  for (let i = 0; i < ids.length; i += SCAN_CONCURRENCY) {
    await Promise.all(
      ids.slice(i, i + SCAN_CONCURRENCY).map(async (id) => {
        let raw: string;
        try {
          raw = await readFile(paths.meta(id), 'utf8');
        } catch (error) {
          if (isErrno(error, 'ENOENT')) return;
          throw error;
        }
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          return;
        }
        const meta = metaFileSchema.safeParse(json);
        if (meta.success) found.set(id, summarize(meta.data));
      }),
    );
  }
  return found;
}

/**
 * Sizes and ages of the jobs on disk that are not in `skip` (loaded jobs are sized from
 * memory), from their meta.json checkpoints: a completed job's checkpoint is exact (complete
 * writes one); a running job's may lag by the appends since its last checkpoint.
 */
export async function scanSizes(paths: StorePaths, skip: ReadonlySet<string>): Promise<JobSize[]> {
  const ids = (await readdir(paths.jobsDir)).filter((id) => isJobId(id) && !skip.has(id));
  const found: JobSize[] = [];
  for (let i = 0; i < ids.length; i += SCAN_CONCURRENCY) {
    await Promise.all(
      ids.slice(i, i + SCAN_CONCURRENCY).map(async (id) => {
        let json: unknown;
        try {
          json = JSON.parse(await readFile(paths.meta(id), 'utf8'));
        } catch {
          return; // being created or deleted, or never completed its create
        }
        const meta = metaFileSchema.safeParse(json);
        if (!meta.success) return;
        const { labels, status, createdAt, endedAt, bytes } = meta.data;
        found.push({ id, labels, status, createdAt, endedAt, bytes: bytes ?? 0 });
      }),
    );
  }
  return found;
}

/** Page sizes beyond this are clamped: a page is rendered as one list. */
export const MAX_LIST_LIMIT = 500;

/** Newest first: createdAt descending, then id descending, so the order is total and stable. */
function compare(a: JobSummary, b: JobSummary): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function encodeBefore(job: JobSummary): string {
  return `${job.createdAt}~${job.id}`;
}

function decodeBefore(before: string): { createdAt: number; id: string } {
  const match = /^(0|[1-9][0-9]{0,15})~(.+)$/.exec(before);
  const id = match?.[2];
  if (!match || id === undefined) throw badRequest('invalid before');
  assertJobId(id);
  return { createdAt: Number(match[1]), id };
}

/**
 * Filters, sorts and pages summaries in memory. The file store keeps one summary per job
 * (tens of bytes plus labels), so thousands of jobs cost a sort of thousands of small objects.
 */
export function pageJobs(all: Iterable<JobSummary>, query: ListJobsQuery): JobList {
  const limit = Math.max(1, Math.min(MAX_LIST_LIMIT, Math.floor(query.limit) || 1));
  const needle = lowerNeedle(query);
  const cut = query.before === undefined ? null : decodeBefore(query.before);
  const selected: JobSummary[] = [];
  for (const job of all) {
    if (!matchesFilter(job, query, needle)) continue;
    if (cut && (job.createdAt > cut.createdAt || (job.createdAt === cut.createdAt && job.id >= cut.id))) continue;
    selected.push(job);
  }
  selected.sort(compare);
  const page = selected.slice(0, limit);
  const last = page[page.length - 1];
  return { jobs: page, next: selected.length > limit && last ? encodeBefore(last) : null };
}
