import 'server-only';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { TooManyRequestsError } from '../errors';
import { SlotQueue } from '../slots';
import { MAX_SCAN_MS } from './budget';
import { MatcherCache, matchBlock, type BlockResult } from './match-block';
import type { CompiledQuery } from './pattern';
import { scanSidecars, type ScanSegment, type SidecarScanResult } from './sidecar-scan';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

/**
 * Searches run off the request thread. The request thread reads lines through the store API
 * (async I/O, cheap) and posts them in blocks to a search worker, which strips escapes and
 * matches (the CPU work). A search leases one worker for its whole run; at most DEFAULT_SEARCH_WORKERS
 * run at once, QUEUED_SEARCHES_PER_WORKER per worker more wait in line, and any further one is answered 429 with
 * `Retry-After`. A block's worker that has not answered TERMINATE_GRACE_MS past the search's
 * deadline is terminated (`worker.terminate()` interrupts even a regexp in the middle of one
 * `exec`), the search ends with what it has (truncated), and a fresh worker takes the slot.
 * Workers check the deadline themselves between lines, so termination is the rare last resort.
 */

/**
 * Search workers by default: the cores but one, at least 1 and at most 4. The request thread
 * keeps a core to itself, so health checks, ingest and SSE answer while every worker is busy
 * (2 cores here: 1 worker. Measured with scripts/bench-search-abuse.ts: 2 workers on 2 cores
 * raised the ingest p99 from ~0.3 s to ~1.4 s and the health p99 from 113 to 151 ms). `LOGSCOPE_SEARCH_WORKERS` overrides.
 */
export const DEFAULT_SEARCH_WORKERS = Math.max(1, Math.min(4, os.availableParallelism() - 1));
/**
 * Searches that may wait for a worker, per worker; past this a search is answered 429. A waiting
 * search then answers within ~3 scan budgets (~10 s): measured, a queue of 4 per worker let
 * answers take 15 s while health and ingest gained nothing.
 */
export const QUEUED_SEARCHES_PER_WORKER = 2;
/** A worker gets this long past the deadline to answer (it checks the clock every 256 lines) before it is terminated. */
export const TERMINATE_GRACE_MS = 250;
/** `Retry-After` (s) of a 429: about one search's scan budget, when a worker is likely free again. */
export const SEARCH_RETRY_AFTER_S = Math.ceil(MAX_SCAN_MS / 1000);

/** What a search worker posts once its modules are loaded (search-worker.ts). */
export const READY = 'ready';

/** Matches a block of line texts for one search. `null`: the worker was terminated at the deadline. */
export interface BlockMatcher {
  match(texts: string[], deadline: number): Promise<BlockResult | null>;
  /** Scans step sidecars (sidecar-scan.ts) keeping `want` hits after the first `skip`. `null`: terminated at the deadline. */
  scan(segments: ScanSegment[], want: number, deadline: number, skip?: number): Promise<SidecarScanResult | null>;
}

/** Runs `work` with a block matcher for `query`, on a worker (the pool) or in this thread (tests). */
export interface SearchRunner {
  run<T>(query: CompiledQuery, work: (matcher: BlockMatcher) => Promise<T>): Promise<T>;
}

/** The same matching in this thread: for unit tests and tools; the server never uses it. */
export const inThreadRunner: SearchRunner = {
  run(query, work) {
    const cache = new MatcherCache();
    return work({
      match: async (texts, deadline) => matchBlock(cache.get(query), texts, deadline),
      scan: async (segments, want, deadline, skip = 0) => scanSidecars(cache.prepared(query), segments, want, deadline, Date.now, skip),
    });
  },
};

type WorkerResult = BlockResult | SidecarScanResult;
/** A request without its id (the slot numbers it). */
type RequestBody = { kind?: 'texts'; query: CompiledQuery; texts: string[]; deadline: number } | { kind: 'sidecars'; query: CompiledQuery; segments: ScanSegment[]; want: number; skip: number; deadline: number };

interface Pending {
  resolve: (result: WorkerResult | null) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** One worker of the pool and its in-flight block (a slot serves one search at a time). */
class Slot {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  /** Settles once the current worker can take a request (its modules are loaded). */
  private booted: Promise<void> = Promise.resolve();

  constructor(
    private readonly spawn: () => Worker,
    private readonly graceMs: number,
    private readonly onTerminated: () => void,
    /** the worker posts READY once loaded (search-worker.ts); otherwise it is ready when online */
    private readonly announcesReady: boolean,
  ) {}

  /** Starts the worker ahead of its first search, so a search does not wait for a thread to boot. */
  warm(): void {
    if (this.worker === null) this.worker = this.start();
  }

  /**
   * Waits until the worker has booted (a fresh one loads its modules: ~0.1 s built, seconds from
   * the sources under load), so that a search's time budget is not spent on it.
   */
  async ready(): Promise<void> {
    this.warm();
    await this.booted;
  }

