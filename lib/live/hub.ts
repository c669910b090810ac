import 'server-only';
import { notFound } from '../errors';
import type { LogStore, StoreEvent } from '../store/types';

/**
 * Fan-out of one job's live events to every viewer in this process (docs/architecture.md "The live hub").
 *
 * Protocol: a feed holds ONE store subscription per running job, started at the job's
 * metadata cursor, and keeps a bounded ring of its recent events. A viewer that resumes at a
 * cursor inside the ring (or at the ring's base) is served from the ring and then live. An
 * older viewer first catches up with its own store replay, and joins the feed as soon as the
 * last cursor it delivered is one the feed holds — before or after the feed receives it — so
 * nothing is lost or sent twice. A viewer whose queue grows past MAX_QUEUED_EVENTS is cut
 * off: its stream closes, and its browser reconnects from its last cursor.
 * A completed job needs no feed: its viewers replay from the store and get `end`.
 */

/** Events a feed keeps for viewers that join slightly behind the live edge. */
const RING_SIZE = 2048;
/** A viewer further behind than this is disconnected and resumes by cursor. */
const MAX_QUEUED_EVENTS = 4096;
/** Consecutive `lines` events of a step are merged in a viewer's queue up to this many lines. */
const MAX_MERGED_LINES = 1000;
/** A feed with no viewers lives this long, so a reloading page reuses it. */
const IDLE_FEED_MS = 5000;

interface Viewer {
  queue: StoreEvent[];
  wake: (() => void) | null;
  live: boolean;
  cutOff: boolean;
  lastCursor: string | null;
  /** aborts the catch-up replay once the feed can take over */
  catchUp: AbortController | null;
}

class JobFeed {
  private ring: StoreEvent[] = [];
  private readonly index = new Set<string>();
  private base: string;
  readonly viewers = new Set<Viewer>();
  private readonly controller = new AbortController();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  failure: unknown = null;
  ended = false;

  constructor(
    private readonly store: LogStore,
    readonly jobId: string,
    startCursor: string,
    private readonly onStop: (feed: JobFeed) => void,
  ) {
    this.base = startCursor;
    void this.run(startCursor);
  }

  private async run(after: string): Promise<void> {
    try {
      for await (const event of this.store.subscribe(this.jobId, after, this.controller.signal)) {
        this.push(event);
        if (event.type === 'end') {
          this.ended = true;
          break;
        }
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.failure = error;
    } finally {
      this.stop();
      for (const viewer of this.viewers) viewer.wake?.();
    }
  }

  /** True when the feed can serve everything after `cursor`. */
  holds(cursor: string): boolean {
    return cursor === this.base || this.index.has(cursor);
  }

  private push(event: StoreEvent): void {
    this.ring.push(event);
    this.index.add(event.cursor);
    if (this.ring.length > RING_SIZE) {
      const dropped = this.ring.shift();
      if (dropped) {
        this.index.delete(dropped.cursor);
        this.base = dropped.cursor;
      }
    }
    for (const viewer of this.viewers) {
      if (viewer.live) {
        enqueue(viewer, event);
      } else if (viewer.lastCursor === event.cursor) {
        // The catch-up replay got here first; the feed now has the same position.
        viewer.catchUp?.abort();
      }
    }
  }

  /** Moves a viewer onto the feed: queues what the ring has after its cursor. */
  join(viewer: Viewer): void {
    const after = viewer.lastCursor;
    let start = 0;
    if (after !== null && after !== this.base) start = this.ring.findIndex((e) => e.cursor === after) + 1;
    viewer.live = true;
    for (const event of this.ring.slice(start)) enqueue(viewer, event);
  }

  add(viewer: Viewer): void {
    clearTimeout(this.idleTimer);
    this.viewers.add(viewer);
  }

  remove(viewer: Viewer): void {
    this.viewers.delete(viewer);
    if (this.viewers.size === 0 && !this.controller.signal.aborted) {
      this.idleTimer = setTimeout(() => this.stop(), IDLE_FEED_MS);
      this.idleTimer.unref?.();
    }
  }

  stop(): void {
    clearTimeout(this.idleTimer);
    if (!this.controller.signal.aborted) this.controller.abort();
    this.onStop(this);
  }
}

function enqueue(viewer: Viewer, event: StoreEvent): void {
  if (viewer.cutOff) return;
  const last = viewer.queue[viewer.queue.length - 1];
  if (
    event.type === 'lines' &&
    last?.type === 'lines' &&
    last.step === event.step &&
    last.lines.length + event.lines.length <= MAX_MERGED_LINES
  ) {
    viewer.queue[viewer.queue.length - 1] = { ...last, cursor: event.cursor, lines: [...last.lines, ...event.lines] };
  } else if (viewer.queue.length >= MAX_QUEUED_EVENTS) {
    viewer.cutOff = true;
  } else {
    viewer.queue.push(event);
  }
  viewer.wake?.();
}

export class LiveHub {
  private readonly feeds = new Map<string, JobFeed>();
  private readonly starting = new Map<string, Promise<JobFeed | null>>();

