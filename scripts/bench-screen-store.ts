/**
 * File store cost of line updates (issue 13): `npx tsx --conditions=react-server scripts/bench-screen-store.ts [batches]`.
 * Prints, per durable append, the p50/p95 latency and the bytes written to the step's files for:
 * plain appends (1 and 100 new lines), the same with raw text, and update batches (a progress
 * line redrawn; 100 new lines plus 2 updates; the whole 200-line screen redrawn), each against a
 * step that already holds 10,000 lines. Then readLines of the screen after the redraws. Temp dir.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SCREEN_ROWS, type Line } from '../lib/contracts';
import { createFileStore } from '../lib/store/file';
import type { AppendBatch, LogStore } from '../lib/store/types';
import { buildLogLines, percentile, runBench } from '../test/support/bench';

const BATCHES = Number(process.argv[2] ?? 200);
const BASE_LINES = 10_000;

interface Case {
  name: string;
  /** the batch to append when the step has `last` lines and the producer `produced` */
  batch: (last: number, produced: number, round: number) => AppendBatch;
}

const text = (n: number, round: number) => `\u001b[32m#${n}\u001b[0m progress ${round} ${'='.repeat(round % 60)}>`;
const updateOf = (n: number, round: number): Line => ({ n, ts: Date.now(), stream: 'out', text: text(n, round) });

const cases: Case[] = [
  { name: 'plain, 1 new line', batch: (last) => ({ lines: buildLogLines(last + 1, 1, 1e9) }) },
  { name: 'plain, 100 new lines', batch: (last) => ({ lines: buildLogLines(last + 1, 100, 1e9) }) },
  { name: 'plain, 100 new lines + raw', batch: (last) => { const lines = buildLogLines(last + 1, 100, 1e9); return { lines, raw: `${lines.map((l) => l.text).join('\n')}\n` }; } },
  { name: 'update: 1 line redrawn', batch: (last, produced, round) => ({ lines: [], updates: [updateOf(last, round)], produced: produced + 1 }) },
  { name: 'update: 1 line redrawn + raw', batch: (last, produced, round) => ({ lines: [], updates: [updateOf(last, round)], produced: produced + 1, raw: `\r${text(last, round)}\n` }) },
  {
    name: 'update: 100 new + 2 redrawn',
    batch: (last, produced, round) => ({ lines: buildLogLines(last + 1, 100, 1e9), updates: [updateOf(last - 1, round), updateOf(last, round)], produced: produced + 102 }),
  },
  {
    name: `update: whole screen (${SCREEN_ROWS}) redrawn`,
    batch: (last, produced, round) => ({ lines: [], updates: Array.from({ length: SCREEN_ROWS }, (_, i) => updateOf(last - SCREEN_ROWS + 1 + i, round)), produced: produced + SCREEN_ROWS }),
  },
];

async function stepBytes(dir: string, job: string): Promise<number> {
  let total = 0;
  for (const ext of ['lines', 'idx', 'raw', 'undo', 'txt', 'low', 'tix']) {
    try {
      total += (await stat(path.join(dir, 'jobs', job, 'steps', `s.${ext}`))).size;
    } catch {
      // not written by this case
    }
  }
  total += (await stat(path.join(dir, 'jobs', job, 'journal'))).size;
  return total;
}

async function runCase(store: LogStore, dir: string, c: Case, index: number): Promise<void> {
  const job = `bench-screen-${index}`;
  await store.putJob(job, {}, { tokenHash: '0'.repeat(64) });
  for (let from = 1; from <= BASE_LINES; from += 1000) await store.append(job, 's', { lines: buildLogLines(from, 1000, BASE_LINES) });
  const bytesBefore = await stepBytes(dir, job);
  let last = BASE_LINES;
  let produced = BASE_LINES;
  const timings: number[] = [];
  for (let round = 1; round <= BATCHES; round++) {
    const batch = c.batch(last, produced, round);
    const t0 = performance.now();
    const result = await store.append(job, 's', batch);
    timings.push(performance.now() - t0);
    last = result.lines ?? result.last;
    produced = result.last;
  }
  const grown = (await stepBytes(dir, job)) - bytesBefore;
  const reads: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await store.readLines(job, 's', last - SCREEN_ROWS + 1, SCREEN_ROWS);
    reads.push(performance.now() - t0);
  }
  console.log(
    `${c.name.padEnd(34)} append p50 ${percentile(timings, 50).toFixed(2).padStart(6)} ms, p95 ${percentile(timings, 95).toFixed(2).padStart(6)} ms; ` +
      `${Math.round(grown / BATCHES).toString().padStart(6)} B written/batch (files' growth); readLines(screen) p50 ${percentile(reads, 50).toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-bench-screen-'));
  const store = await createFileStore({ dir });
  try {
    console.log(`file store, ${BATCHES} durable appends per case on a ${BASE_LINES}-line step`);
    for (const [i, c] of cases.entries()) await runCase(store, dir, c, i);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

runBench(main);
