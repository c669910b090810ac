import type { LogStore } from './types';

export type { LogStore, StoreEvent, AppendBatch, JobPrivate, JobVisibility, ListJobsQuery } from './types';

/** The default store: zero-config local files under ./data. */
export const DEFAULT_STORE_URL = 'file:./data';

/**
 * The one place a backend is chosen (`LOGSCOPE_STORE`): `file:DIR`, `postgres://…`
 * (or `postgresql://…`), `nats://…`. Backends are imported lazily so a file-store server
 * never loads pg or the NATS client.
 */
export async function createStore(url: string = DEFAULT_STORE_URL): Promise<LogStore> {
  if (url.startsWith('file:')) {
    const { createFileStore } = await import('./file');
    return createFileStore({ dir: url.slice('file:'.length) || './data' });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { createPostgresStore } = await import('./postgres');
    return createPostgresStore({ url });
  }
  if (url.startsWith('nats://')) {
    const { createNatsStore } = await import('./nats');
    return createNatsStore({ url });
  }
  throw new Error(`LOGSCOPE_STORE: unsupported store URL scheme in ${JSON.stringify(url.split(':')[0])}`);
}
