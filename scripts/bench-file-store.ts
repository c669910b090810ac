/**
 * File store benchmark: `npx tsx --conditions=react-server scripts/bench-file-store.ts [dir]`.
 * Prints the append rate of 1M lines in batches of 1000 (every batch durable before the next)
 * and the p50/p95 latency of readLines(900,000, 100) over 50 reads. Uses a temp dir by default.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileStore } from '../lib/store/file';
import { buildLogLines, percentile, runBench } from '../test/support/bench';

const TOTAL_LINES = 1_000_000;
const BATCH = 1000;
const READS = 50;
const READ_AT = 900_000;

async function main(): Promise<void> {
  const given = process.argv[2];
  const dir = given ?? (await mkdtemp(path.join(os.tmpdir(), 'logscope-bench-')));
  const store = await createFileStore({ dir });
  try {
    const job = `bench-${Date.now()}`;
    await store.putJob(job, { title: 'bench' }, { tokenHash: '0'.repeat(64) });
    const started = performance.now();
    for (let from = 1; from <= TOTAL_LINES; from += BATCH) await store.append(job, 'big', { lines: buildLogLines(from, BATCH, TOTAL_LINES), state: { from } });
    const appendSeconds = (performance.now() - started) / 1000;
    console.log(`append: ${TOTAL_LINES} lines in batches of ${BATCH}: ${appendSeconds.toFixed(2)} s, ${Math.round(TOTAL_LINES / appendSeconds)} lines/s`);

    const timings: number[] = [];
    for (let i = 0; i < READS; i++) {
      const t0 = performance.now();
      const range = await store.readLines(job, 'big', READ_AT, 100);
      timings.push(performance.now() - t0);
      if (range.lines[0]?.n !== READ_AT) throw new Error('wrong range');
    }
    console.log(`readLines(${READ_AT}, 100): p50 ${percentile(timings, 50).toFixed(2)} ms, p95 ${percentile(timings, 95).toFixed(2)} ms over ${READS} reads`);
  } finally {
    await store.close();
    if (!given) await rm(dir, { recursive: true, force: true });
  }
}

runBench(main);
