/**
 * Search benchmark: `npm run bench -- search` (or `npx tsx --conditions=react-server scripts/bench-search.ts`).
 *
 * 1. In-job search (lib/search/job-search.ts, the code the API runs, through the search worker
 *    pool) over one 1M-line step of ~100-byte coloured lines on the file store, against `grep -c`
 *    / `grep -ci` / `grep -cE` over the same plain text (the step's sidecar file). Runs alternate
 *    turn by turn (grep, search, grep, search…) and the medians are compared: the machine is shared.
 *    Then the viewer's requests (issue 11): before, the in-log search asked for the first 1000
 *    matches (`limit=1000`, positions only); now it asks for pages of 500 with their lines
 *    (`lines=1`), the first one (count + first page), a deep one (`offset`) and the next one
 *    by cursor (`after`), for a frequent literal and a frequent regex.
 * 2. Global search (lib/search/global-search.ts) over JOBS jobs × LINES lines on the file store
 *    and, when LOGSCOPE_BENCH_PG (a postgres:// URL) is set, on PostgreSQL: a rare literal
 *    (every job scanned), a frequent one (the first page), a regex, and paging with `next`.
 * Sizes: LOGSCOPE_BENCH_SEARCH_LINES (default 1,000,000), LOGSCOPE_BENCH_SEARCH_JOBS (1000),
 * LOGSCOPE_BENCH_SEARCH_JOB_LINES (10,000). Temp dirs are removed at the end (LOGSCOPE_BENCH_SEARCH_DIR:
 * the global file-store data set lives there and is reused; LOGSCOPE_BENCH_SEARCH_SKIP_INJOB=1: global only; LOGSCOPE_BENCH_SEARCH_SKIP_GLOBAL=1: in-job only).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Line } from '../lib/contracts';
import { searchAll } from '../lib/search/global-search';
import { searchJob } from '../lib/search/job-search';
import { searchPool } from '../lib/search/pool';
import { createFileStore } from '../lib/store/file';
import { sidecarPaths } from '../lib/store/file/sidecar';
import type { LogStore } from '../lib/store/types';
import { percentile, runBench } from '../test/support/bench';

const run = promisify(execFile);
const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const TOTAL_LINES = envInt('LOGSCOPE_BENCH_SEARCH_LINES', 1_000_000);
const JOBS = envInt('LOGSCOPE_BENCH_SEARCH_JOBS', 1000);
const JOB_LINES = envInt('LOGSCOPE_BENCH_SEARCH_JOB_LINES', 10_000);
const BATCH = 5000;
const RUNS = 5;
const DEEP = 777_777;

/** ~100 bytes, coloured; every 11th line warns; line 777,777 and the last 10 fail. */
function text(n: number, total: number): string {
  let body = `2026-11-22T10:00:00Z \x1b[32m[build]\x1b[0m compiling module ${n} of ${total} ... ok`;
  if (n % 11 === 0) body += ' warning: deprecated';
  if (n === DEEP || n > total - 10) body += ` ERROR: link failed (code ${n % 7})`;
  return body;
}

async function fill(store: LogStore, job: string, step: string, total: number): Promise<void> {
  for (let from = 1; from <= total; from += BATCH) {
    const lines: Line[] = [];
    for (let n = from; n < Math.min(total + 1, from + BATCH); n++) lines.push({ n, ts: 1_700_000_000_000 + n, stream: 'out', text: text(n, total) });
    await store.append(job, step, { lines });
  }
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const median = (values: number[]) => percentile(values, 50);

async function timeGrep(args: string[], file: string): Promise<{ ms: number; count: number }> {
  const t0 = performance.now();
  const { stdout } = await run('grep', [...args, file]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '0' }));
  return { ms: performance.now() - t0, count: Number(stdout.trim()) };
}

