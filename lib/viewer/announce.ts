import type { JobStatus, StepMeta } from '@/lib/contracts';
import { formatCount } from './format';

/*
 * What the viewer's one polite live region says (components/log-viewer/live-region.tsx): the
 * stream's status changes at once (they are rare), and new error lines, throttled and
 * summarised ("3 new error lines in build"): never one announcement per line, which would make
 * a screen reader unusable on a failing live job. Pure: the time is passed in.
 */

/** At most one error announcement this often: a screen reader needs a few seconds to read one. */
export const ERROR_ANNOUNCE_MIN_MS = 5_000;
/** Steps named in one error announcement; more are summed up as "and N more steps". */
const MAX_NAMED_STEPS = 2;
/** Longest step name read out (names are producer input). */
const MAX_NAME_CHARS = 60;

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'complete' | 'deleted';

/** The words for a stream status change; null for none worth saying. */
export function streamAnnouncement(state: StreamStatus, job: JobStatus | undefined): string | null {
  switch (state) {
    case 'live':
      return 'Streaming live';
    case 'reconnecting':
      return 'Connection lost, reconnecting';
    case 'complete':
      return job === 'failure' ? 'Job failed' : job === 'cancelled' ? 'Job cancelled' : job === 'success' ? 'Job complete, passed' : 'Job complete';
    case 'deleted':
      return 'Job deleted';
    case 'connecting':
      return null;
  }
}

/** The words of a wait for a line (viewer-state.ts "Wait"), shown and announced. */
export function lineWaitText(kind: 'waiting' | 'missed', n: number, step: string): string {
  const name = step.length > MAX_NAME_CHARS ? `${step.slice(0, MAX_NAME_CHARS)}…` : step;
  return kind === 'waiting'
    ? `Waiting for line ${formatCount(n)} of ${name}…`
    : `Line ${formatCount(n)} of ${name} was never written: showing its last line.`;
}

function stepName(step: StepMeta): string {
  const name = step.name || step.id;
  return name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name;
}

/** "3 new error lines in build", "5 new error lines in build and test", "… in a, b and 3 more steps". */
export function errorAnnouncement(added: ReadonlyMap<string, number>): string | null {
  let total = 0;
  for (const n of added.values()) total += n;
  if (total <= 0) return null;
  const names = [...added.keys()];
  const named = names.slice(0, MAX_NAMED_STEPS);
  const rest = names.length - named.length;
  const where = rest > 0 ? `${named.join(', ')} and ${rest} more ${rest === 1 ? 'step' : 'steps'}` : named.length === 2 ? `${named[0]} and ${named[1]}` : named[0]!;
  return `${formatCount(total)} new error ${total === 1 ? 'line' : 'lines'} in ${where}`;
}

/**
 * Error lines counted per step (StepMeta.errors) as step events change them; the counts first
 * seen are the baseline (not announced). `take` returns the summary of what was added since the
 * last one, at most once per `minGapMs`; `dueIn` says when to ask again.
 */
export class ErrorAnnouncer {
  private counts: Map<string, number> | null = null;
  private readonly added = new Map<string, number>();
  private last = -Infinity;

  constructor(private readonly minGapMs = ERROR_ANNOUNCE_MIN_MS) {}

  observe(steps: readonly StepMeta[]): void {
    const first = this.counts === null;
    const counts = this.counts ?? new Map<string, number>();
    for (const step of steps) {
      const now = step.errors?.count ?? 0;
      const before = counts.get(step.id) ?? 0;
      counts.set(step.id, Math.max(now, before));
      if (!first && now > before) {
        const name = stepName(step);
        this.added.set(name, (this.added.get(name) ?? 0) + (now - before));
      }
    }
    this.counts = counts;
  }

  /** The announcement due at `now`, if any (and then the throttle restarts). */
  take(now: number): string | null {
    if (this.added.size === 0 || now - this.last < this.minGapMs) return null;
    const text = errorAnnouncement(this.added);
    this.added.clear();
    this.last = now;
    return text;
  }

  /** Milliseconds until `take` may answer, or null when nothing waits. */
  dueIn(now: number): number | null {
    if (this.added.size === 0) return null;
    return Math.max(0, this.last + this.minGapMs - now);
  }
}
