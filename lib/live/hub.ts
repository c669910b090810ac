import 'server-only';
import { notFound } from '../errors';
import { DEFAULT_LIMITS, FANOUT_CPU_SHARE, type Limits } from '../limits';
import { SseStream } from '../sse/response';
import type { LogStore, StoreEvent } from '../store/types';
import { encodeFailure, encodeStoreEvent } from './event-frames';

/**
 * Fan-out of one job's live events to every viewer in this process (docs/architecture.md "The live hub").
 *
 * Protocol: a feed holds ONE store subscription per running job, started at the job's
 * metadata cursor, and keeps a bounded ring of its recent events. A viewer that resumes at a
 * cursor inside the ring (or at the ring's base) is served from it and then live. An older
 * viewer first catches up with its own store replay, and joins the feed as soon as the last
 * cursor it delivered is one the feed holds — before or after the feed receives it — so
 * nothing is lost or sent twice. A completed job needs no feed: its viewers replay from the
 * store and get `end`.
 *
 * Bytes, once: the feed encodes each event once, when it arrives. Events that arrive together
 * (before the event loop turns: one store commit, or everything that came in while the
 * process was busy) are joined into one block of bytes, and every viewer at the live edge is
 * handed that same block: one write per viewer per block, no per-viewer JSON, copies or
 * objects. A viewer is only a position in the ring (`pos`, the sequence number of the next
 * event it needs) and its stream.
 *
 * Lag: a viewer whose socket is still full when a block comes keeps its position; when its
 * stream drains it is sent everything from there to the edge at once (slices of the shared
 * blocks, up to `frameBytes` a time). That is the only coalescing, so a viewer that keeps up
 * gets each block as soon as it exists, with no timer on the way. Its budget: once what it
 * has not taken passes `queueBytes` or `queueEvents` (one event always fits), or the ring
 * drops an event it still needs, its stream ends and the browser resumes from its last id.
 * The ring drops its oldest events past `ringEvents` or `ringBytes` (never the newest block);
 * later joiners catch up from the store.
 */

/** A feed with no viewers lives this long, so a reloading page reuses it. */
const IDLE_FEED_MS = 5000;

/** One event in the ring: where its bytes are in a shared block. */
interface Entry {
  cursor: string;
  /** a lines, update or step event's step id; null for job and end (every filter passes them) */
  step: string | null;
  /** frames of the event until its block is built */
  frames: readonly Uint8Array[] | null;
  block: Buffer | null;
  start: number;
  end: number;
  /** sequence numbers of the block's first event and just after its last */
  blockFrom: number;
  blockEnd: number;
  /** bytes of the feed's events before this one (budgets are differences of these) */
  before: number;
}

interface Viewer {
  readonly stream: SseStream;
  /** only this step's lines, update and step events (job and end always pass) */
  readonly step: string | undefined;
  /** live: sequence number of the next event to send */
  pos: number;
  live: boolean;
  /** catching up: the cursor of the last event it was sent */
  lastCursor: string | null;
  /** aborts the catch-up replay once the feed can take over */
  catchUp: AbortController | null;
}

/** Ring and backlog sizes of a feed, for tests and operators. */
export interface FeedStats {
  ringEvents: number;
  ringBytes: number;
  /** per live viewer: bytes of events it has not been sent yet */
  queueBytes: number[];
}

