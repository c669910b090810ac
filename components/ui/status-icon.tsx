import type { JobStatus, StepStatus } from '@/lib/contracts';

type Status = StepStatus | JobStatus;

const LABEL: Record<Status, string> = {
  pending: 'pending',
  running: 'running',
  success: 'passed',
  failure: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

const GLYPH: Record<Status, string> = {
  pending: '○',
  running: '◌',
  success: '✓',
  failure: '✕',
  cancelled: '⊘',
  skipped: '»',
};

/** The status colours of the theme (themes.css). */
const TONE: Record<Status, string> = {
  pending: 'var(--ls-muted)',
  running: 'var(--ls-accent)',
  success: 'var(--ls-live)',
  failure: 'var(--ls-err)',
  cancelled: 'var(--ls-warn)',
  skipped: 'var(--ls-muted)',
};

export function statusLabel(status: Status): string {
  return LABEL[status];
}

/** A one-glyph status mark; its label is read out by assistive technology. */
export function StatusIcon({ status }: { status: Status }) {
  return (
    <span className="inline-flex w-4 shrink-0 justify-center" data-status={status}>
      <span aria-hidden="true" className={`inline-block leading-none ${status === 'running' ? 'animate-spin' : ''}`} style={{ color: TONE[status] }}>
        {GLYPH[status]}
      </span>
      <span className="sr-only">{LABEL[status]}</span>
    </span>
  );
}

/** A status pill for job headers and the job list. */
export function StatusBadge({ status }: { status: Status }) {
  return (
    <span
      className="ls-badge inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-[11px] font-medium uppercase tracking-wide ring-1 ring-inset"
      style={{ ['--ls-tone' as string]: TONE[status] }}
      data-status={status}
    >
      {LABEL[status]}
    </span>
  );
}
