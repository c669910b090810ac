import 'server-only';
import { HEARTBEAT_MS, RETRY_MS, SSE_HEADERS, encodeComment, encodeRetry } from './frames';

const encoder = new TextEncoder();
/** The bytes every stream starts with, and its heartbeat: one copy for all streams. */
const PREAMBLE = encoder.encode(encodeRetry(RETRY_MS) + encodeComment('logscope events'));
const HEARTBEAT = encoder.encode(encodeComment('hb'));
/** The abort reason of a stream that ended (one object: a DOMException per stream costs). */
const STREAM_CLOSED = new Error('the event stream ended');

/**
 * One event-stream response that its owner writes to (push), already-encoded frames only.
 *
 * Backpressure: the stream holds at most one written chunk that the client has not taken
 * (highWaterMark 1). `ready` says whether the next write goes straight to the client; an owner
 * that finds it false keeps its place and writes again from `onDrain`, called each time the
 * client has taken everything (Next pipes the body into the socket and stops reading while the
 * socket is full). So what a slow reader costs is bounded by the owner, never by this stream.
 * Chunks are written as given, never copied: the live hub hands the same bytes to every viewer.
 *
 * Headers go at once with a retry hint and a comment; a comment every `heartbeatMs` keeps
 * proxies from timing out (one timer for all streams, not one per stream). Everything is
 * released when the client goes away (`cancel`, or the request's abort signal) or the owner
 * ends the stream; `signal` aborts then, and `onClose` runs exactly once.
 */
export class SseStream {
  readonly response: Response;
  private isClosed = false;
  /** made when someone asks for `signal` (a replay from the store), not for every stream */
  private done: AbortController | null = null;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private waiters: (() => void)[] = [];
  /** no write since the last heartbeat tick */
  private quiet = true;
  /** inside write(): the stream calls pull from enqueue when a read was waiting */
  private writing = false;
  /** Called when the client has taken everything written (and the stream is still open). */
  onDrain: (() => void) | null = null;
  /** Called once when the stream is over, however it ends (before `onClose`). */
  onEnd: (() => void) | null = null;

  constructor(
    private readonly requestSignal: AbortSignal,
    private readonly onClose: () => void = () => undefined,
    private readonly heartbeatMs: number = HEARTBEAT_MS,
  ) {
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
          controller.enqueue(PREAMBLE);
        },
        pull: () => {
          if (this.closed) return;
          const waiters = this.waiters;
          if (waiters.length > 0) {
            this.waiters = [];
            for (const wake of waiters) wake();
          }
          // A pull from inside write() means the reader took that chunk at once; the owner is
          // still writing, and the reader's next read pulls again.
          if (!this.writing) this.onDrain?.();
        },
        cancel: () => this.release(),
      },
      { highWaterMark: 1 },
    );
    this.response = new Response(stream, { status: 200, headers: SSE_HEADERS });
    heartbeats(heartbeatMs).add(this);
    requestSignal.addEventListener('abort', this.release, { once: true });
    if (requestSignal.aborted) this.release();
  }

  /** Aborted once the stream is over (client gone, or ended). */
  get signal(): AbortSignal {
    this.done ??= new AbortController();
    if (this.isClosed) this.done.abort(STREAM_CLOSED);
    return this.done.signal;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** True when a write now goes to the client without waiting behind an earlier one. */
  get ready(): boolean {
    return !this.closed && (this.controller.desiredSize ?? 0) > 0;
  }

  /** Resolves when `ready`, or when the stream is over. */
  whenReady(): Promise<void> {
    if (this.ready || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Writes bytes (ignored once closed). The owner checks `ready` to keep its budget. */
  write(chunk: Uint8Array): void {
    if (this.closed) return;
    this.quiet = false;
    this.writing = true;
    try {
      this.controller.enqueue(chunk);
    } finally {
      this.writing = false;
    }
  }

  /** Ends the stream after what was written. */
  end(): void {
    this.release();
  }

  /** The heartbeat tick: a comment if nothing was written since the last tick. */
  heartbeat(): void {
    if (this.quiet && this.ready) this.controller.enqueue(HEARTBEAT);
    this.quiet = true;
  }

  private readonly release = (): void => {
    if (this.isClosed) return;
    this.isClosed = true;
    this.done?.abort(STREAM_CLOSED);
    heartbeats(this.heartbeatMs).delete(this);
    this.requestSignal.removeEventListener('abort', this.release);
    this.onDrain = null;
    const onEnd = this.onEnd;
    this.onEnd = null;
    onEnd?.();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    try {
      // what was written still goes (a client that left has cancelled the stream already)
      this.controller.close();
    } catch {
      /* already closed or cancelled */
    }
    this.onClose();
  };
}

/** The open streams of one heartbeat period, and the one interval that serves them. */
class Heartbeats {
  private readonly streams = new Set<SseStream>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly ms: number) {}

  add(stream: SseStream): void {
    this.streams.add(stream);
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const s of this.streams) s.heartbeat();
    }, this.ms);
    this.timer.unref?.();
  }

  delete(stream: SseStream): void {
    this.streams.delete(stream);
    if (this.streams.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

const globalForSse = globalThis as typeof globalThis & { __logscopeHeartbeats?: Map<number, Heartbeats> };

function heartbeats(ms: number): Heartbeats {
  const all = (globalForSse.__logscopeHeartbeats ??= new Map());
  let group = all.get(ms);
  if (!group) {
    group = new Heartbeats(ms);
    all.set(ms, group);
  }
  return group;
}

/**
 * An event-stream Response over an async iterable of already-encoded frames (text or UTF-8
 * bytes). Pull-based: the next frame is produced only when the client has taken the previous
 * one, so a slow reader never piles history up in memory. `onClose` runs exactly once, on
 * whichever ends the stream first (e.g. to give back a connection slot).
 */
export function sseResponse(
  frames: (signal: AbortSignal) => AsyncIterable<string | Uint8Array>,
  requestSignal: AbortSignal,
  heartbeatMs: number = HEARTBEAT_MS,
  onClose: () => void = () => undefined,
): Response {
  const stream = new SseStream(requestSignal, onClose, heartbeatMs);
  const iterator = frames(stream.signal)[Symbol.asyncIterator]();
  stream.signal.addEventListener('abort', () => void iterator.return?.().catch(() => undefined), { once: true });
  void (async () => {
    try {
      for (;;) {
        await stream.whenReady();
        if (stream.closed) return;
        const next = await iterator.next();
        if (next.done) break;
        stream.write(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
      }
    } catch {
      // The iterator already turned a failure into an `error` frame where it could.
    }
    stream.end();
  })();
  return stream.response;
}
