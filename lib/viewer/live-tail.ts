import { SCREEN_ROWS, type Line } from '@/lib/contracts';
import { LIVE_KEEP_LINES } from './constants';

/** Schedules one flush (the browser passes requestAnimationFrame; tests run it by hand). */
export type Scheduler = (flush: () => void) => void;

/** Told, within a flush, of the lines whose text changed (pages and search views patch their copies). */
export type ReplaceListener = (step: string, lines: readonly Line[]) => void;

interface StepTail {
  /** `lines[i].n === lo + i`: a dense run, the newest lines of the step */
  lo: number;
  lines: Line[];
  /**
   * Redrawn lines not in the run (an `update`, or a replayed `lines` event with newer text,
   * for a line read by range): at most SCREEN_ROWS, the highest numbers. A page fetched
   * before the update but answered after it would otherwise show the older text.
   */
  redrawn: Map<number, Line>;
}

interface Pending {
  step: string;
  lines: readonly Line[];
  /** an `update` event: replacements only, never new lines */
  update: boolean;
}

function sameLine(a: Line, b: Line): boolean {
  return a.text === b.text && a.stream === b.stream && a.ts === b.ts;
}

/**
 * Lines that arrived over the live stream, per step, for one viewer instance.
 *
 * Events are buffered and applied once per scheduled flush (one animation frame), so a fast
 * producer costs one React update per frame, not one per event. Each step keeps a dense run
 * of its newest lines, at most `keep` of them: older lines are dropped and served again by
 * range requests. A gap restarts the run at the new line (the lines in between are fetched by
 * range).
 *
 * Lines change (issue 13, a terminal redraw within the step's last SCREEN_ROWS lines): an
 * `update` replaces the lines it names, and a `lines` event for a line already held (a replay
 * after a reconnect, which reads current text) replaces it when its text differs. Replacements
 * are applied in event order within the same flush as new lines; the run and `redrawn` take
 * them, and the replace listeners are told (once per step per flush) so cached pages and the
 * search views swap their copies. A line nobody holds is dropped: a later range read returns
 * its current text.
 */
export class LiveTail {
  private readonly steps = new Map<string, StepTail>();
  private readonly counts = new Map<string, number>();
  /** `counts` as of the last flush that changed it: a new map per change, for React to compare. */
  private countsSnapshot: ReadonlyMap<string, number> = new Map();
  private pending: Pending[] = [];
  private scheduled = false;
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private readonly replaceListeners = new Set<ReplaceListener>();

  constructor(
    private readonly schedule: Scheduler,
    private readonly keep = LIVE_KEEP_LINES,
  ) {}

  push(step: string, lines: readonly Line[]): void {
    this.enqueue({ step, lines, update: false });
  }

  /** An `update` event: lines already delivered whose text changed. */
  update(step: string, lines: readonly Line[]): void {
    this.enqueue({ step, lines, update: true });
  }

  private enqueue(p: Pending): void {
    if (p.lines.length === 0) return;
    this.pending.push(p);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Applies buffered lines now; returns whether anything changed. */
  flush(): boolean {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    let added = false;
    /** per step, the replacements of this flush by line number (the last one wins) */
    const replaced = new Map<string, Map<number, Line>>();
    const replace = (step: string, line: Line) => {
      let m = replaced.get(step);
      if (!m) replaced.set(step, (m = new Map()));
      m.set(line.n, line);
    };
    for (const { step, lines, update } of batch) {
      for (const line of lines) {
        const r = update ? this.redraw(step, line, true) : this.add(step, line);
        if (r === 'added') added = true;
        else if (r === 'replaced') replace(step, line);
      }
    }
    if (!added && replaced.size === 0) return false;
    this.version++;
    if (added) this.countsSnapshot = new Map(this.counts);
    for (const [step, m] of replaced) {
      const lines = [...m.values()].sort((a, b) => a.n - b.n);
      for (const l of this.replaceListeners) l(step, lines);
    }
    for (const l of this.listeners) l();
    return true;
  }

  private stepTail(step: string, n: number): StepTail {
    let tail = this.steps.get(step);
    if (!tail) {
      tail = { lo: n, lines: [], redrawn: new Map() };
      this.steps.set(step, tail);
    }
    return tail;
  }

  private add(step: string, line: Line): 'added' | 'replaced' | null {
    const tail = this.stepTail(step, line.n);
    const hi = tail.lo + tail.lines.length - 1;
    if (line.n <= hi) return this.redraw(step, line, false);
    if (line.n !== hi + 1) {
      tail.lo = line.n;
      tail.lines = [];
    }
    tail.lines.push(line);
    tail.redrawn.delete(line.n);
    if (tail.lines.length > this.keep * 2) {
      const drop = tail.lines.length - this.keep;
      tail.lines = tail.lines.slice(drop);
      tail.lo += drop;
    }
    if (line.n > (this.counts.get(step) ?? 0)) this.counts.set(step, line.n);
    return 'added';
  }

  /**
   * A line already delivered, with its current text. `update`: the server says it changed, so
   * views holding it are told even when this tail does not hold it; a duplicate `lines` line
   * only replaces what differs from the copy held here.
   */
  private redraw(step: string, line: Line, update: boolean): 'replaced' | null {
    const tail = this.stepTail(step, line.n);
    const i = line.n - tail.lo;
    if (i >= 0 && i < tail.lines.length) {
      if (sameLine(tail.lines[i]!, line)) return null;
      tail.lines[i] = line;
      return 'replaced';
    }
    const held = tail.redrawn.get(line.n);
    if (held && sameLine(held, line)) return null;
    // Only the screen (the step's last SCREEN_ROWS lines) can change: older lines are final.
    const newest = Math.max(this.counts.get(step) ?? 0, tail.lo + tail.lines.length - 1);
    if (line.n <= newest - SCREEN_ROWS && !held) return update ? 'replaced' : null;
    tail.redrawn.set(line.n, line);
    if (tail.redrawn.size > SCREEN_ROWS) {
      for (const n of tail.redrawn.keys()) if (n <= newest - SCREEN_ROWS) tail.redrawn.delete(n);
      while (tail.redrawn.size > SCREEN_ROWS) tail.redrawn.delete(Math.min(...tail.redrawn.keys()));
    }
    return 'replaced';
  }

  get(step: string, n: number): Line | undefined {
    const tail = this.steps.get(step);
    return tail ? (tail.lines[n - tail.lo] ?? tail.redrawn.get(n)) : undefined;
  }

  /** Whether every line in [from, to] is held. */
  covers(step: string, from: number, to: number): boolean {
    const tail = this.steps.get(step);
    return tail !== undefined && tail.lines.length > 0 && tail.lo <= from && to < tail.lo + tail.lines.length;
  }

  /**
   * Highest line number seen per step (raises metadata line counts). The same map until a
   * flush adds lines (every added line raises its step's count), so it doubles as the
   * snapshot `useSyncExternalStore` watches. Replacements leave it alone.
   */
  lineCounts = (): ReadonlyMap<string, number> => this.countsSnapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Replacements, as each flush applies them (before the subscribers are notified). */
  onReplace = (listener: ReplaceListener): (() => void) => {
    this.replaceListeners.add(listener);
    return () => this.replaceListeners.delete(listener);
  };

  /** Changes with every flush that added or replaced a line. */
  getVersion = (): number => this.version;
}
