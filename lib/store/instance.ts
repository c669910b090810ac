import 'server-only';
import { readConfig } from '../config';
import { createStore } from './index';
import type { LogStore } from './types';

/**
 * One store per server process. Next can evaluate modules more than once (docs/notes.md), so the
 * instance lives on globalThis; route handlers call getStore().
 */
const globalForStore = globalThis as typeof globalThis & { __logscopeStore?: Promise<LogStore> };

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
