import type { Line } from '@/lib/contracts';
import { LIVE_KEEP_LINES } from './constants';

/** Schedules one flush (the browser passes requestAnimationFrame; tests run it by hand). */
export type Scheduler = (flush: () => void) => void;

interface StepTail {
  /** `lines[i].n === lo + i`: a dense run, the newest lines of the step */
  lo: number;
  lines: Line[];
}

/**
 * Lines that arrived over the live stream, per step, for one viewer instance.
 *
 * Events are buffered and applied once per scheduled flush (one animation frame), so a fast
 * producer costs one React update per frame, not one per event. Each step keeps a dense run
 * of its newest lines, at most `keep` of them: older lines are dropped and served again by
 * range requests. A duplicate (n already held) is ignored; a gap restarts the run at the new
 * line (the lines in between are fetched by range).
 */
export class LiveTail {
  private readonly steps = new Map<string, StepTail>();
  private readonly counts = new Map<string, number>();
  /** `counts` as of the last flush that changed it: a new map per change, for React to compare. */
  private countsSnapshot: ReadonlyMap<string, number> = new Map();
  private pending: { step: string; lines: readonly Line[] }[] = [];
  private scheduled = false;
  private version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly schedule: Scheduler,
    private readonly keep = LIVE_KEEP_LINES,
  ) {}

  push(step: string, lines: readonly Line[]): void {
    if (lines.length === 0) return;
    this.pending.push({ step, lines });
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Applies buffered lines now; returns whether anything changed. */
  flush(): boolean {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    let changed = false;
    for (const { step, lines } of batch) {
      for (const line of lines) changed = this.add(step, line) || changed;
    }
    if (changed) {
      this.version++;
      this.countsSnapshot = new Map(this.counts);
      for (const l of this.listeners) l();
    }
    return changed;
  }

  private add(step: string, line: Line): boolean {
    let tail = this.steps.get(step);
    if (!tail) {
      tail = { lo: line.n, lines: [] };
      this.steps.set(step, tail);
    }
    const hi = tail.lo + tail.lines.length - 1;
    if (line.n <= hi) return false;
    if (line.n !== hi + 1) {
      tail.lo = line.n;
      tail.lines = [];
    }
    tail.lines.push(line);
    if (tail.lines.length > this.keep * 2) {
      const drop = tail.lines.length - this.keep;
      tail.lines = tail.lines.slice(drop);
      tail.lo += drop;
    }
    if (line.n > (this.counts.get(step) ?? 0)) this.counts.set(step, line.n);
    return true;
  }

  get(step: string, n: number): Line | undefined {
    const tail = this.steps.get(step);
    return tail ? tail.lines[n - tail.lo] : undefined;
  }

  /** Whether every line in [from, to] is held. */
  covers(step: string, from: number, to: number): boolean {
    const tail = this.steps.get(step);
    return tail !== undefined && tail.lines.length > 0 && tail.lo <= from && to < tail.lo + tail.lines.length;
  }

  /**
   * Highest line number seen per step (raises metadata line counts). The same map until a
   * flush adds lines (every added line raises its step's count), so it doubles as the
   * snapshot `useSyncExternalStore` watches.
   */
  lineCounts = (): ReadonlyMap<string, number> => this.countsSnapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;
}
