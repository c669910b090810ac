import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileStore } from '../../lib/store/file';
import { createNatsStore } from '../../lib/store/nats';
import { createPostgresStore } from '../../lib/store/postgres';
import type { LogStore } from '../../lib/store/types';
import { uniqueNatsPrefix } from './ids';
import { deleteNatsStreams, NATS_TEST_URL, natsReachable, withPrefix } from './nats';
import { createTestDatabase, postgresReachable } from './postgres';

/** A backend a test runs against when it can be reached here: a fresh store, and its removal. */
export interface StoreBackend {
  name: 'file' | 'postgres' | 'nats';
  reachable: () => Promise<boolean>;
  open: () => Promise<{ store: LogStore; cleanup: () => Promise<void> }>;
}

/**
 * The three backends, each opened on data of its own: a temp dir named `logscope-<tmpPrefix>-…`,
 * a fresh PostgreSQL database, a unique NATS stream prefix. Not in ./index.ts: it loads the
 * stores (server modules), which the e2e specs importing the support index must not.
 */
export function storeBackends(tmpPrefix: string): StoreBackend[] {
  return [
    {
      name: 'file',
      reachable: async () => true,
      open: async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), `logscope-${tmpPrefix}-`));
        const store = await createFileStore({ dir });
        return { store, cleanup: async () => (await store.close(), await rm(dir, { recursive: true, force: true })) };
      },
    },
    {
      name: 'postgres',
      reachable: () => postgresReachable(),
      open: async () => {
        const db = await createTestDatabase();
        const store = await createPostgresStore({ url: db.url });
        return { store, cleanup: async () => (await store.close(), await db.drop()) };
      },
    },
    {
      name: 'nats',
      reachable: () => natsReachable(),
      open: async () => {
        const prefix = uniqueNatsPrefix();
        const url = withPrefix(NATS_TEST_URL, prefix);
        const store = await createNatsStore({ url });
        return { store, cleanup: async () => (await store.close(), await deleteNatsStreams(url, prefix)) };
      },
    },
  ];
}
