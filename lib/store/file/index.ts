import 'server-only';
import type { LogStore } from '../types';
import { FileStore, type FileStoreOptions } from './file-store';

export { FileStore, type FileStoreOptions } from './file-store';

/** The zero-config backend: everything under `dir` (created if missing). */
export async function createFileStore(options: FileStoreOptions): Promise<LogStore> {
  const store = new FileStore(options);
  await store.init();
  return store;
}
