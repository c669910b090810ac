/**
 * Search benchmark: `npx tsx --conditions=react-server scripts/bench-search.ts [dir]`.
 * Writes one 1M-line step to a file store, then prints the in-job search time (lib/search,
 * the same code the API runs, generic LogStore path) for a substring and a regex whose only
 * matches are near the end, so every line is read and matched. Uses a temp dir by default.
 * The scan budget is lifted so that the whole step is scanned whatever the machine's speed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Line } from '../lib/contracts';
import { ScanBudget } from '../lib/search/budget';
import { searchJob } from '../lib/search/job-search';
import { createFileStore } from '../lib/store/file';
import { runBench } from '../test/support/bench';

const TOTAL_LINES = 1_000_000;
const BATCH = 5000;
const RUNS = 3;

function text(n: number): string {
  const body = `2026-11-22T10:00:00Z \x1b[32m[build]\x1b[0m compiling module ${n} of ${TOTAL_LINES} ... ok`;
  return n > TOTAL_LINES - 10 ? `${body} ERROR: link failed (code ${n % 7})` : body;
}

async function main(): Promise<void> {
  const given = process.argv[2];
  const dir = given ?? (await mkdtemp(path.join(os.tmpdir(), 'logscope-bench-search-')));
  const store = await createFileStore({ dir });
  try {
    const job = `bench-search-${Date.now()}`;
    await store.putJob(job, { title: 'bench' }, { tokenHash: '0'.repeat(64) });
    for (let from = 1; from <= TOTAL_LINES; from += BATCH) {
      const lines: Line[] = [];
      for (let n = from; n < from + BATCH; n++) lines.push({ n, ts: 1_700_000_000_000 + n, stream: 'out', text: text(n) });
      await store.append(job, 'big', { lines });
    }
    const queries = [
      { label: 'substring "link failed"', q: 'link failed', regex: false },
      { label: 'substring "Link Failed" case=1 (no match)', q: 'Link Failed', regex: false, caseSensitive: true },
      { label: 'regex "error: \\w+ failed \\(code [0-6]\\)"', q: 'error: \\w+ failed \\(code [0-6]\\)', regex: true },
    ];
    for (const query of queries) {
      const timings: number[] = [];
      let total = 0;
      for (let run = 0; run < RUNS; run++) {
        const t0 = performance.now();
        const result = await searchJob(
          store,
          job,
          { q: query.q, regex: query.regex, caseSensitive: query.caseSensitive ?? false, limit: 200 },
          new ScanBudget(Infinity, Infinity),
        );
        timings.push(performance.now() - t0);
        total = result.total;
      }
      const best = Math.min(...timings);
      console.log(
        `search ${TOTAL_LINES} lines, ${query.label}: best ${(best / 1000).toFixed(2)} s of ${RUNS} (${Math.round(TOTAL_LINES / (best / 1000))} lines/s), total ${total}`,
      );
    }
  } finally {
    await store.close();
    if (!given) await rm(dir, { recursive: true, force: true });
  }
}

runBench(main);
