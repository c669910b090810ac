import 'server-only';
import { HEARTBEAT_MS, RETRY_MS, SSE_HEADERS, encodeComment, encodeRetry } from './frames';

const encoder = new TextEncoder();

/**
 * An event-stream Response over an async iterable of already-encoded frames (text or UTF-8 bytes). Pull-based: the
 * next frame is produced only when the client has taken the previous one, so a slow reader
 * never piles history up in memory. Headers flush at once (a retry hint and a comment), a
 * heartbeat comment keeps proxies from timing out, and everything is released when the
 * client goes away (`cancel`, or the request's abort signal). `onClose` runs exactly once,
 * on whichever of those ends the stream first (e.g. to give back a connection slot).
 */
export function sseResponse(
  frames: (signal: AbortSignal) => AsyncIterable<string | Uint8Array>,
  requestSignal: AbortSignal,
  heartbeatMs: number = HEARTBEAT_MS,
  onClose: () => void = () => undefined,
): Response {
  const controller = new AbortController();
  const iterator = frames(controller.signal)[Symbol.asyncIterator]();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const release = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    controller.abort();
    requestSignal.removeEventListener('abort', release);
    void iterator.return?.().catch(() => undefined);
    onClose();
  };
  requestSignal.addEventListener('abort', release, { once: true });

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(encoder.encode(encodeRetry(RETRY_MS) + encodeComment('logscope events')));
      heartbeat = setInterval(() => {
        if (closed) return;
        try {
          c.enqueue(encoder.encode(encodeComment('hb')));
        } catch {
          release();
        }
      }, heartbeatMs);
      if (requestSignal.aborted) release();
    },
    async pull(c) {
      if (closed) return;
      try {
        const next = await iterator.next();
        if (closed) return;
        if (next.done) {
          release();
          c.close();
          return;
        }
        // bytes are enqueued as they are: frames shared by many viewers are not copied per viewer
        c.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
      } catch {
        // The iterator already turned a failure into an `error` frame where it could.
        release();
        try {
          c.close();
        } catch {
          /* already closed */
        }
      }
    },
    cancel() {
      release();
    },
  });

  return new Response(stream, { status: 200, headers: SSE_HEADERS });
}
