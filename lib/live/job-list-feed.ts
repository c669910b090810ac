import 'server-only';
import type { JobList, JobSummary } from '../contracts';
import { UnavailableError } from '../errors';
import {
  JOB_LIST_LIVE_ROWS,
  JOB_LIST_QUEUE_BYTES,
  JOB_LIST_READ_INTERVAL_MS,
  JOB_LIST_READY_TIMEOUT_MS,
} from '../limits';
import { encodeListEvent } from '../sse/frames';
import { SseStream } from '../sse/response';
import { matchesFilter } from '../store/list-filter';
import { MAX_PENDING_CHANGES } from '../store/job-changes';
import type { JobFilter, ListJobsQuery, LogStore } from '../store/types';
import { encodeFailure } from './event-frames';

/**
 * The job list live (docs/architecture.md "The job list feed"). One watcher per server and
 * store, whatever the number of viewers: it holds ONE `store.watchJobs` subscription (file:
 * in-process, PostgreSQL: the store's LISTEN session, NATS: two headers-only consumers), and
 * when jobs change it reads their summaries in one store query per batch (named jobs only, at
 * most every JOB_LIST_READ_INTERVAL_MS), then offers each summary to every viewer. A viewer is
 * one `GET /api/v1/job-list/events` stream: its filter (the reader's visibility included, so a
 * stream only ever carries jobs the credential may see) decides what it is sent:
 *  - `upsert` for a job it holds (sent to it) that still matches, or a new matching job when it
 *    shows the newest page (no `before`), bounded by JOB_LIST_LIVE_ROWS;
 *  - `remove` for a job it holds that no longer matches or is gone (never for one it was not
 *    sent: a stream learns nothing of jobs outside its reach).
 * Bytes: each summary is encoded once per batch for all viewers; a viewer's waiting changes
 * are one entry per job (a newer change replaces the older), written in one chunk when its
 * socket takes more, and bounded by JOB_LIST_QUEUE_BYTES plus one batch (a reader that still
 * holds earlier changes past the budget is ended, and the browser reconnects for a new page). When the watch says changes may have been missed
 * (`resync`: a lost connection), every viewer is sent a new page.
 */

/** A watcher with no viewers lives this long, so a reloading page reuses it. */
const IDLE_WATCH_MS = 5000;
/** Most jobs one summary read names (the store's page size bound). */
const READ_CHUNK = 200;
/** Changes held for one viewer while its page is being read; past it the page is read again. */
const MAX_HELD_CHANGES = 1000;

/** What one change of a batch is, encoded once for every viewer. */
class Change {
  private upsertFrame: Uint8Array | null = null;
  private removeFrame: Uint8Array | null = null;

  constructor(
    readonly id: string,
    /** null: the job is gone */
    readonly summary: JobSummary | null,
  ) {}

  upsert(): Uint8Array {
    this.upsertFrame ??= Buffer.from(encodeListEvent('upsert', { job: this.summary! }), 'utf8');
    return this.upsertFrame;
  }

  remove(): Uint8Array {
    this.removeFrame ??= Buffer.from(encodeListEvent('remove', { id: this.id }), 'utf8');
    return this.removeFrame;
  }
}

export interface ListStreamOptions {
  /** what the stream shows: the request's filters and the reader's visibility */
  filter: JobFilter;
  limit: number;
  /** an older page: only its own jobs are updated (no new ones are added) */
  before?: string;
  signal: AbortSignal;
  /** runs once when the stream ends, however it ends */
  onClose?: () => void;
  heartbeatMs?: number;
}

class ListViewer {
  readonly stream: SseStream;
  /** ids the client holds from this stream */
  private known = new Set<string>();
  /** jobs the first page would hold older ones than (null: the page held every match) */
  private oldest: number | null = null;
  /** reading a page: changes are held until it is sent */
  private held: Map<string, Change> | null = new Map();
  /** more changes came while reading the page than are held: read it again */
  private heldOverflow = false;
  /** frames waiting for the socket, one per job ('' is the page) */
  private queue = new Map<string, Uint8Array>();
  private queueBytes = 0;
  /** bytes still waiting when the current batch of changes began */
  private lagBytes = 0;

  constructor(
    private readonly feed: JobListFeed,
    private readonly options: ListStreamOptions,
  ) {
    this.stream = new SseStream(options.signal, options.onClose, options.heartbeatMs);
    this.stream.onDrain = () => this.flush();
    this.stream.onEnd = () => feed.remove(this);
  }

