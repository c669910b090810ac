import { appendResultSchema, stepAnswerSchema, type Stream, type StepStatus } from '../contracts';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './backoff';
import { abortError, isLogscopeError, LogscopeError } from './errors';
import type { HttpClient } from './http';
import { OutputLineSplitter, wholeLines } from './output-line-splitter';

/**
 * One step's producer. The protocol, in one place:
 *
 * - Lines are numbered here, densely, after the step's last producer line: the `PUT step`
 *   answer's `step.produced ?? step.lines`, asked before the first line is sent (the terminal
 *   screen may store fewer lines than were produced: `last` in answers is the producer's).
 * - Lines wait in an in-memory queue until the server acknowledges them (`200 {last}`): every
 *   queued line is unacknowledged. One request is in flight at a time, so the server sees
 *   lines in order; the next batch collects while it is out.
 * - A batch leaves after `flushMs`, or at once when `batchBytes` are waiting, or on flush/end.
 * - Failures: network errors, 5xx, 429 and 503 are retried with capped, jittered backoff
 *   (Retry-After honoured) and the same lines are resent; lines the server already stored
 *   come back as `duplicates`, so nothing is doubled. `409 line_gap {expected}` and
 *   `400/413 {last}` say how far the server got: we drop what it has and resend from there.
 *   Anything else (auth, job completed, lost acknowledged lines) is fatal for the writer.
 * - Backpressure: `write()` resolves at once while fewer than `maxBufferedBytes` are
 *   unacknowledged, otherwise when the queue has drained to half of that.
 *
 * `write()` never rejects (an ignored rejection would crash Node): a fatal error is kept and
 * thrown by `flush()`/`end()`, and reported to `onError`.
 */
export interface WriterOptions {
  flushMs: number;
  batchBytes: number;
  maxRequestBytes: number;
  maxBufferedBytes: number;
  maxLineBytes: number;
  retry: RetryPolicy;
}

export const DEFAULT_WRITER_OPTIONS: WriterOptions = {
  /** "a few ms": lines look live, yet a burst still shares one request */
  flushMs: 20,
  batchBytes: 64 * 1024,
  /** a backlog (after an outage, or behind a slow request) goes out in bigger requests */
  maxRequestBytes: 1024 * 1024,
  /** ~90k typical lines: rides out a server restart of a few seconds without pausing the build */
  maxBufferedBytes: 8 * 1024 * 1024,
  maxLineBytes: 1024 * 1024,
  retry: DEFAULT_RETRY,
};

/** Rough NDJSON size of a line beyond its text: `{"n":…,"ts":…,"stream":"out","text":""}`. */
const LINE_OVERHEAD_BYTES = 56;

export interface StepContext {
  http: HttpClient;
  jobId: string;
  token: string;
  signal: AbortSignal | undefined;
  onError?: ((error: LogscopeError) => void) | undefined;
}

export interface StepInit {
  name?: string | undefined;
  internal?: boolean | undefined;
}

export interface WriterStats {
  /** lines produced so far */
  written: number;
  /** lines handed to the server at least once */
  sent: number;
  /** lines the server acknowledged as durable */
  acked: number;
  /** requests retried after a transient failure */
  retries: number;
}

interface QueuedLine {
  ts: number;
  stream: Stream;
  text: string;
}

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const RESOLVED: Promise<void> = Promise.resolve();

export class StepWriter {
  readonly id: string;
  private readonly ctx: StepContext;
  private readonly init: StepInit;
  private readonly options: WriterOptions;
  private readonly splitters: Record<Stream, OutputLineSplitter>;

