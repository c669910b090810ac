import 'server-only';
import { encodeEvent, encodeLinesFrames } from '../sse/frames';
import type { StoreEvent } from '../store/types';

/** A store event as SSE frames (UTF-8 bytes), and their total size. */
export interface EncodedEvent {
  readonly frames: readonly Uint8Array[];
  readonly bytes: number;
}

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
    case 'step':
      return [encodeEvent('step', { step: event.step }, event.cursor)];
    case 'job':
      return [encodeEvent('job', event.job, event.cursor)];
    case 'end':
      return [encodeEvent('end', { status: event.status }, event.cursor)];
  }
}
