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

const COLOR: Record<Status, string> = {
  pending: 'text-zinc-500',
  running: 'text-sky-400 animate-spin',
  success: 'text-emerald-400',
  failure: 'text-red-400',
  cancelled: 'text-amber-400',
  skipped: 'text-zinc-500',
};

export function statusLabel(status: Status): string {
  return LABEL[status];
}

/** A one-glyph status mark; its label is read out by assistive technology. */
export function StatusIcon({ status }: { status: Status }) {
  return (
    <span className="inline-flex w-4 shrink-0 justify-center" data-status={status}>
      <span aria-hidden="true" className={`inline-block leading-none ${COLOR[status]}`}>
        {GLYPH[status]}
      </span>
      <span className="sr-only">{LABEL[status]}</span>
    </span>
  );
}

const BADGE: Record<Status, string> = {
  pending: 'bg-zinc-800 text-zinc-300 ring-zinc-700',
  running: 'bg-sky-950 text-sky-300 ring-sky-800',
  success: 'bg-emerald-950 text-emerald-300 ring-emerald-800',
  failure: 'bg-red-950 text-red-300 ring-red-800',
  cancelled: 'bg-amber-950 text-amber-300 ring-amber-800',
  skipped: 'bg-zinc-800 text-zinc-400 ring-zinc-700',
};

/** A status pill for job headers and the job list. */
export function StatusBadge({ status }: { status: Status }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-[11px] font-medium uppercase tracking-wide ring-1 ring-inset ${BADGE[status]}`}
      data-status={status}
    >
      {LABEL[status]}
    </span>
  );
}
