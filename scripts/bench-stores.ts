/**
 * The backends loop shared by the store benchmarks (bench-backends.ts, bench-delete.ts): each
 * backend chosen on the command line (default all three) gets a LogStore over throw-away data,
 * removed afterwards; a backend that cannot be reached is reported and skipped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAppError } from '../lib/errors';
import { createStore } from '../lib/store';
import type { LogStore } from '../lib/store/types';
import { createTestDatabase, deleteNatsStreams, NATS_TEST_URL, POSTGRES_TEST_URL, uniqueNatsPrefix, withPrefix } from '../test/support';

export type Backend = 'file' | 'postgres' | 'nats';
const BACKENDS: readonly Backend[] = ['file', 'postgres', 'nats'];

/** A store URL over fresh data, and how to remove that data afterwards. */
async function target(backend: Backend, name: string): Promise<{ url: string; dispose: () => Promise<void> }> {
  if (backend === 'file') {
    const dir = await mkdtemp(path.join(os.tmpdir(), `logscope-bench-${name}-`));
    return { url: `file:${dir}`, dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  if (backend === 'postgres') {
    const db = await createTestDatabase();
    return { url: db.url, dispose: db.drop };
  }
  const prefix = uniqueNatsPrefix();
  return { url: withPrefix(NATS_TEST_URL, prefix), dispose: () => deleteNatsStreams(NATS_TEST_URL, prefix) };
}

/** Runs `fn` once per backend named in `args` (all when none is), each on a fresh store. */
export async function forEachBackend(args: readonly string[], name: string, fn: (store: LogStore, backend: Backend) => Promise<void>): Promise<void> {
  const chosen = args.filter((a): a is Backend => (BACKENDS as readonly string[]).includes(a));
  for (const backend of chosen.length ? chosen : BACKENDS) {
    let t: { url: string; dispose: () => Promise<void> };
    try {
      t = await target(backend, name);
    } catch (error) {
      console.log(`${backend}: unreachable (${backend === 'postgres' ? POSTGRES_TEST_URL : NATS_TEST_URL}), skipped: ${String(error)}`);
      continue;
    }
    try {
      const store = await createStore(t.url);
      try {
        await fn(store, backend);
      } finally {
        await store.close();
      }
    } catch (error) {
      if (isAppError(error) && error.code === 'unavailable') console.log(`${backend}: unreachable, skipped`);
      else throw error;
    } finally {
      await t.dispose().catch(() => undefined);
    }
  }
}