  get query(): ListJobsQuery {
    const { filter, limit, before } = this.options;
    return { ...filter, limit, ...(before !== undefined ? { before } : {}) };
  }

  /** Sends `page` as the stream's whole state, then the changes held while it was read. */
  start(page: JobList): void {
    if (this.stream.closed) return;
    if (this.heldOverflow) {
      this.heldOverflow = false;
      this.held = new Map();
      this.readPage();
      return;
    }
    const held = this.held;
    this.held = null;
    this.known = new Set(page.jobs.map((job) => job.id));
    const last = page.jobs[page.jobs.length - 1];
    this.oldest = page.next !== null && last ? last.createdAt : null;
    this.queue.clear();
    this.queueBytes = 0;
    this.enqueue('', Buffer.from(encodeListEvent('page', page), 'utf8'));
    for (const change of held?.values() ?? []) this.offer(change);
  }

  /** Reads the page again (changes may have been missed) and sends it; the stream ends on failure. */
  resync(): void {
    if (this.held !== null || this.stream.closed) return; // a page is being read already
    this.held = new Map();
    this.readPage();
  }

  private readPage(): void {
    this.feed.store.listJobs(this.query).then(
      (page) => this.start(page),
      (error: unknown) => this.fail(error),
    );
  }

  offer(change: Change): void {
    if (this.stream.closed) return;
    if (this.held !== null) {
      if (this.held.size < MAX_HELD_CHANGES || this.held.has(change.id)) this.held.set(change.id, change);
      else this.heldOverflow = true;
      return;
    }
    const { id, summary } = change;
    if (summary !== null && matchesFilter(summary, this.options.filter)) {
      if (!this.known.has(id)) {
        if (!this.accepts(summary)) return;
        if (this.known.size >= JOB_LIST_LIVE_ROWS) {
          this.resync(); // the browser's list would grow past its bound: start again from a page
          return;
        }
        this.known.add(id);
      }
      this.enqueue(id, change.upsert());
    } else if (this.known.delete(id)) {
      this.enqueue(id, change.remove());
    }
  }

  /** Whether a matching job the client does not hold belongs on its page. */
  private accepts(summary: JobSummary): boolean {
    if (this.options.before !== undefined) return false; // an older page: new jobs are not on it
    return this.oldest === null || summary.createdAt >= this.oldest;
  }

  private enqueue(key: string, frame: Uint8Array): void {
    const previous = this.queue.get(key);
    if (previous) this.queueBytes -= previous.byteLength;
    this.queue.set(key, frame);
    this.queueBytes += frame.byteLength;
    this.flush();
  }

  /** A batch of changes begins: what is still waiting from earlier batches is the reader's lag. */
  beginBatch(): void {
    this.lagBytes = this.queueBytes;
  }

  /**
   * A batch of changes was offered. A reader that had not taken the earlier ones and now has
   * more than JOB_LIST_QUEUE_BYTES waiting is too far behind: its stream ends, and the browser
   * reconnects for a new page. One batch (≤ READ_CHUNK jobs) always fits, however large.
   */
  endBatch(): void {
    if (this.lagBytes > 0 && this.queueBytes > JOB_LIST_QUEUE_BYTES) this.stream.end();
  }

  /** Everything waiting, in one write, when the socket takes more. */
  private flush(): void {
    if (!this.stream.ready || this.queue.size === 0) return;
    const frames = [...this.queue.values()];
    this.queue.clear();
    this.queueBytes = 0;
    this.stream.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  fail(error: unknown): void {
    if (this.stream.closed) return;
    this.stream.write(encodeFailure(error));
    this.stream.end();
  }
}

/** Watchers and viewers, for /api/health and tests. */
export interface JobListStats {
  watchers: number;
  viewers: number;
}

class JobListFeed {
  readonly viewers = new Set<ListViewer>();
  private readonly controller = new AbortController();
  private readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private failed: ((error: unknown) => void) | null = null;
  private isReady = false;
  private pending = new Set<string>();
  private reading = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastRead = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  stopped = false;

