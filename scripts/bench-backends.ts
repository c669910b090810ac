/**
 * Backend benchmark: `npx tsx --conditions=react-server scripts/bench-backends.ts [file|postgres|nats ...]`.
 * For each reachable backend: ingest rate of 1M lines appended in batches of 1000 (each batch
 * acknowledged — durable — before the next), then readLines(900,000, 100) latency p50/p99 over
 * 50 reads. Each backend runs on throw-away data: a temp dir, a fresh database
 * `logscope_bench_*` (dropped), a unique NATS stream prefix (deleted). Unreachable: skipped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAppError } from '../lib/errors';
import { createStore } from '../lib/store';
import { buildLogLines, createTestDatabase, deleteNatsStreams, NATS_TEST_URL, percentile, POSTGRES_TEST_URL, runBench, uniqueNatsPrefix, withPrefix } from '../test/support';

const TOTAL_LINES = 1_000_000;
const BATCH = 1000;
const READS = 50;
const READ_AT = 900_000;
const READ_LIMIT = 100;

type Backend = 'file' | 'postgres' | 'nats';

/** A store URL over fresh data, and how to remove that data afterwards. */
async function target(backend: Backend): Promise<{ url: string; dispose: () => Promise<void> }> {
  if (backend === 'file') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-bench-'));
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
      const job = `bench-${Date.now()}`;
      await store.putJob(job, { title: 'bench' }, { tokenHash: '0'.repeat(64) });
      const started = performance.now();
      for (let from = 1; from <= TOTAL_LINES; from += BATCH) await store.append(job, 'big', { lines: buildLogLines(from, BATCH, TOTAL_LINES), state: { from } });
      const seconds = (performance.now() - started) / 1000;
      const timings: number[] = [];
      for (let i = 0; i < READS; i++) {
        const t0 = performance.now();
        const range = await store.readLines(job, 'big', READ_AT, READ_LIMIT);
        timings.push(performance.now() - t0);
        if (range.lines[0]?.n !== READ_AT || range.lines.length !== READ_LIMIT) throw new Error('wrong range');
      }
      console.log(
        `${backend.padEnd(8)} ingest ${Math.round(TOTAL_LINES / seconds).toLocaleString('en')} lines/s ` +
          `(${TOTAL_LINES.toLocaleString('en')} lines in ${seconds.toFixed(1)} s, batches of ${BATCH}); ` +
          `readLines(${READ_AT.toLocaleString('en')}, ${READ_LIMIT}) p50 ${percentile(timings, 50).toFixed(2)} ms, ` +
          `p99 ${percentile(timings, 99).toFixed(2)} ms over ${READS} reads`,
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
