import type { JobList, JobSummary } from '../../contracts';
import { badRequest } from '../../errors';
import type { ListJobsQuery } from '../types';
import { assertJobId } from './paths';

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

function matches(job: JobSummary, query: ListJobsQuery, needle: string | null): boolean {
  if (query.status && job.status !== query.status) return false;
  if (needle === null) return true;
  if (job.id.toLowerCase().includes(needle) || job.title.toLowerCase().includes(needle)) return true;
  return Object.values(job.labels).some((value) => value.toLowerCase().includes(needle));
}

/**
 * Filters, sorts and pages summaries in memory. The file store keeps one summary per job
 * (tens of bytes plus labels), so thousands of jobs cost a sort of thousands of small objects.
 */
export function pageJobs(all: Iterable<JobSummary>, query: ListJobsQuery): JobList {
  const limit = Math.max(1, Math.min(MAX_LIST_LIMIT, Math.floor(query.limit) || 1));
  const needle = query.q ? query.q.toLowerCase() : null;
  const cut = query.before === undefined ? null : decodeBefore(query.before);
  const selected: JobSummary[] = [];
  for (const job of all) {
    if (!matches(job, query, needle)) continue;
    if (cut && (job.createdAt > cut.createdAt || (job.createdAt === cut.createdAt && job.id >= cut.id))) continue;
    selected.push(job);
  }
  selected.sort(compare);
  const page = selected.slice(0, limit);
  const last = page[page.length - 1];
  return { jobs: page, next: selected.length > limit && last ? encodeBefore(last) : null };
}
