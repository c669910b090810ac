import type { ConformanceHandle } from '../../lib/store/conformance';
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
