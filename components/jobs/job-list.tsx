'use client';
import Link from 'next/link';
import { useNow } from '@/components/ui/use-now';
import { isFiltered, newerView, olderView, streamQuery, viewHref, type JobListView } from '@/lib/job-list/url';
import { JobFilters } from './job-filters';
import { JobTable } from './job-table';
import { sortJobs } from './sort-jobs';
import { useJobListStream, type ListStreamState } from './use-job-list-stream';

const STATE_TEXT: Record<ListStreamState, string> = {
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
  failed: 'Stopped',
};

/**
 * Jobs, live ones first, with status, live-updating duration and step/line counts; live over
 * one event stream (no polling), filtered and paged by the URL (lib/job-list/url.ts).
 */
export function JobList({ view, apiBase = '/api/v1' }: { view: JobListView; apiBase?: string }) {
  const { rows, state, error } = useJobListStream(apiBase, streamQuery(view));
  const jobs = rows ? sortJobs(rows.jobs) : [];
  const now = useNow(jobs.some((j) => j.status === 'running'));
  const newer = newerView(view);
  const next = rows?.next ?? null;

  let body;
  if (error) body = <p className="p-4 text-[var(--ls-err)]" role="alert">Could not load jobs: {error}</p>;
  else if (!rows) body = <p className="p-4 text-[var(--ls-muted)]">Loading jobs…</p>;
  else if (jobs.length === 0) body = <EmptyList view={view} />;
  else body = <JobTable jobs={jobs} now={now} view={view} />;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <JobFilters view={view} />
      <div className="flex items-center gap-3 px-3 py-1 text-xs text-[var(--ls-muted)]">
        <span data-testid="list-state" data-state={state} aria-live="polite">
          {STATE_TEXT[state]}
        </span>
        <nav aria-label="Pages" className="ml-auto flex items-center gap-2">
          {newer && (
            <Link href={viewHref(newer)} className="hover:text-[var(--ls-fg)]" rel="prev">
              ← Newer
            </Link>
          )}
          {next !== null && (
            <Link href={viewHref(olderView(view, next))} className="hover:text-[var(--ls-fg)]" rel="next">
              Older →
            </Link>
          )}
        </nav>
      </div>
      <div className="min-h-0 flex-1 overflow-auto">{body}</div>
    </div>
  );
}

function EmptyList({ view }: { view: JobListView }) {
  if (view.before !== undefined || isFiltered(view)) {
    return <p className="p-4 text-[var(--ls-muted)]">No jobs match.</p>;
  }
  return (
    <p className="p-4 text-[var(--ls-muted)]">
      No jobs yet. Push one with <code className="font-mono text-[var(--ls-fg)]">logscope run -- make</code>.
    </p>
  );
}
