import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ConformanceHandle } from '../../lib/store/conformance';
import { createFileStore } from '../../lib/store/file';
import type { LogStore } from '../../lib/store/types';

/**
 * The conformance handle of a backend whose instances share their data, as servers behind a
 * load balancer do (PostgreSQL, NATS): `reopen` and `peer` open one more instance over the
 * same data; `cleanup` closes every instance opened, then removes the data.
 */
export async function sharedDataHandle(
  open: () => Promise<LogStore>,
  listenerCount: (store: LogStore) => number,
  removeData: () => Promise<void>,
): Promise<ConformanceHandle> {
  const stores: LogStore[] = [];
  const openTracked = async () => {
    const store = await open();
    stores.push(store);
    return store;
  };
  const store = await openTracked();
  return {
    store,
    reopen: openTracked,
    peer: openTracked,
    listenerCount: () => listenerCount(store),
    cleanup: async () => {
      for (const s of stores) await s.close();
      await removeData();
    },
  };
}

/**
 * A fresh file store in a temporary directory for every test of the calling file (vitest
 * hooks), closed and removed after it; `use` receives each one.
 */
export function eachTempFileStore(tag: string, use: (store: LogStore) => void): void {
  let dir = '';
  let store: LogStore | null = null;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), `logscope-${tag}-`));
    store = await createFileStore({ dir });
    use(store);
  });
  afterEach(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });
}
