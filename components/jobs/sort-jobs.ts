import type { JobSummary } from '@/lib/contracts';

/** Live jobs first, then newest first (ties broken by id so the order is stable). */
export function sortJobs(jobs: readonly JobSummary[]): JobSummary[] {
  return [...jobs].sort((a, b) => {
    const live = Number(b.status === 'running') - Number(a.status === 'running');
    return live || b.createdAt - a.createdAt || a.id.localeCompare(b.id);
  });
}