  constructor(
    readonly store: LogStore,
    private readonly onStop: (feed: JobListFeed) => void,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failed = reject;
    });
    this.ready.catch(() => undefined);
    void this.run();
  }

  private async run(): Promise<void> {
    let failure: unknown = new UnavailableError('the job list watch ended');
    try {
      for await (const change of this.store.watchJobs(this.controller.signal)) {
        if (change.type === 'resync') {
          if (!this.isReady) {
            this.isReady = true;
            this.markReady();
          } else {
            for (const viewer of this.viewers) viewer.resync();
          }
        } else {
          for (const id of change.jobs) this.pending.add(id);
          if (this.pending.size > MAX_PENDING_CHANGES) {
            // more jobs changed than one watcher reads back while a read is slow: every viewer re-reads its page instead
            this.pending.clear();
            for (const viewer of this.viewers) viewer.resync();
          }
          this.schedule();
        }
      }
    } catch (error) {
      failure = error;
    } finally {
      this.stop();
      this.failed?.(failure);
      // viewers reconnect (EventSource) and start on a new watcher
      for (const viewer of [...this.viewers]) viewer.fail(failure);
    }
  }

  /** Resolves once the watch listens (changes after it are seen); rejects when it cannot. */
  async whenReady(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UnavailableError('the job list cannot follow changes now; retry later')), JOB_LIST_READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(): void {
    if (this.reading || this.timer !== undefined || this.pending.size === 0) return;
    const wait = Math.max(0, this.lastRead + JOB_LIST_READ_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.read();
    }, wait);
  }

  /** One store query per READ_CHUNK changed jobs; every viewer is offered every change. */
  private async read(): Promise<void> {
    if (this.stopped) return;
    this.reading = true;
    const ids = [...this.pending];
    this.pending = new Set();
    try {
      for (let i = 0; i < ids.length; i += READ_CHUNK) {
        const chunk = ids.slice(i, i + READ_CHUNK);
        const page = await this.store.listJobs({ limit: chunk.length, visible: { jobs: chunk } });
        const found = new Map(page.jobs.map((job) => [job.id, job]));
        const changes = chunk.map((id) => new Change(id, found.get(id) ?? null));
        for (const viewer of [...this.viewers]) {
          viewer.beginBatch();
          for (const change of changes) viewer.offer(change);
          viewer.endBatch();
        }
      }
    } catch {
      // the store failed this read: what it missed is read again from a new page
      for (const viewer of this.viewers) viewer.resync();
    } finally {
      this.reading = false;
      this.lastRead = Date.now();
      this.schedule();
    }
  }

  add(viewer: ListViewer): void {
    clearTimeout(this.idleTimer);
    this.viewers.add(viewer);
  }

  remove(viewer: ListViewer): void {
    this.viewers.delete(viewer);
    if (this.viewers.size === 0 && !this.stopped) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.stop(), IDLE_WATCH_MS);
      this.idleTimer.unref?.();
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.timer);
    this.controller.abort();
    this.onStop(this);
  }
}

export class JobListHub {
  private feed: JobListFeed | null = null;

  constructor(private readonly store: LogStore) {}

  stats(): JobListStats {
    return { watchers: this.feed ? 1 : 0, viewers: this.feed?.viewers.size ?? 0 };
  }

  private feedNow(): JobListFeed {
    if (!this.feed || this.feed.stopped) {
      this.feed = new JobListFeed(this.store, (stopped) => {
        if (this.feed === stopped) this.feed = null;
      });
    }
    return this.feed;
  }

  /**
   * A job list stream: its first page is read once the watcher listens (so no change is lost
   * between the two), before any byte is sent, so a bad query or a store failure is a plain
   * JSON error, not a stream.
   */
  async open(options: ListStreamOptions): Promise<Response> {
    const feed = this.feedNow();
    const viewer = new ListViewer(feed, options);
    feed.add(viewer);
    try {
      await feed.whenReady();
      viewer.start(await this.store.listJobs(viewer.query));
    } catch (error) {
      viewer.stream.end();
      throw error;
    }
    return viewer.stream.response;
  }
}

const globalForLists = globalThis as typeof globalThis & { __logscopeJobLists?: WeakMap<LogStore, JobListHub> };

/** One job list hub per store per process (module state can be evaluated more than once under Next). */
export function jobListHubFor(store: LogStore): JobListHub {
  const hubs = (globalForLists.__logscopeJobLists ??= new WeakMap());
  let hub = hubs.get(store);
  if (!hub) {
    hub = new JobListHub(store);
    hubs.set(store, hub);
  }
  return hub;
}