async function inJob(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-bench-search-'));
  const store = await createFileStore({ dir });
  try {
    const job = 'bench-search';
    await store.putJob(job, { title: 'bench' }, { tokenHash: '0'.repeat(64) });
    const t0 = performance.now();
    await fill(store, job, 'big', TOTAL_LINES);
    console.log(`in-job: stored ${TOTAL_LINES} lines (with their sidecar) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const plain = sidecarPaths(path.join(dir, 'jobs', job, 'steps', 'big.lines')).text;
    const cases = [
      { label: 'literal "link failed", case-sensitive', q: 'link failed', regex: false, caseSensitive: true, grep: ['-c', '-F', 'link failed'] },
      { label: 'literal "link failed", case-insensitive (default)', q: 'link failed', regex: false, caseSensitive: false, grep: ['-c', '-i', '-F', 'link failed'] },
      { label: 'literal "warning" (every 11th line)', q: 'warning', regex: false, caseSensitive: true, grep: ['-c', '-F', 'warning'] },
      { label: 'regex "ERROR: \\w+ failed \\(code [0-6]\\)"', q: 'ERROR: \\w+ failed \\(code [0-6]\\)', regex: true, caseSensitive: true, grep: ['-c', '-E', 'ERROR: \\w+ failed \\(code [0-6]\\)'] },
      { label: 'regex "module \\d+7 of" (every 10th line)', q: 'module \\d+7 of', regex: true, caseSensitive: true, grep: ['-c', '-E', 'module [0-9]+7 of'] },
    ];
    await searchJob(store, job, { q: 'warm', regex: false, caseSensitive: true, limit: 1 }); // worker started
    for (const c of cases) {
      const ours: number[] = [];
      const theirs: number[] = [];
      let total = 0;
      let grepCount = 0;
      let truncated = false;
      let deep = false;
      for (let i = 0; i < RUNS; i++) {
        const g = await timeGrep(c.grep, plain);
        theirs.push(g.ms);
        grepCount = g.count;
        const s0 = performance.now();
        const result = await searchJob(store, job, { q: c.q, regex: c.regex, caseSensitive: c.caseSensitive, limit: 200 });
        ours.push(performance.now() - s0);
        total = result.total;
        truncated = result.truncated && result.total <= result.matches.length;
        deep = result.matches.some((m) => m.n === DEEP);
      }
      console.log(
        `in-job ${TOTAL_LINES} lines, ${c.label}: search median ${ms(median(ours))} (min ${ms(Math.min(...ours))}), grep ${c.grep.join(' ')} median ${ms(median(theirs))} (min ${ms(Math.min(...theirs))}); ratio ${(median(ours) / median(theirs)).toFixed(2)}×; total ${total} (grep ${grepCount})${truncated ? ' NOT SCANNED TO THE END' : ''}${deep ? `, line ${DEEP} found` : ''}`,
      );
    }
    await viewerPages(store, job);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Time to count + first page, as the viewer asks, before (limit 1000) and after (pages of 500 with lines). */
async function viewerPages(store: LogStore, job: string): Promise<void> {
  const cases = [
    { label: 'literal "warning" (every 11th line)', q: 'warning', regex: false },
    { label: 'regex "module \\d+7 of" (every 10th line)', q: 'module \\d+7 of', regex: true },
  ];
  for (const c of cases) {
    const base = { q: c.q, regex: c.regex, caseSensitive: false };
    const first = await searchJob(store, job, { ...base, limit: 500, lines: true });
    const deepOffset = Math.floor(first.total / 2);
    const deep = await searchJob(store, job, { ...base, limit: 500, offset: deepOffset, lines: true });
    const shapes = [
      { name: 'before: limit=1000 (positions only)', options: { ...base, limit: 1000 } },
      { name: 'after: count + first page (limit=500, lines=1)', options: { ...base, limit: 500, lines: true } },
      { name: `after: deep page (offset=${deepOffset}, lines=1)`, options: { ...base, limit: 500, offset: deepOffset, lines: true } },
      { name: 'after: the page after it by cursor (after=next, lines=1)', options: { ...base, limit: 500, after: deep.next, lines: true } },
    ];
    for (const shape of shapes) {
      const times: number[] = [];
      let summary = '';
      for (let i = 0; i < RUNS; i++) {
        const s0 = performance.now();
        const result = await searchJob(store, job, shape.options);
        times.push(performance.now() - s0);
        const bytes = Buffer.byteLength(JSON.stringify(result));
        summary = `total ${result.total}${result.exact ? ' (exact)' : ' (lower bound)'}, ${result.matches.length} matches, ${(bytes / 1024).toFixed(0)} KiB`;
      }
      console.log(`viewer ${TOTAL_LINES} lines, ${c.label}, ${shape.name}: median ${ms(median(times))} (min ${ms(Math.min(...times))}); ${summary}`);
    }
  }
}

async function global(name: string, store: LogStore, filled: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await filled();
  console.log(`global ${name}: ${JOBS} jobs × ${JOB_LINES} lines ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const cases = [
    { label: 'absent literal "segfault" (every job scanned)', q: 'segfault', regex: false },
    { label: 'literal "link failed" (10 lines a job)', q: 'link failed', regex: false },
    { label: 'frequent literal "warning" (first page of 200)', q: 'warning', regex: false },
    { label: 'regex "ERROR: \\w+ failed"', q: 'ERROR: \\w+ failed', regex: true },
  ];
  for (const c of cases) {
    const times: number[] = [];
    let summary = '';
    for (let i = 0; i < 3; i++) {
      const s0 = performance.now();
      const result = await searchAll(store, { q: c.q, regex: c.regex, caseSensitive: false, limit: 200 });
      times.push(performance.now() - s0);
      summary = `${result.matches.length} matches, total ${result.total}, scannedJobs ${result.scannedJobs}, truncated ${result.truncated}${result.next ? ', next' : ''}`;
    }
    console.log(`global ${name}, ${c.label}: median ${ms(median(times))} (min ${ms(Math.min(...times))}); ${summary}`);
  }
  // Paging with `next`: pages of 200 "warning" matches.
  let cursor: string | undefined;
  const pages: number[] = [];
  for (let page = 0; page < 5; page++) {
    const s0 = performance.now();
    const result = await searchAll(store, { q: 'warning', regex: false, caseSensitive: false, limit: 200, cursor });
    pages.push(performance.now() - s0);
    cursor = result.next;
    if (!cursor) break;
  }
  console.log(`global ${name}, "warning" pages of 200 with next: ${pages.map(ms).join(', ')}`);
}

async function fillJobs(store: LogStore): Promise<void> {
  for (let j = 0; j < JOBS; j++) {
    const job = `bench-global-${String(j).padStart(5, '0')}`;
    await store.putJob(job, { title: `bench ${j}` }, { tokenHash: '0'.repeat(64) });
    await fill(store, job, 'main', JOB_LINES);
  }
}

async function main(): Promise<void> {
  if (process.env.LOGSCOPE_BENCH_SEARCH_SKIP_INJOB !== '1') await inJob();
  if (process.env.LOGSCOPE_BENCH_SEARCH_SKIP_GLOBAL === '1') return void (await searchPool().close());
  // LOGSCOPE_BENCH_SEARCH_DIR keeps the global data set between runs (filled once: minutes).
  const kept = process.env.LOGSCOPE_BENCH_SEARCH_DIR;
  const dir = kept ?? (await mkdtemp(path.join(os.tmpdir(), 'logscope-bench-gsearch-')));
  await mkdir(dir, { recursive: true });
  const store = await createFileStore({ dir });
  try {
    const filled = (await store.listJobs({ limit: 1 })).jobs.length > 0;
    await global('file', store, () => (filled ? Promise.resolve() : fillJobs(store)));
  } finally {
    await store.close();
    if (!kept) await rm(dir, { recursive: true, force: true });
  }
  const pg = process.env.LOGSCOPE_BENCH_PG;
  if (pg) {
    const { benchPostgres } = await import('./bench-search-pg');
    await benchPostgres(pg, JOBS, JOB_LINES, (name, store, filled) => global(name, store, filled));
  }
  await searchPool().close();
}

runBench(main);
