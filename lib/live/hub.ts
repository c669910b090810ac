import 'server-only';
import { notFound } from '../errors';
import { DEFAULT_LIMITS, type Limits } from '../limits';
import type { LogStore, StoreEvent } from '../store/types';
import { encodeStoreEvent } from './event-frames';

/**
 * Fan-out of one job's live events to every viewer in this process (docs/architecture.md "The live hub").
 *
 * Protocol: a feed holds ONE store subscription per running job, started at the job's
 * metadata cursor, and keeps a bounded ring of its recent events. A viewer that resumes at a
 * cursor inside the ring (or at the ring's base) is served from the ring and then live. An
 * older viewer first catches up with its own store replay, and joins the feed as soon as the
 * last cursor it delivered is one the feed holds — before or after the feed receives it — so
 * nothing is lost or sent twice. A viewer whose queue grows past its budget is cut off: its
 * stream closes, and its browser reconnects from its last cursor.
 * A completed job needs no feed: its viewers replay from the store and get `end`.
 *
 * Budgets (lib/limits.ts) count events and bytes. An event's size is the byte length of its
 * SSE frames, encoded once when the feed receives it (the same frames then go to every
 * viewer). The ring drops its oldest events past `ringEvents` or `ringBytes` (its base moves
 * on; later joiners catch up from the store). A viewer is cut off when an event would take its
 * queue past `queueEvents` or `queueBytes`; an event always fits an empty queue, so one large
 * event still reaches a viewer that keeps up. Consecutive small `lines` events of a step are
 * merged in a queue up to `mergedLines` and one frame's bytes.
 */

/** A feed with no viewers lives this long, so a reloading page reuses it. */
const IDLE_FEED_MS = 5000;

interface Sized {
  event: StoreEvent;
  bytes: number;
}

interface Viewer {
  queue: Sized[];
  queueBytes: number;
  wake: (() => void) | null;
  live: boolean;
  cutOff: boolean;
  lastCursor: string | null;
  /** aborts the catch-up replay once the feed can take over */
  catchUp: AbortController | null;
}

class JobFeed {
  private ring: Sized[] = [];
  private ringBytes = 0;
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
    private readonly limits: Limits,
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

  stats(): FeedStats {
    return { ringEvents: this.ring.length, ringBytes: this.ringBytes, queueBytes: [...this.viewers].map((v) => v.queueBytes) };
  }

  /** True when the feed can serve everything after `cursor`. */
  holds(cursor: string): boolean {
    return cursor === this.base || this.index.has(cursor);
  }

  private push(event: StoreEvent): void {
    const sized = { event, bytes: encodeStoreEvent(event, this.limits.frameBytes).bytes };
    this.ring.push(sized);
    this.ringBytes += sized.bytes;
    this.index.add(event.cursor);
    while (this.ring.length > this.limits.ringEvents || (this.ringBytes > this.limits.ringBytes && this.ring.length > 0)) {
      const dropped = this.ring.shift();
      if (!dropped) break;
      this.ringBytes -= dropped.bytes;
      this.index.delete(dropped.event.cursor);
      this.base = dropped.event.cursor;
    }
    for (const viewer of this.viewers) {
      if (viewer.live) {
        enqueue(viewer, sized, this.limits);
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
    if (after !== null && after !== this.base) start = this.ring.findIndex((e) => e.event.cursor === after) + 1;
    viewer.live = true;
    for (const sized of this.ring.slice(start)) enqueue(viewer, sized, this.limits);
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

/** Ring and queue sizes of a feed, for /api/health and tests. */
export interface FeedStats {
  ringEvents: number;
  ringBytes: number;
  queueBytes: number[];
}

function enqueue(viewer: Viewer, sized: Sized, limits: Limits): void {
  if (viewer.cutOff) return;
  const { event } = sized;
  const lastIndex = viewer.queue.length - 1;
  const last = viewer.queue[lastIndex];
  if (viewer.queue.length > 0 && viewer.queueBytes + sized.bytes > limits.queueBytes) {
    viewer.cutOff = true;
  } else if (
    event.type === 'lines' &&
    last?.event.type === 'lines' &&
    last.event.step === event.step &&
    last.event.lines.length + event.lines.length <= limits.mergedLines &&
    last.bytes + sized.bytes <= limits.frameBytes
  ) {
    // small events only: a merged event is encoded again for this viewer, a large one is sent
    // as the frames every viewer shares
    const merged = { ...last.event, cursor: event.cursor, lines: [...last.event.lines, ...event.lines] };
    viewer.queue[lastIndex] = { event: merged, bytes: last.bytes + sized.bytes };
    viewer.queueBytes += sized.bytes;
  } else if (viewer.queue.length >= limits.queueEvents) {
    viewer.cutOff = true;
  } else {
    viewer.queue.push(sized);
    viewer.queueBytes += sized.bytes;
  }
  viewer.wake?.();
}

export class LiveHub {
  private readonly feeds = new Map<string, JobFeed>();
  private readonly starting = new Map<string, Promise<JobFeed | null>>();

  private readonly limits: Limits;

  constructor(
    private readonly store: LogStore,
    limits: Partial<Limits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Number of store subscriptions held for live feeds (one per job at most). */
  get feedCount(): number {
    return this.feeds.size;
  }

  /** The job's feed's ring and viewer queues (null: no feed), to check the byte budgets. */
  feedStats(jobId: string): FeedStats | null {
    return this.feeds.get(jobId)?.stats() ?? null;
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
        const feed = new JobFeed(
          this.store,
          jobId,
          job.cursor,
          (stopped) => {
            if (this.feeds.get(jobId) === stopped) this.feeds.delete(jobId);
          },
          this.limits,
        );
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
    const viewer: Viewer = { queue: [], queueBytes: 0, wake: null, live: false, cutOff: false, lastCursor: after, catchUp: null };
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
        const sized = viewer.queue.shift();
        if (sized) {
          const { event } = sized;
          viewer.queueBytes -= sized.bytes;
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

/**
 * One hub per store per process (module state can be evaluated more than once under Next).
 * Every caller passes the process's configured limits (lib/config.ts); the first call's stay.
 */
export function hubFor(store: LogStore, limits: Limits): LiveHub {
  const hubs = (globalForHub.__logscopeHubs ??= new WeakMap());
  let hub = hubs.get(store);
  if (!hub) {
    hub = new LiveHub(store, limits);
    hubs.set(store, hub);
  }
  return hub;
}
