import 'server-only';
import { Worker } from 'node:worker_threads';
import { TooManyRequestsError, UnavailableError } from '../../errors';
import { SlotQueue } from '../../slots';
import { DiffReader } from '../diff';
import { LineDiff } from '../hunks';
import { createNormaliser, type NormaliseRuleId } from '../normalise';
import type { DiffWorkerReply, DiffWorkerRequest } from './worker-protocol';

/**
 * Diffs run off the request thread (docs/diff.md "Serving"). The request thread reads both
 * steps from the store page by page (async I/O) and sends each page's texts to a diff worker,
 * which normalises, interns and finally aligns them (the CPU work: ~11 s for two 1M-line steps).
 * One page is in flight at a time, so the request thread holds one page, the worker only the
 * diff's integers (docs/diff.md "Bounds"). A diff leases one worker for its whole run; at most
 * DIFF_WORKERS run at once, MAX_QUEUED_DIFFS more wait, and any further one is refused with
 * 429 and `Retry-After`. A worker still busy MAX_DIFF_MS after its diff started (once the worker had booted) is terminated
 * and the diff fails with 503; a fresh worker takes the slot.
 */

/**
 * Diff workers: 1. A diff holds up to DIFF_BYTES_PER_LINE × both sides (136 MB for two 1M-line
 * steps) in its worker, so workers multiply the worst-case memory; and the search pool already
 * takes a core on a small machine. Diffs are cached (cache.ts), so one worker serves repeats.
 */
export const DIFF_WORKERS = 1;
/** Diffs that may wait for a worker; past this a new diff is answered 429. */
export const MAX_QUEUED_DIFFS = 4;
/** A diff that has not finished this long after it got its worker is stopped (503): ~25× two 1M-line steps' CPU time. */
export const MAX_DIFF_MS = 5 * 60_000;
/** `Retry-After` (s) of a 429: about one large diff. */
export const DIFF_RETRY_AFTER_S = 10;

/** What a worker posts once its modules are loaded (diff-worker.ts). */
const READY = 'ready';

/** One diff on a worker: feed both sides' texts (false: that side is full, send no more), then finish. */
export interface DiffSink {
  addBase(texts: string[]): Promise<boolean>;
  addHead(texts: string[]): Promise<boolean>;
  finish(): Promise<LineDiff>;
}

/** Runs `work` with a sink for one diff, on a worker (the pool) or in this thread (tests). */
export interface DiffRunner {
  run<T>(rules: readonly NormaliseRuleId[], work: (sink: DiffSink) => Promise<T>, options?: { maxLines?: number }): Promise<T>;
  /** True when a new diff would be refused (every worker busy and the queue full). */
  full(): boolean;
}

/** The same diff in this thread: for unit tests and tools; the server never uses it. */
export const inThreadRunner: DiffRunner = {
  async run(rules, work, options = {}) {
    const reader = new DiffReader({ normalise: createNormaliser(rules), ...(options.maxLines !== undefined ? { maxLines: options.maxLines } : {}) });
    return work({
      addBase: async (texts) => reader.addBase(texts),
      addHead: async (texts) => reader.addHead(texts),
      finish: async () => reader.finish(),
    });
  },
  full: () => false,
};

type Body = DiffWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** One worker and its one in-flight request. */
class Slot {
  private worker: Worker | null = null;
  private pending: { resolve: (reply: DiffWorkerReply) => void; reject: (error: Error) => void } | null = null;
  private nextId = 1;
  private booted: Promise<void> = Promise.resolve();

  constructor(
    private readonly spawn: () => Worker,
    private readonly announcesReady: boolean,
  ) {}

  warm(): void {
    if (this.worker === null) this.worker = this.start();
  }

  /** A worker is running (not killed since). */
  get alive(): boolean {
    return this.worker !== null;
  }

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
    worker.on('message', (reply: DiffWorkerReply | typeof READY) => {
      if (reply === READY) {
        onReady();
        return;
      }
      const pending = this.pending;
      if (!pending || this.worker !== worker) return;
      this.pending = null;
      pending.resolve(reply);
    });
    const fail = (error: Error) => {
      onFail(error);
      if (this.worker !== worker) return; // terminated by us: already replaced
      this.worker = null;
      const pending = this.pending;
      this.pending = null;
      pending?.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`diff worker exited with code ${code}`)));
    return worker;
  }

  request(body: Body): Promise<DiffWorkerReply> {
    const worker = this.worker ?? (this.worker = this.start());
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      worker.postMessage({ id: this.nextId++, ...body } satisfies DiffWorkerRequest);
    });
  }

  /** Stops the worker (a diff past its time); the next request starts a fresh one. */
  kill(reason: Error): void {
    const worker = this.worker;
    const pending = this.pending;
    this.worker = null;
    this.pending = null;
    pending?.reject(reason);
    if (worker) void worker.terminate();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.pending = null;
    if (worker) await worker.terminate();
  }
}

