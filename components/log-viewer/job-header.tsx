import type { JobMeta } from '@/lib/contracts';
import { StatusBadge } from '@/components/ui/status-icon';
import { elapsed, formatCount, formatDuration } from '@/lib/viewer/format';
import { StreamIndicator } from './stream-indicator';
import type { StreamState } from './use-live-stream';

/** Title, status, live indicator and labels of a job. Every server string is React text. */
export function JobHeader(props: { job: JobMeta; stream: StreamState; now: number; jobHref: string | null; stepName?: string }) {
  const { job, stream, now, jobHref, stepName } = props;
  const took = elapsed(job.createdAt, job.endedAt, now);
  const lines = job.steps.reduce((sum, s) => sum + s.lines, 0);
  const labels = Object.entries(job.labels);
  return (
    <header className="ls-job-header">
      <div className="ls-job-title-row flex min-w-0 items-center gap-2">
        <StatusBadge status={job.status} />
        <h1 className="ls-job-title truncate text-sm font-semibold text-[var(--ls-fg-strong)]" data-testid="job-title">
          {jobHref ? (
            <a href={jobHref} className="hover:underline">
              {job.title || job.id}
            </a>
          ) : (
            job.title || job.id
          )}
          {stepName !== undefined && <span className="font-normal text-[var(--ls-muted)]"> / {stepName}</span>}
        </h1>
        <StreamIndicator state={stream} />
        <span className="ls-job-meta ml-auto shrink-0 font-mono text-[11px] text-[var(--ls-muted)]">
          {job.id} · {took !== null ? formatDuration(took) : ''} · {job.steps.length} steps · {formatCount(lines)} lines
        </span>
      </div>
      {labels.length > 0 && (
        <ul className="mt-1 flex flex-wrap gap-1" aria-label="Labels">
          {labels.map(([k, v]) => (
            <li key={k} className="ls-label">
              <span className="text-[var(--ls-muted)]">{k}</span>
              <span>{v}</span>
            </li>
          ))}
        </ul>
      )}
    </header>
  );
}
