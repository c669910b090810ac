'use client';
import { useQuery } from '@tanstack/react-query';
import { fetchJobList } from '@/lib/client/api';
import { StatusBadge } from '@/components/ui/status-icon';
import { useNow } from '@/components/ui/use-now';
import { elapsed, formatCount, formatDuration } from '@/lib/viewer/format';
import { sortJobs } from './sort-jobs';

/** The list refreshes this often, so new and finished jobs show up without a reload. */
const REFRESH_MS = 3000;
const LIST_LIMIT = 100;

function timeAgo(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Jobs, live ones first, with status, live-updating duration and step/line counts. */
export function JobList({ apiBase = '/api/v1' }: { apiBase?: string }) {
  const query = useQuery({
    queryKey: ['logscope', apiBase, 'jobs'],
    queryFn: ({ signal }) => fetchJobList(apiBase, LIST_LIMIT, signal),
    refetchInterval: REFRESH_MS,
  });
  const jobs = query.data ? sortJobs(query.data.jobs) : [];
  const now = useNow(jobs.some((j) => j.status === 'running'));

  if (query.isError) return <p className="p-4 text-red-400" role="alert">Could not load jobs: {query.error.message}</p>;
  if (!query.data) return <p className="p-4 text-[var(--ls-muted)]">Loading jobs…</p>;
  if (jobs.length === 0) {
    return (
      <p className="p-4 text-[var(--ls-muted)]">
        No jobs yet. Push one with <code className="font-mono text-[var(--ls-fg)]">logscope run -- make</code>.
      </p>
    );
  }
  return (
    <table className="w-full table-fixed border-collapse text-left text-[12px]" aria-label="Jobs">
      <thead className="sticky top-0 bg-[var(--ls-bg-alt)] text-[10px] uppercase tracking-wider text-[var(--ls-muted)]">
        <tr>
          <th className="w-24 px-3 py-1.5 font-medium">Status</th>
          <th className="px-3 py-1.5 font-medium">Job</th>
          <th className="w-[32%] px-3 py-1.5 font-medium">Labels</th>
          <th className="w-24 px-3 py-1.5 text-right font-medium">Duration</th>
          <th className="w-16 px-3 py-1.5 text-right font-medium">Steps</th>
          <th className="w-24 px-3 py-1.5 text-right font-medium">Lines</th>
          <th className="w-24 px-3 py-1.5 text-right font-medium">Started</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => {
          const took = elapsed(job.createdAt, job.endedAt, now);
          return (
            <tr key={job.id} className="border-t border-[var(--ls-border)] hover:bg-[var(--ls-raised)]" data-job={job.id}>
              <td className="px-3 py-1.5">
                <StatusBadge status={job.status} />
              </td>
              <td className="px-3 py-1.5">
                <a href={`/jobs/${encodeURIComponent(job.id)}`} className="block truncate font-medium text-[var(--ls-fg-strong)] hover:text-[var(--ls-accent)]">
                  {job.title || job.id}
                </a>
                <span className="block truncate font-mono text-[11px] text-[var(--ls-muted)]">{job.id}</span>
              </td>
              <td className="px-3 py-1.5">
                <span className="flex flex-wrap gap-1 overflow-hidden">
                  {Object.entries(job.labels)
                    .slice(0, 6)
                    .map(([k, v]) => (
                      <span key={k} className="max-w-[24ch] truncate rounded border border-[var(--ls-border)] px-1 font-mono text-[10px] text-[var(--ls-muted)]">
                        {k}={v}
                      </span>
                    ))}
                </span>
              </td>
              <td className="px-3 py-1.5 text-right font-mono tabular-nums" data-duration>
                {took !== null ? formatDuration(took) : ''}
              </td>
              <td className="px-3 py-1.5 text-right font-mono tabular-nums">{job.stepCount}</td>
              <td className="px-3 py-1.5 text-right font-mono tabular-nums">{formatCount(job.lineCount)}</td>
              <td className="px-3 py-1.5 text-right text-[var(--ls-muted)]">{timeAgo(job.createdAt, now)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
