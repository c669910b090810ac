/**
 * Deletion and retention benchmark: `npm run bench -- delete` (or
 * `npx tsx --conditions=react-server scripts/bench-delete.ts [file|postgres|nats ...]`).
 * For each reachable backend, on throw-away data: deleteJob of a completed job of 100,000 lines
 * (two steps), and listSizes (what a retention sweep reads first) over 200 small jobs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAppError } from '../lib/errors';
import { createStore } from '../lib/store';
import { buildLogLines, createTestDatabase, deleteNatsStreams, NATS_TEST_URL, POSTGRES_TEST_URL, runBench, uniqueNatsPrefix, withPrefix } from '../test/support';

const LINES = 100_000;
const BATCH = 1000;
const SMALL_JOBS = 200;

type Backend = 'file' | 'postgres' | 'nats';

async function target(backend: Backend): Promise<{ url: string; dispose: () => Promise<void> }> {
  if (backend === 'file') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-bench-delete-'));
    return { url: `file:${dir}`, dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  if (backend === 'postgres') {
    const db = await createTestDatabase();
    return { url: db.url, dispose: db.drop };
  }
  const prefix = uniqueNatsPrefix();
  return { url: withPrefix(NATS_TEST_URL, prefix), dispose: () => deleteNatsStreams(NATS_TEST_URL, prefix) };
}

async function bench(backend: Backend): Promise<void> {
  let t: { url: string; dispose: () => Promise<void> };
  try {
    t = await target(backend);
  } catch (error) {
    console.log(`${backend}: unreachable (${backend === 'postgres' ? POSTGRES_TEST_URL : NATS_TEST_URL}), skipped: ${String(error)}`);
    return;
  }
  try {
    const store = await createStore(t.url);
    try {
      const token = { tokenHash: '0'.repeat(64) };
      const big = `bench-del-${Date.now()}`;
      await store.putJob(big, {}, token);
      for (const step of ['a', 'b']) {
        for (let from = 1; from <= LINES / 2; from += BATCH) await store.append(big, step, { lines: buildLogLines(from, BATCH, LINES / 2) });
      }
      await store.complete(big, 'success');
      const t0 = performance.now();
      await store.deleteJob(big);
      const deleteMs = performance.now() - t0;
      for (let i = 0; i < SMALL_JOBS; i++) {
        const id = `bench-small-${i}`;
        await store.putJob(id, { labels: { repo: `r${i % 4}` } }, token);
        await store.append(id, 's', { lines: buildLogLines(1, 10, 10) });
        await store.complete(id, 'success');
      }
      const t1 = performance.now();
      const sizes = await store.listSizes();
      const listMs = performance.now() - t1;
      if (sizes.length !== SMALL_JOBS) throw new Error(`listSizes gave ${sizes.length} jobs`);
      console.log(
        `${backend.padEnd(8)} deleteJob(${LINES.toLocaleString('en')} lines) ${deleteMs.toFixed(0)} ms; ` +
          `listSizes over ${SMALL_JOBS} jobs ${listMs.toFixed(0)} ms`,
      );
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

async function main(): Promise<void> {
  const chosen = process.argv.slice(2).filter((a): a is Backend => a === 'file' || a === 'postgres' || a === 'nats');
  for (const backend of chosen.length ? chosen : (['file', 'postgres', 'nats'] as const)) await bench(backend);
}

runBench(main);
