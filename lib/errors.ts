import 'server-only';
/**
 * Typed errors with messages that are safe to show a client. Route handlers turn them into
 * docs/api.md's `{"error": {"code", "message"}}` bodies; anything else becomes a 500 without details.
 */
export type ErrorCode =
  | 'bad_request'
  | 'regex_unsupported'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'line_gap'
  | 'job_completed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'quota_exceeded'
  | 'too_many_requests'
  | 'unavailable';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  regex_unsupported: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  line_gap: 409,
  job_completed: 409,
  too_large: 413,
  unsupported_media_type: 415,
  quota_exceeded: 409,
  too_many_requests: 429,
  unavailable: 503,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields merged into the error body, e.g. `{expected: 12}` or `{last: 40}`. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError('bad_request', message, details);

/** A line number beyond last + 1: the producer must resend from `expected`. */
export class LineGapError extends AppError {
  readonly expected: number;
  constructor(expected: number, got: number) {
    super('line_gap', `line ${got} leaves a gap: expected line ${expected}`, { expected, last: expected - 1 });
    this.expected = expected;
  }
}

export class JobCompletedError extends AppError {
  constructor(jobId: string) {
    super('job_completed', `job ${jobId} is complete and takes no more writes`);
  }
}

/**
 * An `end`-mode append (types.ts AppendBatch) whose ingest ran against a step state that
 * another writer has moved past: nothing was stored; re-read the step and try again.
 */
export class StaleAppendError extends AppError {
  constructor(readonly last: number) {
    super('conflict', `the step moved on to line ${last} meanwhile: retry`, { last });
  }
}

/** A per-job quota (lib/store/plan/quotas.ts) would be passed: nothing of the write is stored. */
export class QuotaError extends AppError {
  constructor(limit: string, max: number, message: string) {
    super('quota_exceeded', message, { limit, max });
  }
}

/**
 * An append masked with fewer of the job's masks than it now has (`masksVersion` below the
 * job's): nothing more was stored. The writer reloads the masks, masks the batch again and
 * retries (lib/ingest/README.md "Masks"); it reaches a client only when that keeps losing the
 * race. `accepted` counts the batch's first lines stored before the refusal: always 0, except
 * on NATS, where a batch cut into several messages can meet a new masks version between two.
 */
export class StaleMasksError extends AppError {
  constructor(
    readonly masksVersion: number,
    readonly current: number,
    readonly accepted = 0,
  ) {
    super('conflict', `masks changed while the batch was written (${masksVersion} → ${current}): retry`);
  }
}

/** The storage backend cannot be reached; clients retry after `retryAfter` seconds. */
export class UnavailableError extends AppError {
  readonly retryAfter: number;
  constructor(message = 'storage backend unavailable', retryAfter = 2) {
    super('unavailable', message, {});
    this.retryAfter = retryAfter;
  }
}

/** A budget is spent for now (e.g. every search worker busy); clients retry after `retryAfter` seconds. */
export class TooManyRequestsError extends AppError {
  readonly retryAfter: number;
  constructor(message: string, retryAfter: number) {
    super('too_many_requests', message, {});
    this.retryAfter = retryAfter;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
