import http from 'node:http';
import net from 'node:net';
import { prng } from '../../test/support/prng';

export { prng };

/**
 * The bad-input suite's wire: requests sent exactly as written (node:http with the path as
 * given, since fetch and URL would normalise `%2e%2e` or re-encode a malformed escape), raw
 * sockets for framing HTTP parsers refuse, and every answer recorded so that the suite can
 * count the 5xx it got. Every exchange has a deadline.
 */

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
}

export interface ErrorBody {
  code: string;
  message: string;
  [detail: string]: unknown;
}

/** The `error` of a JSON error body; null when the body is not one. */
export function errorOf(answer: Answer): ErrorBody | null {
  try {
    const body = JSON.parse(answer.text) as { error?: ErrorBody };
    return body.error ?? null;
  } catch {
    return null;
  }
}

export function jsonOf<T>(answer: Answer): T {
  return JSON.parse(answer.text) as T;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** the request is abandoned (and the exchange fails) after this long */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** Statuses of every answer a case got, in order (the 5xx count reads them). */
export class Recorder {
  statuses: number[] = [];
  record(status: number): void {
    this.statuses.push(status);
  }
  reset(): void {
    this.statuses = [];
  }
  get serverErrors(): number {
    return this.statuses.filter((s) => s >= 500).length;
  }
}

export class Wire {
  constructor(
    readonly base: string,
    readonly recorder: Recorder,
  ) {}

  get port(): number {
    return Number(new URL(this.base).port);
  }

  /** One request with `path` exactly as given; the whole answer is read. */
  send(method: string, path: string, options: SendOptions = {}): Promise<Answer> {
    const started = performance.now();
    const { hostname, port } = new URL(this.base);
    return new Promise((resolve, reject) => {
      const request = http.request({ host: hostname, port, method, path, agent: false, headers: options.headers ?? {} }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          this.recorder.record(status);
          resolve({ status, headers: response.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started });
        });
        response.on('error', reject);
      });
      request.setTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => request.destroy(new Error(`${method} ${path.slice(0, 120)}: no answer in time`)));
      request.on('error', reject);
      request.end(options.body);
    });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send('GET', path, { headers });
  }

  /** JSON body (a string is sent as is, so that invalid JSON can be). */
  json(method: string, path: string, body: unknown, token?: string | null): Promise<Answer> {
    return this.send(method, path, {
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  lines(path: string, body: string | Buffer, token: string | null, type = 'text/plain', extra: Record<string, string> = {}): Promise<Answer> {
    return this.send('POST', path, {
      headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
      body,
    });
  }

  /**
   * Raw bytes over a socket; resolves with the status line's code (0 when the server closed
   * without answering) once the server closes, or after `waitMs`.
   */
  raw(bytes: string | Buffer, waitMs = 3_000): Promise<{ status: number; text: string }> {
    return new Promise((resolve) => {
      const socket = net.connect(this.port, '127.0.0.1');
      let text = '';
      const done = () => {
        clearTimeout(timer);
        socket.destroy();
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
        if (status > 0) this.recorder.record(status);
        resolve({ status, text });
      };
      const timer = setTimeout(done, waitMs);
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (complete(text)) done();
      });
      socket.on('close', done);
      socket.on('error', () => undefined);
      socket.write(bytes);
    });
  }

  /** An open socket with `head` written; the caller writes more, then destroys it. */
  openRaw(head: string | Buffer): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.port, '127.0.0.1', () => {
        socket.write(head);
        resolve(new RawSocket(socket, this.recorder));
      });
      socket.once('error', reject);
    });
  }
}

export class RawSocket {
  private text = '';
  readonly closed: Promise<void>;

  constructor(
    readonly socket: net.Socket,
    private readonly recorder: Recorder,
  ) {
    socket.on('data', (d: Buffer) => (this.text += d.toString('latin1')));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  write(bytes: string | Buffer): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** What the server answered so far (headers and body, latin1). */
  get received(): string {
    return this.text;
  }

  get status(): number {
    return Number(/^HTTP\/1\.[01] (\d{3})/.exec(this.text)?.[1] ?? 0);
  }

  /** Ends the exchange the hard way (a cut connection), recording any answer that came. */
  cut(): void {
    if (this.status > 0) this.recorder.record(this.status);
    this.socket.destroy();
  }
}

/** Whether `text` holds a whole answer: its head and as many body bytes as Content-Length says. */
function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const headers = text.slice(0, end);
  if (/\r\ntransfer-encoding: *chunked/i.test(headers)) return text.endsWith('\r\n0\r\n\r\n');
  const length = /\r\ncontent-length: *(\d+)/i.exec(headers)?.[1];
  return length !== undefined && text.length - end - 4 >= Number(length);
}

/** A request head for raw sockets; `headers` as written, so duplicates and odd values go out. */
export function head(method: string, path: string, headers: [string, string][]): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

export const chunk = (data: string | Buffer): Buffer => {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
};


export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
