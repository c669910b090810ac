import 'server-only';
import type { JobMeta } from '../contracts';
import { FileStore } from '../store/file';
import { SIDECAR_INDEX_EVERY } from '../store/file/sidecar';
import type { LogStore } from '../store/types';
import type { ScanBudget } from './budget';
import type { BlockMatcher } from './pool';
import type { ScanSegment, SegmentHit } from './sidecar-scan';

/** The file store, whose steps have search sidecars (lib/store/file/sidecar.ts), or null. */
export function sidecarStore(store: LogStore): FileStore | null {
  return store instanceof FileStore ? store : null;
}

/** A step to scan: lines `from`..`to` (a snapshot of the step's committed count). */
export interface StepRange {
  job: string;
  step: string;
  from: number;
  to: number;
}

export interface RangeResult {
  total: number;
  hits: SegmentHit[];
  /** the next line of this step not scanned, or null when scanned to `to` */
  stoppedAt: number | null;
}

/**
 * Scans step ranges through their sidecars in one worker request, in order, keeping `want` hits
 * after the first `skip`. A lagging sidecar is extended first (up to the budget's deadline). The line budget
 * is spent as lines are covered; past it (or past the deadline) the remaining ranges are left
 * (stoppedAt). Results are in the order of `ranges` (those not reached are absent).
 */
export async function scanRanges(
  store: FileStore,
  ranges: readonly StepRange[],
  matcher: BlockMatcher,
  budget: ScanBudget,
  want: number,
  /** matching lines passed over (counted, not kept) before the `want` kept */
  skip = 0,
): Promise<RangeResult[] | null> {
  const segments: ScanSegment[] = [];
  const planned: StepRange[] = [];
  let cut: number | null = null;
  for (const range of ranges) {
    if (range.from > range.to) {
      segments.push({ path: '', lower: '', from: 1, to: 0, end: 0, index: [], every: SIDECAR_INDEX_EVERY });
      planned.push(range);
      continue;
    }
    const allowed = budget.available();
    if (allowed <= 0) break;
    const view = await store.sidecars.view(
      range.job,
      range.step,
      range.to,
      async (from, count) => (await store.readLines(range.job, range.step, from, count)).lines,
      budget.deadlineAt,
    );
    const to = Math.min(view.lines, range.to, range.from + allowed - 1);
    segments.push({ path: view.path, lower: view.lower, from: range.from, to, end: to === view.lines ? view.bytes : -1, index: view.index, every: SIDECAR_INDEX_EVERY });
    planned.push(range);
    budget.spend(Math.max(0, to - range.from + 1));
    if (to < range.to) {
      cut = Math.max(to + 1, range.from); // never before where this range was to start
      break;
    }
  }
  // A segment cut inside its sidecar needs the byte end of its last line: the worker finds it.
  const result = segments.length === 0 ? { segments: [], stopped: null } : await matcher.scan(segments, want, budget.deadlineAt, skip);
  if (result === null) return null;
  const out: RangeResult[] = [];
  for (let i = 0; i < planned.length; i++) {
    const segment = result.segments[i];
    if (!segment) break;
    const stopped = result.stopped && result.stopped.segment === i ? result.stopped.line : null;
    const last = i === planned.length - 1 && cut !== null ? cut : null;
    out.push({ total: segment.total, hits: segment.hits, stoppedAt: stopped ?? last });
    if (stopped !== null) break;
  }
  if (result.stopped) budget.exhaust();
  return out;
}

/** Each step of a job from line 1 to its committed count (the snapshot in `job`). */
export function jobRanges(job: JobMeta, steps: readonly string[]): StepRange[] {
  const counts = new Map(job.steps.map((s) => [s.id, s.lines]));
  return steps.map((step) => ({ job: job.id, step, from: 1, to: counts.get(step) ?? 0 }));
}
