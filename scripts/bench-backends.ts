/**
 * Backend benchmark: `npx tsx --conditions=react-server scripts/bench-backends.ts [file|postgres|nats ...]`.
 * For each reachable backend: ingest rate of 1M lines appended in batches of 1000 (each batch
 * acknowledged — durable — before the next), then readLines(900,000, 100) latency p50/p99 over
 * 50 reads. Each backend runs on throw-away data: a temp dir, a fresh database
 * `logscope_bench_*` (dropped), a unique NATS stream prefix (deleted). Unreachable: skipped.
 */
import type { LogStore } from '../lib/store/types';
import { buildLogLines, percentile, runBench } from '../test/support';
import { forEachBackend, type Backend } from './bench-stores';

const TOTAL_LINES = 1_000_000;
const BATCH = 1000;
const READS = 50;
const READ_AT = 900_000;
const READ_LIMIT = 100;

async function bench(store: LogStore, backend: Backend): Promise<void> {
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
}

async function main(): Promise<void> {
  await forEachBackend(process.argv.slice(2), 'backends', bench);
}

runBench(main);
