import 'server-only';
import { AppError, UnavailableError } from '../../errors';

/**
 * SQLSTATE classes/codes that mean "the database is not there right now" rather than "this
 * request is wrong": connection exceptions (08…), operator intervention (57P01 admin shutdown,
 * 57P02 crash shutdown, 57P03 cannot connect now) and 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
/** node-postgres reports these as plain Errors without a code. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection ended',
  'Cannot use a pool after calling end',
];

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return UNAVAILABLE_MESSAGES.some((m) => error.message.includes(m));
}

/** AppErrors pass through; connection trouble becomes UnavailableError (503 + Retry-After). */
export function toStoreError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isUnavailable(error)) return new UnavailableError('PostgreSQL is unavailable');
  return error;
}
