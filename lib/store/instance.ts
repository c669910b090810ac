import 'server-only';
import { readConfig } from '../config';
import { createStore } from './index';
import type { LogStore } from './types';

/**
 * One store per server process. Next can evaluate modules more than once (docs/notes.md), so the
 * instance lives on globalThis; route handlers call getStore().
 */
const globalForStore = globalThis as typeof globalThis & {
  __logscopeStore?: Promise<LogStore>;
  /** called by scripts/server.mjs on shutdown: it runs outside Next's bundle, so cannot import this */
  __logscopeCloseStore?: () => Promise<void>;
};

/** Closes this process's store, if one was opened: journals flushed, directory lock released. */
export async function closeStore(): Promise<void> {
  const pending = globalForStore.__logscopeStore;
  globalForStore.__logscopeStore = undefined;
  const store = await pending?.catch(() => undefined);
  await store?.close();
}
globalForStore.__logscopeCloseStore = closeStore;

export function getStore(): Promise<LogStore> {
  if (!globalForStore.__logscopeStore) {
    const pending = createStore(readConfig().storeUrl);
    // A failed start is not cached: the next request tries again (the backend may come up).
    pending.catch(() => {
      if (globalForStore.__logscopeStore === pending) globalForStore.__logscopeStore = undefined;
    });
    globalForStore.__logscopeStore = pending;
  }
  return globalForStore.__logscopeStore;
}
