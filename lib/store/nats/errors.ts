import 'server-only';
import { AppError, UnavailableError } from '../../errors';

/** JetStream API error code for a failed `expected last subject sequence` check. */
export const WRONG_LAST_SEQUENCE = 10071;

export function isWrongLastSequence(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (error as Error & { code?: unknown }).code === WRONG_LAST_SEQUENCE || error.message.includes('wrong last sequence');
}

/** Names of nats.js errors that mean "the server (or its JetStream quorum) is not reachable now". */
const UNAVAILABLE_NAMES = new Set([
  'ConnectionError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'TimeoutError',
  'NoRespondersError',
  'RequestError',
  'JetStreamNotEnabled',
]);
const UNAVAILABLE_MESSAGES = ['timeout', 'no responders', 'connection closed', 'disconnect', 'ECONNREFUSED', 'insufficient resources', 'no suitable peers', 'stream offline', 'jetstream system temporarily unavailable'];

export function toStoreError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof Error) {
    const message = error.message.toLowerCase();
    const code = (error as Error & { code?: unknown }).code;
    if (
      UNAVAILABLE_NAMES.has(error.name) ||
      UNAVAILABLE_NAMES.has(error.constructor.name) ||
      code === 'ECONNREFUSED' ||
      code === 503 ||
      UNAVAILABLE_MESSAGES.some((m) => message.includes(m.toLowerCase()))
    ) {
      return new UnavailableError('NATS JetStream is unavailable');
    }
  }
  return error;
}
