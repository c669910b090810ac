import 'server-only';
import type { EventData, EventName } from '../contracts/events';
import type { JobListEventData, JobListEventName } from '../contracts/job-list';
import type { Line } from '../contracts/lines';

/**
 * The only code that writes event-stream frames (docs/style.md #4). Data is always one line of
 * JSON: a raw CR or LF in data would cut the event (CR, LF and CRLF all end an SSE line).
 */

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform keeps compression (and its buffering) off this response
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
} as const;

/** How long the browser waits before reconnecting after the stream drops (ms). */
export const RETRY_MS = 2000;
/** nginx's default read timeout is 60 s; proxies see a comment well within it. */
export const HEARTBEAT_MS = 15_000;

function idField(id: string | undefined): string {
  if (id === undefined) return '';
  if (/[\r\n\0]/.test(id)) throw new Error('an SSE id cannot contain CR, LF or NUL');
  return `id: ${id}\n`;
}

export function encodeEvent<E extends EventName>(event: E, data: EventData<E>, id?: string): string {
  return `${idField(id)}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An event of the job list's stream (lib/contracts/job-list.ts): no id, nothing resumes it. */
export function encodeListEvent<E extends JobListEventName>(event: E, data: JobListEventData<E>): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function encodeComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

export function encodeRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

/**
 * A `lines` event as one or more frames of at most `maxFrameBytes` each (UTF-8), in order. A
 * line whose frame alone is larger still goes, alone. Each line is serialised once; one frame
 * is byte for byte what `encodeEvent('lines', {step, lines}, id)` writes.
 *
 * Resuming: a cursor names a whole store event, never a place inside one, so only the LAST
 * frame carries `id`. A client cut off between the frames of one event still holds the
 * previous event's id (EventSource keeps the last id it saw) and resumes before this event:
 * the event is sent again whole. Nothing is lost; the lines it already had come again with
 * the same `n`, which a client drops (lib/viewer/live-tail.ts ignores an `n` it holds).
 */
export function encodeLinesFrames(
  step: string,
  lines: readonly Line[],
  id: string | undefined,
  maxFrameBytes: number,
  event: 'lines' | 'update' = 'lines',
): string[] {
  const idLine = idField(id);
  const head = `event: ${event}\ndata: {"step":${JSON.stringify(step)},"lines":[`;
  const tail = ']}\n\n';
  const empty = Buffer.byteLength(head) + tail.length;
  const frames: string[] = [];
  let parts: string[] = [];
  let size = empty;
  for (const line of lines) {
    const json = JSON.stringify(line);
    const bytes = Buffer.byteLength(json);
    if (parts.length > 0 && size + 1 + bytes > maxFrameBytes) {
      frames.push(head + parts.join(',') + tail);
      parts = [];
      size = empty;
    }
    size += bytes + (parts.length > 0 ? 1 : 0);
    parts.push(json);
  }
  frames.push(idLine + head + parts.join(',') + tail);
  return frames;
}
