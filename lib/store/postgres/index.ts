import 'server-only';
import pg from 'pg';
import type { LogStore } from '../types';
import { toStoreError } from './errors';
import { acquireListener, releaseListener } from './listener';
import { migrate } from './schema';
import { PostgresStore } from './store';

export interface PostgresStoreConfig {
  /** `postgres://user:pass@host:port/db` (node-postgres connection string). */
  url: string;
  /** Pool size per server process. */
  maxConnections?: number;
}

/** A stopped server must turn into a 503 quickly, not a hung request. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Client-side bound on any single statement (a half-open TCP connection never answers). */
const QUERY_TIMEOUT_MS = 30_000;

/**
 * Connects, applies migrations (advisory-locked, safe with several servers starting at once)
 * and starts the shared LISTEN connection. Rejects with UnavailableError when PostgreSQL
 * cannot be reached.
 */
export async function createPostgresStore(config: PostgresStoreConfig): Promise<LogStore> {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'logscope',
  });
  // An idle client losing its connection emits on the pool; without a handler the process dies.
  pool.on('error', () => undefined);
  const listener = acquireListener(config.url);
  try {
    await migrate(pool);
    await listener.start();
  } catch (error) {
    await releaseListener(config.url, listener);
    await pool.end().catch(() => undefined);
    throw toStoreError(error);
  }
  return new PostgresStore(pool, config.url, listener);
}
