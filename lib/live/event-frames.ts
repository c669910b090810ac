import 'server-only';
import { isAppError } from '../errors';
import { encodeEvent, encodeLinesFrames, encodeRetry } from '../sse/frames';
import type { StoreEvent } from '../store/types';

/** A store event as SSE frames (UTF-8 bytes), and their total size. */
export interface EncodedEvent {
  readonly frames: readonly Uint8Array[];
  readonly bytes: number;
}

/** Reconnect delay sent with errors that retrying cannot fix (bad cursor, job gone). */
const NO_RETRY_MS = 24 * 60 * 60 * 1000;

/**
 * Frames of events already encoded, by event object. The live hub encodes an event once when
 * it arrives (its size is the byte budgets' measure), and every viewer handed the same event
 * writes the same bytes: a hundred slow viewers of one 1 MiB line hold one copy of it, not a
 * hundred. Entries go when the event is no longer held by a ring or a queue.
 */
const encoded = new WeakMap<StoreEvent, EncodedEvent & { frameBytes: number }>();

/** Encodes a store event as SSE frames whose id is the event's cursor (`lines` split by `frameBytes`). */
export function encodeStoreEvent(event: StoreEvent, frameBytes: number): EncodedEvent {
  const known = encoded.get(event);
  if (known && known.frameBytes === frameBytes) return known;
  const frames = framesOf(event, frameBytes).map((frame) => Buffer.from(frame, 'utf8'));
  const entry = { frames, bytes: frames.reduce((sum, frame) => sum + frame.byteLength, 0), frameBytes };
  encoded.set(event, entry);
  return entry;
}

function framesOf(event: StoreEvent, frameBytes: number): string[] {
  switch (event.type) {
    case 'lines':
      return encodeLinesFrames(event.step, event.lines, event.cursor, frameBytes);
    case 'update':
      return encodeLinesFrames(event.step, event.lines, event.cursor, frameBytes, 'update');
    case 'step':
      return [encodeEvent('step', { step: event.step }, event.cursor)];
    case 'job':
      return [encodeEvent('job', event.job, event.cursor)];
    case 'end':
      return [encodeEvent('end', { status: event.status }, event.cursor)];
    case 'deleted':
      return [encodeEvent('deleted', { id: event.job }, event.cursor)];
  }
}

/**
 * The last frames of a stream that failed: an `error` event (the browser then reconnects by
 * cursor). A bad cursor or a vanished job will not get better by retrying: EventSource is told
 * to wait a day instead of reconnecting every few seconds. Outages keep the short default.
 */
export function encodeFailure(error: unknown): Uint8Array {
  const code = isAppError(error) ? error.code : 'internal';
  const message = isAppError(error) ? error.message : 'the log stream failed; reconnecting resumes it';
  if (!isAppError(error)) console.error('logscope: events stream failed', error);
  const retry = code === 'bad_request' || code === 'not_found' ? encodeRetry(NO_RETRY_MS) : '';
  return Buffer.from(retry + encodeEvent('error', { code, message }), 'utf8');
}
