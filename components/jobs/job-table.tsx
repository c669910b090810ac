'use client';
import Link from 'next/link';
import { labelFilterSchema, type JobSummary } from '@/lib/contracts';
import { StatusBadge } from '@/components/ui/status-icon';
import { jobHref } from '@/lib/job-list/rows';
import { viewHref, withFilters, type JobListView } from '@/lib/job-list/url';
import { elapsed, formatCount, formatDuration } from '@/lib/viewer/format';

/** Labels shown per row (a job may have 32). */
const ROW_LABELS = 6;

function timeAgo(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The list's rows: a failed job links to its first error; a row's label adds itself to the filters. */
export function JobTable({ jobs, now, view }: { jobs: JobSummary[]; now: number; view: JobListView }) {
  const { before: _page, newer: _trail, ...filters } = view;
  /** a row's label as a link that adds it to the filters (when it can be one) */
  const labelHref = (key: string, value: string): string | null => {
    const label = `${key}:${value}`;
    if (!labelFilterSchema.safeParse(label).success || view.labels.includes(label)) return null;
    return viewHref(withFilters({ ...filters, labels: [...view.labels, label] }));
  };
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
          const href = jobHref(job);
          const firstError = href.includes('#') ? job.firstError : null;
          return (
            <tr key={job.id} className="border-t border-[var(--ls-border)] hover:bg-[var(--ls-raised)]" data-job={job.id} data-status={job.status}>
              <td className="px-3 py-1.5">
                <StatusBadge status={job.status} />
              </td>
              <td className="px-3 py-1.5">
                <a href={href} className="block truncate font-medium text-[var(--ls-fg-strong)] hover:text-[var(--ls-accent)]" data-job-link>
                  {job.title || job.id}
                </a>
                <span className="block truncate font-mono text-[11px] text-[var(--ls-muted)]">
                  {job.id}
                  {firstError && (
                    <>
                      {' · '}
                      <a href={href} className="text-[var(--ls-err)] underline" data-first-error>
                        first error {firstError.step}:{firstError.n}
                      </a>
                    </>
                  )}
                </span>
              </td>
              <td className="px-3 py-1.5">
                <span className="flex flex-wrap gap-1 overflow-hidden">
                  {Object.entries(job.labels)
                    .slice(0, ROW_LABELS)
                    .map(([k, v]) => {
                      const filter = labelHref(k, v);
                      const cls = 'max-w-[24ch] truncate rounded border border-[var(--ls-border)] px-1 font-mono text-[10px] text-[var(--ls-muted)]';
                      return filter ? (
                        <Link key={k} href={filter} className={`${cls} hover:border-[var(--ls-accent)] hover:text-[var(--ls-fg)]`} title={`Only jobs with ${k}=${v}`}>
                          {k}={v}
                        </Link>
                      ) : (
                        <span key={k} className={cls}>
                          {k}={v}
                        </span>
                      );
                    })}
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
