/**
 * Errors the SDK surfaces. `kind` says what went wrong in terms a caller can act on; the CLI
 * maps it to an exit code. Messages are safe to print (they never contain the write token).
 */
export type LogscopeErrorKind =
  /** the server could not be reached (connection refused, reset, DNS, timeout) */
  | 'network'
  /** 401/403: missing or wrong write token or ingest key */
  | 'auth'
  /** 404: unknown job (or step) */
  | 'not_found'
  /** 409: the job exists and we have no token for it, or it is already complete */
  | 'conflict'
  /** 400/413: the server refused what we sent */
  | 'rejected'
  /** 5xx/429 after retries were exhausted */
  | 'unavailable'
  /** the server answered something that breaks the contract */
  | 'protocol'
  /** the caller's AbortSignal fired */
  | 'aborted';

export class LogscopeError extends Error {
  readonly kind: LogscopeErrorKind;
  /** HTTP status, when the error came from a response. */
  readonly status: number | undefined;
  /** API error code (`line_gap`, `job_completed`, …), when the server gave one. */
  readonly code: string | undefined;
  /** Extra fields of the error body, e.g. `{expected, last}`. */
  readonly details: Record<string, unknown>;
  /** `Retry-After` in ms, when the server sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: LogscopeErrorKind,
    message: string,
    init: {
      status?: number;
      code?: string;
      details?: Record<string, unknown>;
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'LogscopeError';
    this.kind = kind;
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.retryAfterMs = init.retryAfterMs;
  }

  /** A numeric detail such as `expected` or `last`, if present and sane. */
  detailNumber(key: string): number | undefined {
    const value = this.details[key];
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
}

export function isLogscopeError(error: unknown): error is LogscopeError {
  return error instanceof LogscopeError;
}

export function abortError(signal: AbortSignal): LogscopeError {
  return new LogscopeError('aborted', 'aborted', { cause: signal.reason });
}