  constructor(private readonly store: LogStore) {}

  /** Number of store subscriptions held for live feeds (one per job at most). */
  get feedCount(): number {
    return this.feeds.size;
  }

  viewerCount(jobId: string): number {
    return this.feeds.get(jobId)?.viewers.size ?? 0;
  }

  /** Live feeds and their viewers, for /api/health (operators and tests check the fan-out). */
  stats(): { feeds: number; viewers: number; jobs: Record<string, number> } {
    const jobs: Record<string, number> = {};
    let viewers = 0;
    for (const [jobId, feed] of this.feeds) {
      jobs[jobId] = feed.viewers.size;
      viewers += feed.viewers.size;
    }
    return { feeds: this.feeds.size, viewers, jobs };
  }

  private async feedFor(jobId: string): Promise<JobFeed | null> {
    const existing = this.feeds.get(jobId);
    if (existing && !existing.ended && existing.failure === null) return existing;
    let pending = this.starting.get(jobId);
    if (!pending) {
      pending = (async () => {
        const job = await this.store.getJob(jobId);
        if (!job) throw notFound(`job ${jobId}`);
        if (job.status !== 'running') return null;
        const feed = new JobFeed(this.store, jobId, job.cursor, (stopped) => {
          if (this.feeds.get(jobId) === stopped) this.feeds.delete(jobId);
        });
        this.feeds.set(jobId, feed);
        return feed;
      })().finally(() => this.starting.delete(jobId));
      this.starting.set(jobId, pending);
    }
    return pending;
  }

  /**
   * Every event of the job after `after` (null: from the first), live until `end`. Ends when
   * `signal` aborts, or early when the viewer falls too far behind (it then resumes by cursor).
   */
  async *watch(jobId: string, after: string | null, signal: AbortSignal): AsyncGenerator<StoreEvent> {
    const feed = await this.feedFor(jobId);
    if (!feed) {
      yield* this.replayCompleted(jobId, after, signal);
      return;
    }
    const viewer: Viewer = { queue: [], wake: null, live: false, cutOff: false, lastCursor: after, catchUp: null };
    const onAbort = () => {
      viewer.catchUp?.abort();
      viewer.wake?.();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    feed.add(viewer);
    try {
      if (after !== null && feed.holds(after)) {
        feed.join(viewer);
      } else {
        viewer.catchUp = new AbortController();
        const catchUpSignal = AbortSignal.any([signal, viewer.catchUp.signal]);
        for await (const event of this.store.subscribe(jobId, after, catchUpSignal)) {
          yield event;
          viewer.lastCursor = event.cursor;
          if (event.type === 'end') return;
          if (feed.holds(event.cursor)) break;
        }
        if (signal.aborted) return;
        viewer.catchUp = null;
        if (viewer.lastCursor !== null && feed.holds(viewer.lastCursor)) {
          feed.join(viewer);
        } else {
          // The feed ended or failed before the replay met it: finish from the store alone.
          yield* this.replayCompleted(jobId, viewer.lastCursor, signal);
          return;
        }
      }
      while (!signal.aborted) {
        const event = viewer.queue.shift();
        if (event) {
          viewer.lastCursor = event.cursor;
          yield event;
          if (event.type === 'end') return;
          continue;
        }
        if (viewer.cutOff) return;
        if (feed.failure !== null) throw feed.failure;
        if (feed.ended) return;
        await new Promise<void>((resolve) => (viewer.wake = resolve));
        viewer.wake = null;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      viewer.catchUp?.abort();
      feed.remove(viewer);
    }
  }

  /** A finished job: what the store has after the cursor, then `end` even if it came before. */
  private async *replayCompleted(jobId: string, after: string | null, signal: AbortSignal): AsyncGenerator<StoreEvent> {
    let sawEnd = false;
    for await (const event of this.store.subscribe(jobId, after, signal)) {
      yield event;
      if (event.type === 'end') {
        sawEnd = true;
        break;
      }
    }
    if (sawEnd || signal.aborted) return;
    const job = await this.store.getJob(jobId);
    if (job && job.status !== 'running') yield { type: 'end', cursor: job.cursor, status: job.status };
  }
}

const globalForHub = globalThis as typeof globalThis & { __logscopeHubs?: WeakMap<LogStore, LiveHub> };

/** One hub per store per process (module state can be evaluated more than once under Next). */
export function hubFor(store: LogStore): LiveHub {
  const hubs = (globalForHub.__logscopeHubs ??= new WeakMap());
  let hub = hubs.get(store);
  if (!hub) {
    hub = new LiveHub(store);
    hubs.set(store, hub);
  }
  return hub;
}
