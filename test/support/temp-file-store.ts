import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createFileStore } from '../../lib/store/file';
import type { LogStore } from '../../lib/store/types';

// vitest only (it registers vitest hooks): not exported from index.ts, which Playwright loads too.
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