  private start(): Worker {
    const worker = this.spawn();
    worker.unref();
    let onReady = () => {};
    let onFail = (_error: Error) => {};
    this.booted = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    this.booted.catch(() => undefined);
    if (!this.announcesReady) worker.once('online', () => onReady());
    worker.on('message', (reply: WorkerReply | typeof READY) => {
      if (reply === READY) {
        onReady();
        return;
      }
      const pending = this.pending;
      if (!pending || this.worker !== worker) return;
      this.settle();
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new Error(`search worker: ${reply.message}`));
    });
    const fail = (error: Error) => {
      onFail(error);
      if (this.worker !== worker) return; // terminated by us: already replaced
      this.worker = null;
      const pending = this.pending;
      this.settle();
      pending?.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`search worker exited with code ${code}`)));
    return worker;
  }

  private settle(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = null;
  }

  match(query: CompiledQuery, texts: string[], deadline: number): Promise<BlockResult | null> {
    return this.request({ query, texts, deadline }) as Promise<BlockResult | null>;
  }

  scan(query: CompiledQuery, segments: ScanSegment[], want: number, deadline: number, skip: number): Promise<SidecarScanResult | null> {
    return this.request({ kind: 'sidecars', query, segments, want, skip, deadline }) as Promise<SidecarScanResult | null>;
  }

  private request(body: RequestBody): Promise<WorkerResult | null> {
    const deadline = body.deadline;
    const worker = this.worker ?? (this.worker = this.start());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Past the deadline and its grace: interrupt whatever it runs, answer with what we have.
        this.settle();
        this.worker = null;
        void worker.terminate();
        this.onTerminated();
        this.warm();
        resolve(null);
      }, Math.max(0, deadline - Date.now()) + this.graceMs);
      this.pending = { resolve, reject, timer };
      const request: WorkerRequest = { id: this.nextId++, ...body };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.settle();
    if (worker) await worker.terminate();
  }
}

export interface SearchPoolOptions {
  /** worker threads (searches running at once) */
  size: number;
  /** searches waiting for a worker before 429 */
  maxQueued: number;
  graceMs?: number;
  spawn?: () => Worker;
}

export class SearchPool implements SearchRunner {
  private readonly slots: SlotQueue<Slot>;
  /** workers terminated at a deadline since the pool started (tests and logs) */
  terminated = 0;

  constructor(options: SearchPoolOptions) {
    const spawn = options.spawn ?? spawnSearchWorker;
    const slots = Array.from({ length: options.size }, () => new Slot(spawn, options.graceMs ?? TERMINATE_GRACE_MS, () => this.terminated++, options.spawn === undefined));
    this.slots = new SlotQueue(slots, options.maxQueued, () => new TooManyRequestsError('too many searches at once: retry later', SEARCH_RETRY_AFTER_S));
  }

  /** Starts every worker now rather than on first use. */
  warm(): void {
    for (const slot of this.slots.free()) slot.warm();
  }

  async run<T>(query: CompiledQuery, work: (matcher: BlockMatcher) => Promise<T>): Promise<T> {
    const slot = await this.slots.acquire();
    try {
      await slot.ready();
      return await work({
        match: (texts, deadline) => slot.match(query, texts, deadline),
        scan: (segments, want, deadline, skip = 0) => slot.scan(query, segments, want, deadline, skip),
      });
    } finally {
      this.slots.release(slot);
    }
  }

  /** Terminates every idle worker (a test's cleanup; the server's workers are unref'd). */
  async close(): Promise<void> {
    await Promise.all(this.slots.free().map((slot) => slot.close()));
  }
}

/**
 * The worker entry. Next's bundler (Turbopack) recognises `new Worker(new URL('./x', import.meta.url))`
 * and builds the file as its own entry, so it must stay written this way. Run from the sources
 * (vitest, tsx) the entry is TypeScript, which a worker can only load through tsx's loader.
 * A worker is a plain Node thread: its modules are server modules (`import 'server-only'`), which
 * resolve to the empty module only under React's server condition, so the worker runs with it.
 */
const WORKER_OPTIONS = { execArgv: ['--conditions=react-server'] };

function spawnSearchWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const entry = JSON.stringify(import.meta.url.replace(/[^/]+$/, 'search-worker.ts'));
    return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${entry}, ${entry}))`, { eval: true, ...WORKER_OPTIONS });
  }
  return new Worker(new URL('./search-worker.ts', import.meta.url), WORKER_OPTIONS);
}

function workersFromEnv(): number {
  const value = Number(process.env.LOGSCOPE_SEARCH_WORKERS);
  return Number.isInteger(value) && value >= 1 && value <= 64 ? value : DEFAULT_SEARCH_WORKERS;
}

const POOL = Symbol.for('logscope.searchPool');
type WithPool = typeof globalThis & { [POOL]?: SearchPool };

/** The process's search pool (one per process, kept across module reloads in development). */
export function searchPool(): SearchPool {
  const global = globalThis as WithPool;
  if (!global[POOL]) {
    const size = workersFromEnv();
    global[POOL] = new SearchPool({ size, maxQueued: size * QUEUED_SEARCHES_PER_WORKER });
    global[POOL].warm();
  }
  return global[POOL];
}
