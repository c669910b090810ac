import 'server-only';
import pg from 'pg';
import { UnavailableError } from '../../errors';
import type { JobChangeQueue } from '../job-changes';

/** NOTIFY channel; payload `{"job": id, "cursor": "123"}` (docs/notes.md: payloads stay tiny). */
export const CHANNEL = 'logscope_events';
/** Lets operators (and tests) tell the LISTEN session from pooled ones in pg_stat_activity. */
export const LISTEN_APPLICATION_NAME = 'logscope-listen';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A wake-up source for one job's subscriber. `wait()` resolves once a notification for the job
 * arrived since the previous `wait()` (or arrives later), after the LISTEN connection came back
 * (notifications sent while it was down are lost, so every subscriber re-reads by cursor), or
 * when the signal aborts. Never a timer: the only wake-ups are database notifications.
 */
export interface JobWatch {
  wait(signal: AbortSignal): Promise<void>;
  dispose(): void;
}

class Watch implements JobWatch {
  private dirty = false;
  private pending: { resolve: () => void; reject: (error: Error) => void } | null = null;

  constructor(
    private readonly onDispose: (watch: Watch) => void,
    /** The reason wake-ups cannot come now (the database is unreachable), or null. */
    private readonly outage: () => Error | null,
  ) {}

  poke(): void {
    this.dirty = true;
    const pending = this.pending;
    this.pending = null;
    pending?.resolve();
  }

  /** Ends a pending wait with `error`: its subscriber stops, and its viewer resumes by cursor. */
  fail(error: Error): void {
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  wait(signal: AbortSignal): Promise<void> {
    if (this.dirty || signal.aborted) {
      this.dirty = false;
      return Promise.resolve();
    }
    const outage = this.outage();
    if (outage) return Promise.reject(outage);
    return new Promise((resolve, reject) => {
      const onAbort = () => this.poke();
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        signal.removeEventListener('abort', onAbort);
        this.dirty = false;
      };
      this.pending = {
        resolve: () => {
          settle();
          resolve();
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
    });
  }

  dispose(): void {
    this.onDispose(this);
    this.poke();
  }
}

/**
 * One dedicated LISTEN connection (a pool would close or share it), shared by every subscriber of
 * one store. node-postgres does not reconnect by itself: on error we reconnect with backoff,
 * LISTEN again and poke every watcher so they backfill by cursor.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private readonly watches = new Map<string, Set<Watch>>();
  /** watchJobs queues: every notification's job, and `lost` after each (re)connect */
  private readonly observers = new Set<JobChangeQueue>();
  /** LISTEN is active on the current connection */
  private listening = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoff = RECONNECT_MIN_MS;
  private closed = false;
  private refs = 0;
  /** Set while a reconnect attempt has failed: waiting subscribers are failed, new waits too. */
  private outage: Error | null = null;

  constructor(private readonly connectionString: string) {}

  retain(): void {
    this.refs += 1;
  }

  /** Drops one reference; returns true when it was the last (the caller then shuts it down). */
  drop(): boolean {
    this.refs -= 1;
    return this.refs <= 0;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    for (const set of this.watches.values()) for (const w of set) w.poke();
    this.watches.clear();
    for (const observer of this.observers) observer.end();
    this.observers.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Connects and LISTENs; rejects when the database is unreachable (the caller retries). */
  async start(): Promise<void> {
    if (this.client || this.closed) return;
    const client = new pg.Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: LISTEN_APPLICATION_NAME,
    });
    client.on('notification', (msg) => this.onNotification(msg.payload));
    client.on('error', () => this.onLost(client));
    client.on('end', () => this.onLost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.backoff = RECONNECT_MIN_MS;
      if (this.client === client) {
        this.listening = true;
        // notifications sent before LISTEN (or while disconnected) are not coming: re-read
        for (const observer of this.observers) observer.lost();
      }
    } catch (error) {
      this.onLost(client);
      throw error;
    }
  }

  watchCount(): number {
    let count = 0;
    for (const set of this.watches.values()) count += set.size;
    return count;
  }

  watch(jobId: string): JobWatch {
    const watch: Watch = new Watch(
      (w) => {
        const set = this.watches.get(jobId);
        set?.delete(w);
        if (set?.size === 0) this.watches.delete(jobId);
      },
      () => this.outage,
    );
    let set = this.watches.get(jobId);
    if (!set) this.watches.set(jobId, (set = new Set()));
    set.add(watch);
    // A watcher created while the connection is down would otherwise miss the notifications
    // it was registered for: make sure a (re)connect is on its way.
    if (!this.client && !this.closed && !this.reconnectTimer) this.scheduleReconnect();
    return watch;
  }

  /**
   * Tells `queue` the job of every notification from now on (any job), and `lost` once LISTEN
   * is active and again after every reconnect. Returns the function that stops it.
   */
  observe(queue: JobChangeQueue): () => void {
    this.observers.add(queue);
    if (this.listening) queue.lost();
    else if (!this.client && !this.closed && !this.reconnectTimer) this.scheduleReconnect();
    return () => this.observers.delete(queue);
  }

  private onNotification(payload: string | undefined): void {
    if (!payload) return;
    let job: unknown;
    try {
      job = (JSON.parse(payload) as { job?: unknown }).job;
    } catch {
      return;
    }
    if (typeof job !== 'string') return;
    for (const w of this.watches.get(job) ?? []) w.poke();
    for (const observer of this.observers) observer.add(job);
  }

  private onLost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (!this.closed) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closed) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.start().then(
        () => {
          this.outage = null;
          for (const set of this.watches.values()) for (const w of set) w.poke();
        },
        () => {
          // The database is really gone (not just this session): subscribers fail now rather
          // than wait silently, so viewers show "reconnecting" and resume by cursor later.
          // onLost already scheduled the next attempt.
          this.outage = new UnavailableError('PostgreSQL is unreachable');
          for (const set of this.watches.values()) for (const w of set) w.fail(this.outage);
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}

/**
 * Module state can be evaluated more than once under Next (docs/notes.md), so listeners live on
 * globalThis, one per connection string, reference-counted by the stores using them.
 */
const REGISTRY = Symbol.for('logscope.postgres.listeners');
type Registry = Map<string, PgListener>;

function registry(): Registry {
  const g = globalThis as typeof globalThis & { [REGISTRY]?: Registry };
  return (g[REGISTRY] ??= new Map());
}

export function acquireListener(connectionString: string): PgListener {
  const listeners = registry();
  let listener = listeners.get(connectionString);
  if (!listener) {
    listener = new PgListener(connectionString);
    listeners.set(connectionString, listener);
  }
  listener.retain();
  return listener;
}

export async function releaseListener(connectionString: string, listener: PgListener): Promise<void> {
  if (!listener.drop()) return;
  const listeners = registry();
  if (listeners.get(connectionString) === listener) listeners.delete(connectionString);
  await listener.shutdown();
}
