import 'server-only';
import type { EventData, EventName } from '../contracts/events';

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

export function encodeEvent<E extends EventName>(event: E, data: EventData<E>, id?: string): string {
  let frame = '';
  if (id !== undefined) {
    if (/[\r\n\0]/.test(id)) throw new Error('an SSE id cannot contain CR, LF or NUL');
    frame += `id: ${id}\n`;
  }
  frame += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  return frame;
}

export function encodeComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

export function encodeRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}
