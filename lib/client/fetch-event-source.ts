import { MAX_LINE_BYTES } from '@/lib/contracts';

/*
 * An EventSource that reads the stream with fetch, so it can send `Authorization: Bearer` (a
 * read key): EventSource sends no headers. It behaves as the browser's does where the viewer
 * relies on it (components/log-viewer/use-live-stream.ts): `open`, named `MessageEvent`s with
 * `lastEventId`, `error`; a dropped connection is retried by itself after the server's
 * `retry:` delay with `Last-Event-ID` (readyState CONNECTING), while an HTTP error or a
 * response that is not an event stream closes it for good (readyState CLOSED).
 */

/** The part of EventSource the viewer uses; both EventSource and FetchEventSource have it. */
export interface LiveSource {
  readonly readyState: number;
  onopen: ((ev: Event) => void) | null;
  onerror: ((ev: Event) => void) | null;
  addEventListener(type: string, listener: (ev: Event) => void): void;
  close(): void;
}

/** Delay before reconnecting until the server sends `retry:` (the browsers' usual default). */
export const DEFAULT_RETRY_MS = 3000;
/** Longest accepted `retry:` (a hostile server cannot park the client for days). */
const MAX_RETRY_MS = 60_000;
/**
 * Longest event (data plus the line being read, in UTF-16 units). One `lines` frame holds at
 * most one line over SSE_FRAME_BYTES, and a line is at most MAX_LINE_BYTES, JSON-escaped up to
 * six times its size: a longer event is not ours, and the stream is dropped rather than buffered.
 */
export const MAX_EVENT_CHARS = 6 * MAX_LINE_BYTES + 64 * 1024;

export interface SseEvent {
  type: string;
  data: string;
  /** the last event id seen on the stream so far ('' for none) */
  lastEventId: string;
}

/**
 * The event-stream format (HTML "Server-sent events", 9.2.6): lines end with CRLF, LF or CR;
 * `event`, `data`, `id` (no NUL) and `retry` (digits) fields; `:` comments; a blank line
 * dispatches (nothing when no data). Fed decoded text in chunks of any size.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private dataChars = 0;
  private type = '';
  private pendingCr = false;
  /** persists across events and reconnections, as EventSource's does */
  lastEventId = '';

  constructor(
    private readonly onEvent: (ev: SseEvent) => void,
    private readonly onRetry: (ms: number) => void = () => {},
  ) {}

  /** Parses a chunk; throws when one event outgrows MAX_EVENT_CHARS. */
  feed(chunk: string): void {
    let text = chunk;
    // a CR that ended the previous chunk already ended its line: a LF right after it is that line's
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer + text.slice(start, i));
      this.buffer = '';
      if (c === 13) {
        if (i + 1 === text.length) this.pendingCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer += text.slice(start);
    if (this.buffer.length + this.dataChars > MAX_EVENT_CHARS) throw new Error(`an event-stream event is longer than ${MAX_EVENT_CHARS} characters`);
  }

  /** A new connection: a half-read event is dropped (the id stays). */
  reset(): void {
    this.buffer = '';
    this.data = [];
    this.dataChars = 0;
    this.type = '';
    this.pendingCr = false;
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.dataChars += value.length + 1;
      if (this.dataChars > MAX_EVENT_CHARS) throw new Error(`an event-stream event is longer than ${MAX_EVENT_CHARS} characters`);
    } else if (field === 'event') this.type = value;
    else if (field === 'id') {
      if (!value.includes('\0')) this.lastEventId = value;
    } else if (field === 'retry') {
      if (/^[0-9]{1,9}$/.test(value)) this.onRetry(Number(value));
    }
  }

  private dispatch(): void {
    const data = this.data;
    const type = this.type || 'message';
    this.data = [];
    this.dataChars = 0;
    this.type = '';
    if (data.length === 0) return;
    this.onEvent({ type, data: data.join('\n'), lastEventId: this.lastEventId });
  }
}

function originOf(url: string): string {
  try {
    return new URL(url, globalThis.location?.href).origin;
  } catch {
    return '';
  }
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

export class FetchEventSource extends EventTarget implements LiveSource {
  readyState = CONNECTING;
  onopen: ((ev: Event) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  private retryMs = DEFAULT_RETRY_MS;
  private controller: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly parser: SseParser;
  private readonly origin: string;

  constructor(
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {
    super();
    this.origin = originOf(url);
    this.parser = new SseParser(
      (ev) => {
        if (this.readyState !== OPEN) return;
        this.dispatchEvent(new MessageEvent(ev.type, { data: ev.data, lastEventId: ev.lastEventId, origin: this.origin }));
      },
      (ms) => {
        this.retryMs = Math.min(ms, MAX_RETRY_MS);
      },
    );
    void this.connect();
  }

  close(): void {
    this.readyState = CLOSED;
    clearTimeout(this.timer);
    this.controller?.abort();
    this.controller = null;
  }

  private error(): void {
    const ev = new Event('error');
    this.onerror?.(ev);
    this.dispatchEvent(ev);
  }

  /** The connection dropped: retry after the delay, as EventSource does. */
  private reconnect(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CONNECTING;
    this.error();
    if (this.readyState === CLOSED) return;
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
  }

  /** The server refused the stream: no retry (the caller decides, on readyState CLOSED). */
  private fail(): void {
    if (this.readyState === CLOSED) return;
    this.close();
    this.error();
  }

  private async connect(): Promise<void> {
    if (this.readyState === CLOSED) return;
    const controller = new AbortController();
    this.controller = controller;
    this.parser.reset();
    const headers: Record<string, string> = { ...this.headers, accept: 'text/event-stream' };
    if (this.parser.lastEventId) headers['last-event-id'] = this.parser.lastEventId;
    let res: Response;
    try {
      res = await fetch(this.url, { headers, signal: controller.signal, cache: 'no-store' });
    } catch {
      if (!controller.signal.aborted) this.reconnect();
      return;
    }
    const type = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !/^text\/event-stream\b/i.test(type) || !res.body) {
      void res.body?.cancel().catch(() => {});
      return this.fail();
    }
    if (this.readyState === CLOSED) return;
    this.readyState = OPEN;
    const open = new Event('open');
    this.onopen?.(open);
    this.dispatchEvent(open);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.parser.feed(value);
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      if (err instanceof Error && err.message.startsWith('an event-stream event is longer')) {
        controller.abort();
        return this.fail();
      }
    }
    if (!controller.signal.aborted) this.reconnect();
  }
}