  private queue: QueuedLine[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** n of queue[head]; known once the step's stored count is read */
  private firstN = 0;
  private oldestAt = 0;

  private readonly counters: WriterStats = { written: 0, sent: 0, acked: 0, retries: 0 };
  private flushRequested = false;
  private ending = false;
  private endStatus: StepStatus | undefined;
  private failure: LogscopeError | undefined;
  private ackWaiters: Waiter[] = [];
  private roomWaiters: Array<() => void> = [];
  private wakeUp: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(id: string, ctx: StepContext, init: StepInit, options: WriterOptions) {
    this.id = id;
    this.ctx = ctx;
    this.init = init;
    this.options = options;
    this.splitters = { out: new OutputLineSplitter(options.maxLineBytes), err: new OutputLineSplitter(options.maxLineBytes) };
    ctx.signal?.addEventListener('abort', () => this.wake(), { once: true });
    this.loop = this.run().catch((error: unknown) => this.fail(error));
  }

  /** Raw output: split into lines here; a trailing partial line waits for its `\n` or `end()`. */
  write(chunk: string | Uint8Array, stream: Stream = 'out'): Promise<void> {
    if (this.ending) return RESOLVED;
    for (const text of this.splitters[stream].push(chunk)) this.enqueue(text, stream);
    return this.room();
  }

  /**
   * Whole lines, independent of write()'s pending partial line: `text` is one line, or several
   * if it contains `\n` (a trailing `\n` does not add an empty line).
   */
  line(text: string, stream: Stream = 'out'): Promise<void> {
    if (this.ending) return RESOLVED;
    for (const piece of wholeLines(text, this.options.maxLineBytes)) this.enqueue(piece, stream);
    return this.room();
  }

  /** Resolves once every line written so far is acknowledged by the server. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const target = this.counters.written;
    if (this.counters.acked >= target) return RESOLVED;
    this.flushRequested = true;
    this.wake();
    return new Promise((resolve, reject) => this.ackWaiters.push({ target, resolve, reject }));
  }

  /** Sends the partial lines and the rest of the queue, then sets the step's final status. */
  async end(status?: StepStatus): Promise<void> {
    if (!this.ending) {
      for (const stream of ['out', 'err'] as const) {
        for (const text of this.splitters[stream].end()) this.enqueue(text, stream);
      }
      this.endStatus = status;
      this.ending = true;
      this.wake();
    }
    await this.loop;
    if (this.failure) throw this.failure;
  }

  /** true while write() would make a producer wait: stop reading input until its promise resolves */
  get backlogged(): boolean {
    return this.failure === undefined && this.queuedBytes >= this.options.maxBufferedBytes;
  }

  stats(): WriterStats {
    return { ...this.counters };
  }

  get error(): LogscopeError | undefined {
    return this.failure;
  }

  // ---- producer side ----

  private enqueue(text: string, stream: Stream): void {
    if (this.failure) return;
    if (this.queue.length === this.head) this.oldestAt = Date.now();
    this.queue.push({ ts: Date.now(), stream, text });
    this.queuedBytes += text.length + LINE_OVERHEAD_BYTES;
    this.counters.written++;
    if (this.queuedBytes >= this.options.batchBytes) this.wake();
  }

  private room(): Promise<void> {
    if (this.failure || this.queuedBytes < this.options.maxBufferedBytes) return RESOLVED;
    const room = new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    this.wake();
    return room;
  }

  // ---- sender side ----

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  private waitForWake(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      this.wakeUp = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    await this.retrying(async () => {
      const { step } = await this.ctx.http.request(
        {
          method: 'PUT',
          path: this.stepPath(),
          token: this.ctx.token,
          json: { name: this.init.name, internal: this.init.internal, status: 'running' },
          signal: this.ctx.signal,
        },
        stepAnswerSchema,
      );
      // the producer's numbering: the screen may have merged lines (StepMeta.produced)
      this.firstN = (step.produced ?? step.lines) + 1;
    });
    for (;;) {
      await this.waitForBatch();
      if (this.queue.length === this.head) break;
      await this.retrying(() => this.sendBatch());
    }
    if (this.endStatus) {
      const status = this.endStatus;
      await this.retrying(() =>
        this.ctx.http.request(
          { method: 'PUT', path: this.stepPath(), token: this.ctx.token, json: { status }, signal: this.ctx.signal },
          stepAnswerSchema,
        ),
      );
    }
  }

  private async waitForBatch(): Promise<void> {
    for (;;) {
      if (this.ctx.signal?.aborted) throw abortError(this.ctx.signal);
      const waiting = this.queue.length - this.head;
      if (waiting === 0) {
        if (this.ending) return;
        this.flushRequested = false;
        await this.waitForWake(undefined);
        continue;
      }
      // a producer blocked on backpressure gains nothing from waiting for the timer
      if (this.ending || this.flushRequested || this.roomWaiters.length > 0) return;
      if (this.queuedBytes >= this.options.batchBytes) return;
      const age = Date.now() - this.oldestAt;
      if (age >= this.options.flushMs) return;
      await this.waitForWake(this.options.flushMs - age);
    }
  }

  private async sendBatch(): Promise<void> {
    let bytes = 0;
    let end = this.head;
    const parts: string[] = [];
    while (end < this.queue.length && (end === this.head || bytes < this.options.maxRequestBytes)) {
      const line = this.queue[end] as QueuedLine;
      const record = JSON.stringify({ n: this.firstN + (end - this.head), ts: line.ts, stream: line.stream, text: line.text });
      parts.push(record);
      bytes += record.length + 1;
      end++;
    }
    const count = end - this.head;
    const highN = this.firstN + count - 1;
    this.counters.sent = Math.max(this.counters.sent, this.counters.acked + count);
    try {
      const result = await this.ctx.http.request(
        {
          method: 'POST',
          path: `${this.stepPath()}/lines`,
          token: this.ctx.token,
          body: `${parts.join('\n')}\n`,
          contentType: 'application/x-ndjson',
          signal: this.ctx.signal,
        },
        appendResultSchema,
      );
      if (result.last > highN) {
        throw new LogscopeError('conflict', `step ${this.id} has lines this writer did not send (another producer?)`);
      }
      this.ackThrough(result.last);
    } catch (error) {
      if (!isLogscopeError(error)) throw error;
      // 409 line_gap and 400/413 {last}: the server says how far it got; resend from there
      const last =
        error.code === 'line_gap'
          ? (error.detailNumber('expected') ?? 0) - 1
          : error.status === 400 || error.status === 413
            ? error.detailNumber('last')
            : undefined;
      if (last === undefined || last < 0) throw error;
      if (last < this.firstN - 1) {
        throw new LogscopeError(
          'protocol',
          `server has ${last} lines of step ${this.id} but had acknowledged ${this.firstN - 1}: lines were lost`,
        );
      }
      const before = this.firstN;
      this.ackThrough(Math.min(last, highN));
      // an answer that moves nothing would fail the same way forever
      if (this.firstN === before) throw error;
    }
  }

  private ackThrough(last: number): void {
    const count = Math.min(last - this.firstN + 1, this.queue.length - this.head);
    if (count <= 0) return;
    for (let i = this.head; i < this.head + count; i++) {
      this.queuedBytes -= (this.queue[i] as QueuedLine).text.length + LINE_OVERHEAD_BYTES;
    }
    this.head += count;
    this.firstN += count;
    this.counters.acked += count;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.settleWaiters();
  }

  private settleWaiters(): void {
    if (this.ackWaiters.length > 0) {
      const done = this.ackWaiters.filter((w) => w.target <= this.counters.acked);
      this.ackWaiters = this.ackWaiters.filter((w) => w.target > this.counters.acked);
      for (const waiter of done) waiter.resolve();
    }
    if (this.roomWaiters.length > 0 && this.queuedBytes <= this.options.maxBufferedBytes / 2) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private retrying<T>(attempt: () => Promise<T>): Promise<T> {
    return withRetry(this.options.retry, this.ctx.signal, attempt, () => this.counters.retries++);
  }

  private fail(error: unknown): void {
    const failure = isLogscopeError(error)
      ? error
      : new LogscopeError('protocol', error instanceof Error ? error.message : String(error), { cause: error });
    this.failure = failure;
    for (const waiter of this.ackWaiters) waiter.reject(failure);
    this.ackWaiters = [];
    for (const resolve of this.roomWaiters) resolve();
    this.roomWaiters = [];
    this.ctx.onError?.(failure);
  }

  private stepPath(): string {
    return `/jobs/${encodeURIComponent(this.ctx.jobId)}/steps/${encodeURIComponent(this.id)}`;
  }
}