function expectOk(reply: DiffWorkerReply): DiffWorkerReply & { ok: true } {
  if (!reply.ok) throw new Error(`diff worker: ${reply.message}`);
  return reply;
}

export interface DiffPoolOptions {
  size: number;
  maxQueued: number;
  maxMs?: number;
  spawn?: () => Worker;
}

export class DiffPool implements DiffRunner {
  private readonly slots: SlotQueue<Slot>;
  private readonly maxMs: number;

  constructor(options: DiffPoolOptions) {
    this.maxMs = options.maxMs ?? MAX_DIFF_MS;
    const spawn = options.spawn ?? spawnDiffWorker;
    const slots = Array.from({ length: options.size }, () => new Slot(spawn, options.spawn === undefined));
    this.slots = new SlotQueue(slots, options.maxQueued, () => new TooManyRequestsError('too many diffs at once: retry later', DIFF_RETRY_AFTER_S));
  }

  warm(): void {
    for (const slot of this.slots.free()) slot.warm();
  }

  full(): boolean {
    return this.slots.saturated();
  }

  async run<T>(rules: readonly NormaliseRuleId[], work: (sink: DiffSink) => Promise<T>, options: { maxLines?: number } = {}): Promise<T> {
    const slot = await this.slots.acquire();
    let expired: Error | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      // the time limit starts once the worker has booted (a fresh one loads its modules first)
      await slot.ready();
      timer = setTimeout(() => {
        expired = new UnavailableError('the diff took too long: try again later', DIFF_RETRY_AFTER_S);
        slot.kill(expired);
      }, this.maxMs);
      const call = async (body: Body) => {
        if (expired) throw expired; // its worker is gone: the rest of this diff is refused
        return expectOk(await slot.request(body));
      };
      await call({ kind: 'start', rules: [...rules], ...(options.maxLines !== undefined ? { maxLines: options.maxLines } : {}) });
      const more = (reply: DiffWorkerReply & { ok: true }) => ('more' in reply ? reply.more : false);
      let finished = false;
      try {
        return await work({
          addBase: async (texts) => more(await call({ kind: 'page', side: 'base', texts })),
          addHead: async (texts) => more(await call({ kind: 'page', side: 'head', texts })),
          finish: async () => {
            finished = true;
            const reply = await call({ kind: 'finish' });
            if (!('parts' in reply)) throw new Error('diff worker: no diff in its answer');
            return LineDiff.fromParts(reply.parts);
          },
        });
      } catch (error) {
        // a diff abandoned half-way (a store read failed): the worker drops what it holds
        if (!finished && slot.alive && !expired) await slot.request({ kind: 'reset' }).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      // past its time, whatever failed (the worker's boot, a request) failed because it was stopped
      throw expired ?? error;
    } finally {
      clearTimeout(timer);
      this.slots.release(slot);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.free().map((slot) => slot.close()));
  }
}

/**
 * The worker entry, written as lib/search/pool.ts's: Next's bundler builds
 * `new Worker(new URL('./x', import.meta.url))` as its own entry; from the sources (vitest,
 * tsx) the TypeScript entry is loaded through tsx's loader. Server modules need React's
 * server condition (`server-only`).
 */
const WORKER_OPTIONS = { execArgv: ['--conditions=react-server'] };

function spawnDiffWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const entry = JSON.stringify(import.meta.url.replace(/[^/]+$/, 'diff-worker.ts'));
    return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${entry}, ${entry}))`, { eval: true, ...WORKER_OPTIONS });
  }
  return new Worker(new URL('./diff-worker.ts', import.meta.url), WORKER_OPTIONS);
}

const POOL = Symbol.for('logscope.diffPool');
type WithPool = typeof globalThis & { [POOL]?: DiffPool };

/** The process's diff pool (one per process, kept across module reloads in development). */
export function diffPool(): DiffPool {
  const global = globalThis as WithPool;
  if (!global[POOL]) {
    global[POOL] = new DiffPool({ size: DIFF_WORKERS, maxQueued: MAX_QUEUED_DIFFS });
    global[POOL].warm();
  }
  return global[POOL];
}
