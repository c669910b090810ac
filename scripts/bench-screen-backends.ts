/**
 * Line updates on the stores (issue 13): `npm run bench -- screen-backends` (or
 * `npx tsx --conditions=react-server scripts/bench-screen-backends.ts [file|postgres|nats ...]`).
 * For each reachable backend, on throw-away data, one writer, batches acknowledged one at a time:
 *  - plain: a batch of 100 new lines (no update), the baseline;
 *  - redraw: an update-only batch rewriting 2 lines of the screen (a progress bar), `produced` +1;
 *  - screen: 10 new lines and 50 updated lines (docker pull's layer table);
 *  - the range reads after them: the last SCREEN_ROWS lines, and the whole step by 5,000-line
 *    ranges, against the same lines appended in the same batches without updates.
 * Prints the median and p95 per batch (ms). Figures only: nothing passes or fails on them.
 */
import { SCREEN_ROWS, type Line } from '../lib/contracts';
import type { LogStore } from '../lib/store/types';
import { buildLogLines, percentile, runBench } from '../test/support';
import { forEachBackend, type Backend } from './bench-stores';

const ROUNDS = 300;
const PLAIN = 100;

function figure(samples: number[]): string {
  return `median ${percentile(samples, 50).toFixed(2)} ms, p95 ${percentile(samples, 95).toFixed(2)} ms`;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function bench(store: LogStore, backend: Backend): Promise<void> {
  const token = { tokenHash: '0'.repeat(64) };
  const id = `bench-screen-${Date.now()}`;
  await store.putJob(id, {}, token);
  let last = 0;
  let produced = 0;
  const plain: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const lines = buildLogLines(last + 1, PLAIN, ROUNDS * PLAIN);
    produced += PLAIN;
    plain.push(await timed(() => store.append(id, 'plain', { lines, produced, raw: lines.map((l) => l.text).join('\n') + '\n' })));
    last += PLAIN;
  }
  last = 0;
  produced = 0;
  const seed = buildLogLines(1, SCREEN_ROWS, SCREEN_ROWS);
  await store.append(id, 'redraw', { lines: seed, produced: SCREEN_ROWS });
  last = produced = SCREEN_ROWS;
  const redraw: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const updates: Line[] = [
      { n: last - 1, ts: i, stream: 'out', text: `layer a: ${'='.repeat(i % 40)}> ${i}%` },
      { n: last, ts: i, stream: 'out', text: `layer b: ${'='.repeat((i * 3) % 40)}> ${i}%` },
    ];
    produced += 1;
    redraw.push(await timed(() => store.append(id, 'redraw', { lines: [], updates, produced, raw: `\u001b[2A${updates.map((u) => u.text).join('\n')}\n` })));
  }
  await store.append(id, 'screen', { lines: seed, produced: SCREEN_ROWS });
  last = produced = SCREEN_ROWS;
  const screen: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const lines = buildLogLines(last + 1, 10, ROUNDS * 10);
    const updates: Line[] = [];
    for (let n = last - 49; n <= last; n++) updates.push({ n, ts: i, stream: 'out', text: `${n}: Downloading ${i % 100}% [${'#'.repeat(i % 30)}]` });
    produced += 60;
    screen.push(await timed(() => store.append(id, 'screen', { lines, updates, produced })));
    last += 10;
  }
  // the same lines without updates: what the reads cost before issue 13
  await store.append(id, 'same', { lines: seed });
  for (let n = SCREEN_ROWS + 1; n <= last; n += 10) await store.append(id, 'same', { lines: buildLogLines(n, 10, ROUNDS * 10) });
  const reads = async (step: string) => {
    const tail: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < 20; i++) {
      tail.push(await timed(() => store.readLines(id, step, last - SCREEN_ROWS + 1, SCREEN_ROWS)));
      whole.push(await timed(async () => {
        for (let from = 1; from <= last; from += 5000) await store.readLines(id, step, from, 5000);
      }));
    }
    return `readLines(last ${SCREEN_ROWS}) ${figure(tail)}; whole step (${last} lines) ${figure(whole)}`;
  };
  console.log(`${backend.padEnd(8)} plain ${PLAIN}-line batch: ${figure(plain)}`);
  console.log(`${backend.padEnd(8)} redraw (2 updated lines, no new line): ${figure(redraw)}`);
  console.log(`${backend.padEnd(8)} screen (10 new + 50 updated lines): ${figure(screen)}`);
  console.log(`${backend.padEnd(8)} after ${ROUNDS} screen batches: ${await reads('screen')}`);
  console.log(`${backend.padEnd(8)} same lines, no updates: ${await reads('same')}`);
}

runBench(() => forEachBackend(process.argv.slice(2), 'screen', bench));