class JobFeed {
  /** entries[i] has sequence number first + i */
  private entries: Entry[] = [];
  private head = 0;
  private first = 0;
  /** events below this sequence number are in blocks */
  private built = 0;
  /** cursor just before entries[head] (a viewer there needs everything in the ring) */
  private base: string;
  private readonly seqOf = new Map<string, number>();
  /** bytes of all events the feed ever received */
  private total = 0;
  private ringBytes = 0;
  private flushScheduled = false;
  /** no flush starts before this (performance.now()): fan-out keeps to its share of the CPU */
  private nextFlushAt = 0;
  readonly viewers = new Set<Viewer>();
  private readonly live = new Set<Viewer>();
  /** viewers replaying from the store until they meet the feed */
  private readonly catching = new Set<Viewer>();
  private readonly controller = new AbortController();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  failure: unknown = null;
  private failureFrame: Uint8Array | null = null;
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
        if (event.type === 'end' || event.type === 'deleted') {
          this.ended = true;
          break;
        }
      }
    } catch (error) {
      if (!this.controller.signal.aborted) {
        this.failure = error;
        this.failureFrame = encodeFailure(error);
      }
    } finally {
      this.stop();
      this.scheduleFlush();
    }
  }

  /** The feed is over: ended, failed, or stopped. */
  private get over(): boolean {
    return this.ended || this.failure !== null || this.controller.signal.aborted;
  }

  private get size(): number {
    return this.entries.length - this.head;
  }

  private entry(seq: number): Entry {
    return this.entries[this.head + seq - this.first]!;
  }

  /** Sequence number after the last event received. */
  private get next(): number {
    return this.first + this.size;
  }

  stats(): FeedStats {
    return { ringEvents: this.size, ringBytes: this.ringBytes, queueBytes: [...this.live].map((v) => this.backlog(v)) };
  }

  /** True when the feed can serve everything after `cursor`. */
  holds(cursor: string): boolean {
    return cursor === this.base || this.seqOf.has(cursor);
  }

  private push(event: StoreEvent): void {
    const encoded = encodeStoreEvent(event, this.limits.frameBytes);
    const seq = this.next;
    const step = eventStep(event);
    this.entries.push({ cursor: event.cursor, step, frames: encoded.frames, block: null, start: 0, end: encoded.bytes, blockFrom: 0, blockEnd: 0, before: this.total });
    this.total += encoded.bytes;
    this.ringBytes += encoded.bytes;
    // a `deleted` event repeats the last cursor: it must not stand for the event before it
    if (event.type !== 'deleted') this.seqOf.set(event.cursor, seq);
    for (const viewer of this.catching) {
      // The catch-up replay got here first: the feed takes over after this event.
      if (viewer.lastCursor === event.cursor) this.join(viewer, seq + 1);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Normally not a wait: the rest of this turn of the event loop, so that the events of one
    // commit go out as one block. Only after an expensive flush (many viewers) does the next
    // one wait, so that writing to viewers takes at most FANOUT_CPU_SHARE of the time: with a
    // few viewers that is well under a millisecond, with a thousand it batches by itself.
    const wait = this.nextFlushAt - performance.now();
    if (wait < 1) setImmediate(this.flush);
    else setTimeout(this.flush, wait);
  }

  /** Joins the events received since the last flush into blocks, trims the ring, serves the viewers. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const started = process.cpuUsage();
    // The writes' own work (Next piping each chunk into its socket) runs after this function,
    // before the next turn of the event loop: an immediate measures it too. CPU time, not wall
    // time: on a busy machine the wall clock would count other processes' turns.
    setImmediate(() => {
      const used = process.cpuUsage(started);
      const costMs = (used.user + used.system) / 1000;
      this.nextFlushAt = performance.now() + costMs * (1 / FANOUT_CPU_SHARE - 1);
    });
    this.build();
    this.trim();
    for (const viewer of this.live) {
      if (viewer.stream.ready) this.send(viewer);
      else if (viewer.pos < this.first || this.overBudget(viewer)) this.cut(viewer);
    }
  };

  /** Blocks of at most `frameBytes` (or one larger event) from the events not in one yet. */
  private build(): void {
    const next = this.next;
    while (this.built < next) {
      const from = this.built;
      let to = from;
      let bytes = 0;
      while (to < next && (to === from || bytes + this.entry(to).end <= this.limits.frameBytes)) {
        bytes += this.entry(to).end;
        to++;
      }
      const parts: Uint8Array[] = [];
      for (let seq = from; seq < to; seq++) parts.push(...(this.entry(seq).frames ?? []));
      const block = parts.length === 1 ? toBuffer(parts[0]!) : Buffer.concat(parts, bytes);
      let offset = 0;
      for (let seq = from; seq < to; seq++) {
        const entry = this.entry(seq);
        const length = entry.end;
        entry.frames = null;
        entry.block = block;
        entry.start = offset;
        entry.end = offset + length;
        entry.blockFrom = from;
        entry.blockEnd = to;
        offset += length;
      }
      this.built = to;
    }
  }

  /** Drops the oldest events past the ring's budgets, never those of the newest block. */
  private trim(): void {
    const newest = this.built > this.first ? this.entry(this.built - 1).blockFrom : this.built;
    while (this.first < newest && (this.size > this.limits.ringEvents || this.ringBytes > this.limits.ringBytes)) {
      const entry = this.entries[this.head]!;
      this.ringBytes -= entry.end - entry.start;
      this.seqOf.delete(entry.cursor);
      this.base = entry.cursor;
      this.entries[this.head] = DROPPED;
      this.head++;
      this.first++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Bytes of built events the viewer has not been sent. */
  private backlog(viewer: Viewer): number {
    if (viewer.pos >= this.built || viewer.pos < this.first) return 0;
    const last = this.entry(this.built - 1);
    return last.before + (last.end - last.start) - this.entry(viewer.pos).before;
  }

  private overBudget(viewer: Viewer): boolean {
    const events = this.built - viewer.pos;
    return events > 1 && (events > this.limits.queueEvents || this.backlog(viewer) > this.limits.queueBytes);
  }

  /**
   * Writes the viewer what it has not been sent, up to `frameBytes` past the first slice: at
   * the live edge that is the newest block itself, the same bytes for every viewer.
   */
  private send(viewer: Viewer): void {
    if (viewer.pos < this.first) {
      this.cut(viewer);
      return;
    }
    let budget = this.limits.frameBytes;
    let wrote = false;
    while (viewer.pos < this.built && (!wrote || budget > 0)) {
      const entry = this.entry(viewer.pos);
      const block = entry.block!;
      if (viewer.step === undefined) {
        const to = entry.blockEnd;
        const end = this.entry(to - 1).end;
        viewer.stream.write(entry.start === 0 && end === block.length ? block : block.subarray(entry.start, end));
        budget -= end - entry.start;
        viewer.pos = to;
        wrote = true;
      } else {
        if (entry.step === null || entry.step === viewer.step) {
          viewer.stream.write(block.subarray(entry.start, entry.end));
          budget -= entry.end - entry.start;
          wrote = true;
        }
        viewer.pos++;
      }
    }
    if (viewer.pos >= this.next && this.over) this.finish(viewer);
  }

  /** The viewer has everything the feed will ever have: `end` was sent, or the error is. */
  private finish(viewer: Viewer): void {
    // stopped without `end` or an error (the store closing): the browser resumes by cursor
    if (this.failureFrame) viewer.stream.write(this.failureFrame);
    this.remove(viewer);
    viewer.stream.end();
  }

  /** Ends a viewer that fell too far behind; EventSource resumes from its last id. */
  private cut(viewer: Viewer): void {
    this.remove(viewer);
    viewer.stream.end();
  }

  /** Moves a viewer onto the feed at sequence number `pos` (≥ the ring's first). */
  private join(viewer: Viewer, pos: number): void {
    this.catching.delete(viewer);
    viewer.catchUp?.abort();
    viewer.catchUp = null;
    viewer.live = true;
    viewer.pos = pos;
    this.live.add(viewer);
    viewer.stream.onDrain = () => this.send(viewer);
    if (viewer.stream.ready) this.send(viewer);
  }

  /** Joins a viewer whose last event was `cursor` (held by the feed). */
  joinAfter(viewer: Viewer, cursor: string): void {
    this.join(viewer, cursor === this.base ? this.first : (this.seqOf.get(cursor) ?? this.first - 1) + 1);
  }

  add(viewer: Viewer): void {
    clearTimeout(this.idleTimer);
    this.viewers.add(viewer);
  }

  /** The viewer replays from the store; the feed watches for the moment it can take over. */
  catchUp(viewer: Viewer): AbortController {
    const controller = new AbortController();
    viewer.catchUp = controller;
    this.catching.add(viewer);
    return controller;
  }

  /** The viewer's replay ended without meeting the feed. */
  stopCatchUp(viewer: Viewer): void {
    this.catching.delete(viewer);
    viewer.catchUp = null;
  }

  remove(viewer: Viewer): void {
    this.viewers.delete(viewer);
    this.live.delete(viewer);
    this.catching.delete(viewer);
    viewer.stream.onDrain = null;
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

/** Placeholder for an event dropped from the ring (its slot is compacted away later). */
const DROPPED: Entry = { cursor: '', step: null, frames: null, block: null, start: 0, end: 0, blockFrom: 0, blockEnd: 0, before: 0 };

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The step a `lines`, `update` or `step` event belongs to; null for the job-wide ones. */
function eventStep(event: StoreEvent): string | null {
  if (event.type === 'lines' || event.type === 'update') return event.step;
  if (event.type === 'step') return event.step.id;
  return null;
}

function passes(event: StoreEvent, step: string | undefined): boolean {
  if (step === undefined) return true;
  const own = eventStep(event);
  return own === null || own === step;
}

export interface OpenOptions {
  jobId: string;
  /** resume after this cursor (Last-Event-ID or ?after=); null: from the job's first event */
  after: string | null;
  /** only this step's lines, update and step events (job and end events always pass) */
  step?: string;
  /** the request's abort signal: the client went away */
  signal: AbortSignal;
  /** runs once when the stream ends, however it ends */
  onClose?: () => void;
  /** heartbeat period (tests) */
  heartbeatMs?: number;
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

  /** The job's feed's ring and viewer backlogs (null: no feed), to check the byte budgets. */
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
   * `GET /jobs/{job}/events`: every event of the job after `after` (null: from the first) as
   * an event stream, live until `end`. A failure becomes a final `error` frame; a viewer that
   * falls too far behind has its stream ended early (it resumes by cursor).
   */
  open(options: OpenOptions): Response {
    const stream = new SseStream(options.signal, options.onClose, options.heartbeatMs);
    const viewer: Viewer = { stream, step: options.step, pos: 0, live: false, lastCursor: options.after, catchUp: null };
    void this.serve(viewer, options.jobId, options.after).catch((error: unknown) => {
      if (stream.closed) return;
      stream.write(encodeFailure(error));
      stream.end();
    });
    return stream.response;
  }

  private async serve(viewer: Viewer, jobId: string, after: string | null): Promise<void> {
    const { stream } = viewer;
    const feed = await this.feedFor(jobId);
    if (stream.closed) return;
    if (!feed) {
      await this.replayCompleted(viewer, jobId, after);
      return;
    }
    feed.add(viewer);
    stream.onEnd = () => {
      viewer.catchUp?.abort();
      feed.remove(viewer);
    };
    if (after !== null && feed.holds(after)) {
      feed.joinAfter(viewer, after);
      return;
    }
    const signal = AbortSignal.any([stream.signal, feed.catchUp(viewer).signal]);
    for await (const event of this.store.subscribe(jobId, after, signal)) {
      await stream.whenReady();
      // the feed took over (it received the last event this replay sent), or the client left
      if (viewer.live || signal.aborted) return;
      this.write(viewer, event);
      viewer.lastCursor = event.cursor;
      if (event.type === 'end' || event.type === 'deleted') {
        feed.remove(viewer);
        stream.end();
        return;
      }
      if (feed.holds(event.cursor)) break;
    }
    if (viewer.live || stream.closed) return;
    feed.stopCatchUp(viewer);
    if (viewer.lastCursor !== null && feed.holds(viewer.lastCursor)) {
      feed.joinAfter(viewer, viewer.lastCursor);
    } else {
      // The feed ended or failed before the replay met it: finish from the store alone.
      feed.remove(viewer);
      await this.replayCompleted(viewer, jobId, viewer.lastCursor);
    }
  }

  /** Encodes a replayed event for one viewer (replays are per viewer: their events are its own). */
  private write(viewer: Viewer, event: StoreEvent): void {
    if (!passes(event, viewer.step)) return;
    for (const frame of encodeStoreEvent(event, this.limits.frameBytes).frames) viewer.stream.write(frame);
  }

  /** A finished job: what the store has after the cursor, then `end` even if it came before. */
  private async replayCompleted(viewer: Viewer, jobId: string, after: string | null): Promise<void> {
    const { stream } = viewer;
    let sawEnd = false;
    for await (const event of this.store.subscribe(jobId, after, stream.signal)) {
      await stream.whenReady();
      if (stream.closed) return;
      this.write(viewer, event);
      if (event.type === 'end' || event.type === 'deleted') {
        sawEnd = true;
        break;
      }
    }
    if (stream.closed) return;
    if (!sawEnd) {
      const job = await this.store.getJob(jobId);
      if (job && job.status !== 'running') this.write(viewer, { type: 'end', cursor: job.cursor, status: job.status });
      // gone while this replay read it (its subscription ended without a word)
      if (!job) this.write(viewer, { type: 'deleted', cursor: after ?? '0', job: jobId });
    }
    stream.end();
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
