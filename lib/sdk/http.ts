import type { z } from 'zod';
import { parseRetryAfter } from './backoff';
import { LogscopeError, type LogscopeErrorKind } from './errors';

/**
 * The one place the SDK talks HTTP: fetch, bearer auth, docs/api.md error bodies turned into
 * LogscopeError, responses validated with the shared zod schemas (never `as T`).
 */
export interface HttpOptions {
  /** Server origin (`http://localhost:3000`) or the API base (`…/api/v1`). */
  url: string;
  fetch?: typeof fetch;
  /** Per-request timeout: a stuck request is treated as a network error and retried. */
  timeoutMs?: number;
}

export interface RequestInit {
  method: 'GET' | 'PUT' | 'POST';
  /** path below /api/v1, already encoded */
  path: string;
  token?: string | undefined;
  json?: unknown;
  body?: string;
  contentType?: string;
  signal?: AbortSignal | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Error bodies are small; never read more of a misbehaving server's answer than this. */
const MAX_ERROR_BODY_CHARS = 64 * 1024;

export function apiBase(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v1') ? trimmed : `${trimmed}/api/v1`;
}

export function origin(url: string): string {
  return apiBase(url).slice(0, -'/api/v1'.length);
}

export class HttpClient {
  readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: HttpOptions) {
    this.base = apiBase(options.url);
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Sends one request; resolves with the parsed body of a 2xx, throws LogscopeError otherwise. */
  async request<S extends z.ZodType>(init: RequestInit, schema: S): Promise<z.infer<S>> {
    const response = await this.send(init);
    let data: unknown;
    try {
      data = await response.json();
    } catch (cause) {
      throw new LogscopeError('protocol', `${init.method} ${init.path}: response is not JSON`, {
        status: response.status,
        cause,
      });
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new LogscopeError('protocol', `${init.method} ${init.path}: unexpected response shape`, {
        status: response.status,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  private async send(init: RequestInit): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    } else if (init.contentType) {
      headers['content-type'] = init.contentType;
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${init.path}`, { method: init.method, headers, body, signal });
    } catch (cause) {
      if (init.signal?.aborted) throw new LogscopeError('aborted', 'aborted', { cause: init.signal.reason });
      const reason = timeout.aborted ? `timed out after ${this.timeoutMs} ms` : describeNetworkError(cause);
      throw new LogscopeError('network', `cannot reach ${origin(this.base)}: ${reason}`, { cause });
    }
    if (response.ok) return response;
    throw await errorFromResponse(init, response);
  }
}

/** undici wraps the useful part (ECONNREFUSED…) in `cause`. */
function describeNetworkError(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}

function kindForStatus(status: number): LogscopeErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429 || status >= 500) return 'unavailable';
  return 'rejected';
}

async function errorFromResponse(init: RequestInit, response: Response): Promise<LogscopeError> {
  let code: string | undefined;
  let message = `${init.method} ${init.path}: HTTP ${response.status}`;
  let details: Record<string, unknown> = {};
  try {
    const text = (await response.text()).slice(0, MAX_ERROR_BODY_CHARS);
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && isRecord(body.error)) {
      const { code: c, message: m, ...rest } = body.error;
      if (typeof c === 'string') code = c;
      if (typeof m === 'string') message = `${m} (HTTP ${response.status})`;
      details = rest;
    }
  } catch {
    // a proxy's HTML error page or an empty body: the status alone has to do
  }
  return new LogscopeError(kindForStatus(response.status), message, {
    status: response.status,
    code,
    details,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
