/**
 * Deletion and retention benchmark: `npm run bench -- delete` (or
 * `npx tsx --conditions=react-server scripts/bench-delete.ts [file|postgres|nats ...]`).
 * For each reachable backend, on throw-away data: deleteJob of a completed job of 100,000 lines
 * (two steps), and listSizes (what a retention sweep reads first) over 200 small jobs.
 */
import type { LogStore } from '../lib/store/types';
import { buildLogLines, runBench } from '../test/support';
import { forEachBackend, type Backend } from './bench-stores';

const LINES = 100_000;
const BATCH = 1000;
const SMALL_JOBS = 200;

async function bench(store: LogStore, backend: Backend): Promise<void> {
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
}

async function main(): Promise<void> {
  await forEachBackend(process.argv.slice(2), 'delete', bench);
}

runBench(main);
