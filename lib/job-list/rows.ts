import type { JobList, JobSummary } from '../contracts';

/**
 * The rows a job list shows, from its stream's events (lib/contracts/job-list.ts): `page`
 * replaces them, `upsert` replaces a row or adds one, `remove` drops one. `next` stays the
 * page's own cursor (rows added live are newer than the page's last job, so *Older* still
 * starts right after it).
 */
export interface ListRows {
  jobs: JobSummary[];
  next: string | null;
}

export type ListEvent = { type: 'clear' } | { type: 'page'; page: JobList } | { type: 'upsert'; job: JobSummary } | { type: 'remove'; id: string };

export function applyListEvent(rows: ListRows | null, event: ListEvent): ListRows | null {
  switch (event.type) {
    case 'clear':
      return null;
    case 'page':
      return { jobs: event.page.jobs, next: event.page.next };
    case 'upsert': {
      if (!rows) return rows;
      const at = rows.jobs.findIndex((job) => job.id === event.job.id);
      const jobs = at < 0 ? [event.job, ...rows.jobs] : rows.jobs.map((job, i) => (i === at ? event.job : job));
      return { ...rows, jobs };
    }
    case 'remove': {
      if (!rows || !rows.jobs.some((job) => job.id === event.id)) return rows;
      return { ...rows, jobs: rows.jobs.filter((job) => job.id !== event.id) };
    }
  }
}

/**
 * Where a row links: a failed job with a known first error to that line (`/jobs/{job}#{step}:{n}`,
 * the viewer's deep link), any other job to its page.
 */
export function jobHref(job: Pick<JobSummary, 'id' | 'status' | 'firstError'>): string {
  const base = `/jobs/${encodeURIComponent(job.id)}`;
  const error = job.status === 'failure' ? job.firstError : null;
  return error ? `${base}#${encodeURIComponent(error.step)}:${error.n}` : base;
}
