import { randomUUID } from 'node:crypto';

/**
 * Names unique across runs, parallel workers and processes sharing one store: 48 random bits
 * each, in characters every backend keeps as they are ([a-z0-9_-]).
 */
const randomPart = () => randomUUID().replace(/-/g, '').slice(0, 12);

/** A valid job id, `<tag>-<random>`. */
export function uniqueJobId(tag = 'e2e'): string {
  return `${tag}-${randomPart()}`;
}

/** A prefix of NATS streams and subjects of its own (lib/store/nats/index.ts `?prefix=`). */
export function uniqueNatsPrefix(): string {
  return `lst_${randomPart()}`;
}

/** A PostgreSQL database name. */
export function uniqueDatabaseName(): string {
  return `logscope_test_${randomPart()}`;
}
