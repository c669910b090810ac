import 'server-only';
import type { JobStatus } from '../contracts';
import type { JobFilter } from './types';
import { isVisible } from './visibility';

/** What a listing filter looks at: a job summary or record has it all. */
export interface FilterableJob {
  id: string;
  title: string;
  labels: Readonly<Record<string, string>>;
  status: JobStatus;
  createdAt: number;
}

/**
 * Whether a job passes a listing's filter (types.ts JobFilter), for the backends that filter in
 * memory (file, NATS) and for the job list's live stream (lib/live/job-list-feed.ts);
 * PostgreSQL applies the same rule in SQL (postgres/jobs.ts). `needle` is `filter.q` lower-cased
 * (callers lower-case it once per listing, not once per job).
 */
export function matchesFilter(job: FilterableJob, filter: JobFilter, needle: string | null = lowerNeedle(filter)): boolean {
  if (filter.status !== undefined && job.status !== filter.status) return false;
  if (filter.createdAfter !== undefined && job.createdAt < filter.createdAfter) return false;
  if (filter.createdBefore !== undefined && job.createdAt >= filter.createdBefore) return false;
  if (!isVisible(filter.visible, job)) return false;
  if (filter.labels !== undefined && !isVisible({ labels: filter.labels }, job)) return false;
  if (needle === null) return true;
  if (job.id.toLowerCase().includes(needle) || job.title.toLowerCase().includes(needle)) return true;
  return Object.values(job.labels).some((value) => value.toLowerCase().includes(needle));
}

/** The filter's text lower-cased, or null when it has none. */
export function lowerNeedle(filter: JobFilter): string | null {
  return filter.q ? filter.q.toLowerCase() : null;
}
