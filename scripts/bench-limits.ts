/**
 * `npm run bench -- limits`: every row of issue 9's table, Logscope beside its peers or the
 * machine's yardstick, measured in one run, printed as one markdown table (figures only: it
 * never passes or fails). Talks to the server only through the HTTP contract (docs/api.md).
 *
 *   tsx scripts/bench-limits.ts [--only 1,3,7] [--quick] [--url http://127.0.0.1:3000 --pid PID]
 *                               [--store DIR] [--reps 3] [--port-base 3414]
 *
 * Without --url it builds if needed and starts scripts/server.mjs on a fresh file store
 * (port 3414, LOGSCOPE_SSE_PER_CLIENT/TOTAL raised for the fan-out), plus servers of its own
 * for the historical search (3418 file, 3419 PostgreSQL when 127.0.0.1:5432 answers) and the
 * shared harness's fake server (3417, the floor of the live rows). Rows (--only):
 *   1 first line visible at 1M/100k/10k lines and renderer RSS (shared render harness beside
 *     PatternFly, react-logviewer, virtuoso baseline; Logscope alone when it is absent)
 *   2 scroll a 1M-line step, 200 viewports: frame p95, frames > 50 ms (same harness)
 *   3 ingest: 1M × 100 B lines streamed and in 10k-line POSTs, an ANSI-heavy 200 B/line log;
 *     beside `cat` and write+fsync of the same bytes
 *   4 search: in-job literal and regex on 1M lines beside `grep -c`/`grep -cE`; historical
 *     search over 1,000 jobs × 10k lines (file store; PostgreSQL when reachable), the store
 *     seeded in-process before its server starts (bench-limits/seed.ts), beside `grep -c` over
 *     the file store's sidecars; --hist file|pg picks the backends, --keep-pg keeps the
 *     PostgreSQL database for EXPLAIN
 *   5 producer → DOM latency at 100 and 1,000 lines/s (and the fake-server floor)
 *   6 SSE fan-out: 100 and 1,000 viewers at 1,000 lines/s (and the fake-server floor)
 *   7 a range of 200 lines at line 900,000 beside a pread of the same bytes of the store file
 * --quick: 100k lines instead of 1M, 100 jobs × 1k lines, shorter live runs, render 10k/100k.
 * Every wait is bounded; temp dirs are removed at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLogscope, type LogscopeServer } from '../test/support/logscope-server';
import { createTestDatabase, postgresReachable } from '../test/support/postgres';
import { writeAnsiHeavy, writePlain100 } from './bench-limits/gen';
import { fanout, latency, type FanoutResult, type LatencyResult } from './bench-limits/live';
import { findSharedBench, ingestJob, ownRender, sharedRender, type RenderTable } from './bench-limits/render';
import { seedHistory } from './bench-limits/seed';
import { Api, errorText, f, lineChunks, median, nowMs, pct, sleep } from './bench-limits/util';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
function opt(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
const QUICK = argv.includes('--quick');
const ONLY = new Set((opt('only') ?? '1,2,3,4,5,6,7').split(',').map((s) => Number(s.trim())));
const URL_GIVEN = opt('url');
const N = QUICK ? 100_000 : 1_000_000;
const HIST_JOBS = QUICK ? 100 : 1000;
const HIST_LINES = QUICK ? 1000 : 10_000;
/** --hist file,pg: the historical-search backends to measure */
const HIST_STORES = new Set((opt('hist') ?? 'file,pg').split(',').map((x) => x.trim()));
/** --keep-pg: the historical PostgreSQL database is not dropped at the end (its URL is printed), for EXPLAIN */
const KEEP_PG = argv.includes('--keep-pg');
const HIST_LOAD_BUDGET_S = Number(opt('hist-budget') ?? (QUICK ? 120 : 300));
const REPS = Number(opt('reps') ?? (QUICK ? 1 : 3));
const FAN_LINES = QUICK ? 1000 : 5000;
const HARD_STOP_S = QUICK ? 1800 : 5400;
/** --port-base P: the bench's own servers on P…P+3 instead (main, fake, historical file, historical PostgreSQL) */
const PORT_BASE = opt('port-base') ? Number(opt('port-base')) : null;
const PORTS = PORT_BASE ? { main: PORT_BASE, fake: PORT_BASE + 1, histFile: PORT_BASE + 2, histPg: PORT_BASE + 3 } : { main: 3414, fake: 3417, histFile: 3418, histPg: 3419 };
const POSTGRES_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

const label = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const log = (s: string) => console.log(s);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'logscope-limits-'));
const cleanups: (() => Promise<void> | void)[] = [];

type Row = [what: string, logscope: string, peer: string, goal: string];
const rows: Row[] = [];
const notes: string[] = [];

const secs = (t0: number) => (nowMs() - t0) / 1000;
const lps = (lines: number, s: number) => `${f(lines / s)} lines/s`;
const mibps = (bytes: number, s: number) => `${f(bytes / 2 ** 20 / s, 1)} MiB/s`;

function findChromium(): string {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/find-chromium.mjs')], { encoding: 'utf8' });
  const found = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !found) throw new Error(`no Chromium: ${r.stderr.trim()}`);
  return found;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t0 = nowMs();
  const value = await fn();
  return { s: secs(t0), value };
}

function shell(cmd: string, args: string[]): { s: number; out: string } {
  const t0 = nowMs();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return { s: secs(t0), out: r.stdout.trim() };
}

async function writeFsync(file: string, dir: string): Promise<number> {
  const buf = fs.readFileSync(file);
  const target = path.join(dir, `fsync-yardstick-${process.pid}.tmp`);
  const t0 = nowMs();
  const fh = await fs.promises.open(target, 'w');
  await fh.writeFile(buf);
  await fh.sync();
  await fh.close();
  const s = secs(t0);
  fs.rmSync(target, { force: true });
  return s;
}

// ---------------------------------------------------------------- servers
interface Target {
  base: string;
  pid: number | null;
  storeDir: string | null;
}

async function startServer(port: number, store: string): Promise<{ server: LogscopeServer; pid: number | null }> {
  const server = await startLogscope(port, store, { LOGSCOPE_SSE_PER_CLIENT: '5000', LOGSCOPE_SSE_TOTAL: '5000' });
  cleanups.push(() => server.stop());
  return { server, pid: await new Api(server.url).healthPid() };
}

/** The shared harness's in-memory stand-in (live/fake-server.mjs), the floor of the live rows. */
async function startFake(live: string): Promise<{ base: string; child: ChildProcess } | null> {
  const script = path.join(live, 'fake-server.mjs');
  if (!fs.existsSync(script)) return null;
  const child = spawn(process.execPath, [script, '--port', String(PORTS.fake)], { stdio: 'ignore' });
  cleanups.push(() => void child.kill('SIGTERM'));
  const base = `http://127.0.0.1:${PORTS.fake}`;
  for (const until = Date.now() + 10_000; Date.now() < until; await sleep(200)) {
    if (child.exitCode !== null) return null;
    if (await fetch(`${base}/jobs/x`).then(() => true, () => false)) return { base, child };
  }
  return null;
}

// ---------------------------------------------------------------- data
interface Data {
  plain: string; // N × 100 B coloured
  stripped: string; // the same without escapes
  bytes: number;
}
let data: Data | null = null;
function plainData(): Data {
  if (data) return data;
  const plain = path.join(tmp, `ingest-${N}.txt`);
  const stripped = path.join(tmp, `ingest-${N}.plain.txt`);
  const t0 = nowMs();
  const { bytes } = writePlain100(plain, stripped, N);
  log(`[limits] generated ${N} lines of 100 B (${f(bytes / 2 ** 20, 1)} MiB) in ${secs(t0).toFixed(1)} s`);
  return (data = { plain, stripped, bytes });
}

// ---------------------------------------------------------------- row 3: ingest
let bigJob: string | null = null;

async function ingestStreamed(api: Api, file: string, what: string): Promise<{ job: string; s: number; last: number }> {
  const job = `limits-${what}-${Date.now()}`;
  const token = await api.createJob(job);
  const { s, value } = await timed(() => api.postFile(job, 'main', token, file));
  await api.complete(job, token);
  return { job, s, last: value.last };
}

async function rowIngest(t: Target): Promise<void> {
  const api = new Api(t.base);
  const d = plainData();
  shell('sh', ['-c', 'cat "$0" > /dev/null', d.plain]);
  const cat = shell('sh', ['-c', 'cat "$0" > /dev/null', d.plain]).s;
  const fsync = await writeFsync(d.plain, t.storeDir ?? tmp);
  const yard = `write+fsync ${lps(N, fsync)} (${mibps(d.bytes, fsync)}); \`cat\` ${lps(N, cat)}`;
  log(`[limits] ingest yardsticks: ${yard}`);

  const stream = await ingestStreamed(api, d.plain, 'ingest-stream');
  bigJob = stream.job;
  const check = stream.last === N ? '' : ` ! answer last=${stream.last}, expected ${N}`;
  log(`[limits] ingest streamed: ${N} lines in ${stream.s.toFixed(2)} s${check}`);
  rows.push([
    `ingest, ${label(N)} lines of 100 B coloured text, one streamed POST`,
    `${lps(N, stream.s)} (${mibps(d.bytes, stream.s)}), ${f(stream.s / fsync, 1)}× write+fsync${check}`,
    yard,
    '≥ 400,000 lines/s streamed (≤ 12× write+fsync)',
  ]);

  const job = `limits-ingest-chunked-${Date.now()}`;
  const token = await api.createJob(job);
  let first = 1;
  let last = 0;
  const rtt: number[] = [];
  const t0 = nowMs();
  for await (const chunk of lineChunks(d.plain, 10_000)) {
    const t1 = nowMs();
    last = (await api.postText(job, 'main', token, chunk.buf, first)).last;
    rtt.push(nowMs() - t1);
    first += chunk.lines;
  }
  const chunked = secs(t0);
  await api.complete(job, token);
  const check2 = last === N ? '' : ` ! answer last=${last}, expected ${N}`;
  rows.push([
    `ingest, ${label(N)} lines of 100 B, ${rtt.length} POSTs of 10k lines (\`?first=\`)`,
    `${lps(N, chunked)}, ${f(chunked / fsync, 1)}× write+fsync; POST p50 ${f(pct(rtt, 50))} ms${check2}`,
    'same yardstick',
    '≥ 250,000 lines/s in 10k-line POSTs',
  ]);

  const ansi = path.join(tmp, `ansi-${N}.txt`);
  const { bytes } = writeAnsiHeavy(ansi, N);
  const ansiFsync = await writeFsync(ansi, t.storeDir ?? tmp);
  const a = await ingestStreamed(api, ansi, 'ingest-ansi');
  const check3 = a.last === N ? '' : ` ! answer last=${a.last}, expected ${N}`;
  rows.push([
    `ingest, ANSI-heavy log, ${label(N)} lines of ${f(bytes / N)} B, one streamed POST`,
    `${lps(N, a.s)} (${mibps(bytes, a.s)}), ${f(a.s / ansiFsync, 1)}× write+fsync${check3}`,
    `write+fsync of the same bytes ${lps(N, ansiFsync)}`,
    '≥ 200,000 lines/s',
  ]);
  fs.rmSync(ansi, { force: true });
}

async function ensureBigJob(t: Target): Promise<string> {
  if (bigJob) return bigJob;
  const r = await ingestStreamed(new Api(t.base), plainData().plain, 'ingest-stream');
  log(`[limits] ingested the ${label(N)}-line step for search/range in ${r.s.toFixed(1)} s (not a row: row 3 not selected)`);
  return (bigJob = r.job);
}

// ---------------------------------------------------------------- row 7: range
async function rowRange(t: Target): Promise<void> {
  const job = await ensureBigJob(t);
  const api = new Api(t.base);
  const at = Math.round(N * 0.9);
  const url = `${t.base}/api/v1/jobs/${encodeURIComponent(job)}/steps/main/lines?from=${at}&limit=200`;
  const times: number[] = [];
  let textBytes = 0;
  for (let i = 0; i < 205; i++) {
    const t0 = nowMs();
    const body = (await (await fetch(url)).json()) as { lines: { text: string }[] };
    if (i >= 5) times.push(nowMs() - t0);
    if (i === 0) textBytes = body.lines.reduce((s, l) => s + Buffer.byteLength(l.text), 0);
  }
  void api;
  // The yardstick: a pread of the same span of the step's file in the store, when we know it.
  let file: string | null = null;
  let offset = 0;
  let span = 0;
  let how = '';
  const stepsDir = t.storeDir ? path.join(t.storeDir, 'jobs', job, 'steps') : null;
  if (stepsDir && fs.existsSync(stepsDir)) {
    const files = fs.readdirSync(stepsDir).map((n) => path.join(stepsDir, n)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
    file = files[0] ?? null;
    if (file) {
      const buf = fs.readFileSync(file);
      const a = buf.indexOf(`{"n":${at},`);
      const b = buf.indexOf(`{"n":${at + 200},`, Math.max(0, a));
      if (a >= 0 && b > a) [offset, span, how] = [a, b - a, `lines ${at}–${at + 199} in ${path.basename(file)}`];
      else [offset, span, how] = [Math.floor(buf.length * 0.9), textBytes + 64 * 200, `${textBytes + 64 * 200} B at 90 % of ${path.basename(file)} (records not found by \`{"n":\`)`];
    }
  }
  if (!file) {
    file = plainData().plain;
    [offset, span, how] = [(at - 1) * 100, 200 * 100, 'the same 200 lines of the generated input file (store dir unknown: --store)'];
  }
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(span);
  const pr: number[] = [];
  for (let i = 0; i < 205; i++) {
    const t0 = performance.now();
    fs.readSync(fd, buf, 0, span, offset);
    if (i >= 5) pr.push((performance.now() - t0) * 1000);
  }
  fs.closeSync(fd);
  rows.push([
    `range of 200 lines at line ${f(at)} (200 sequential GETs)`,
    `p50 ${f(pct(times, 50), 1)} ms, p99 ${f(pct(times, 99), 1)} ms`,
    `\`pread\` of the same ${f(span / 1024, 1)} KiB: p50 ${f(pct(pr, 50), 1)} µs, p99 ${f(pct(pr, 99), 1)} µs (${how})`,
    'p99 ≤ 5 ms',
  ]);
}

// ---------------------------------------------------------------- row 4: search
interface SearchAnswer {
  total: number;
  truncated: boolean;
  matches: { n: number; job?: string }[];
  scannedJobs?: number;
}

async function searchTimed(url: string, reps: number): Promise<{ s: number | null; a: SearchAnswer | null; error: string }> {
  const times: number[] = [];
  let a: SearchAnswer | null = null;
  let error = '';
  for (let i = 0; i < reps; i++) {
    const t0 = nowMs();
    const res = await fetch(url);
    const text = await res.text();
    if (res.status !== 200) {
      error = `HTTP ${res.status} ${text.slice(0, 120)}`;
      continue;
    }
    times.push(secs(t0));
    a = JSON.parse(text) as SearchAnswer;
  }
  return { s: median(times), a, error };
}

function grepTimed(args: string[], file: string, reps: number): { s: number | null; count: number } {
  const times: number[] = [];
  let count = NaN;
  for (let i = 0; i < reps; i++) {
    const r = shell('grep', [...args, file]);
    times.push(r.s);
    count = Number(r.out);
  }
  return { s: median(times), count };
}

async function rowSearch(t: Target): Promise<void> {
  const job = await ensureBigJob(t);
  const d = plainData();
  const reps = 3;
  const base = `${t.base}/api/v1/jobs/${encodeURIComponent(job)}/search?step=main&case=1&limit=1000`;
  grepTimed(['-c', '-F', 'x'], d.stripped, 1); // page cache
  const needleLine = Math.round(N * 0.777777);
  const cases: { name: string; q: string; regex: boolean; grep: string[]; goal: string }[] = [
    { name: 'literal `ERROR`', q: 'ERROR', regex: false, grep: ['-c', '-F', 'ERROR'], goal: 'whole step, true total, ≤ 1.5× `grep -c` (≤ 0.15 s)' },
    { name: 'regex `ERROR.*(timeout|socket)`', q: 'ERROR.*(timeout|socket)', regex: true, grep: ['-c', '-E', 'ERROR.*(timeout|socket)'], goal: 'whole step, true total, ≤ 3× `grep -cE`' },
  ];
  for (const c of cases) {
    const g = grepTimed(c.grep, d.stripped, reps);
    const r = await searchTimed(`${base}&q=${encodeURIComponent(c.q)}${c.regex ? '&regex=1' : ''}`, reps);
    const got = r.a ? `${f(r.s, 3)} s, \`total\` ${f(r.a.total)} of ${f(g.count)} true${r.a.truncated ? ' (truncated)' : ''}` : `failed: ${r.error}`;
    rows.push([`in-job search, ${c.name}, ${label(N)} lines (100 B), case-sensitive`, `${got}${r.s && g.s ? `; ${f(r.s / g.s, 1)}× grep` : ''}`, `\`grep ${c.grep.join(' ')}\` ${f(g.s, 3)} s`, c.goal]);
  }
  const needle = `#${needleLine} `;
  const r = await searchTimed(`${base}&q=${encodeURIComponent(needle)}`, 1);
  const found = r.a?.matches.some((m) => m.n === needleLine);
  rows.push([
    `in-job search, the one line \`#${needleLine}\` (line ${f(needleLine)})`,
    r.a ? `${f(r.s, 3)} s, ${found ? 'found' : 'NOT found'}, \`total\` ${r.a.total}${r.a.truncated ? ' (truncated)' : ''}` : `failed: ${r.error}`,
    '—',
    'found, whole step',
  ]);
}

/** The generated file cut in HIST_LINES-line slices (byte offsets), and the slice holding `needleLine`. */
function historySlices(needleLine: number): { text: Buffer; slices: [number, number][]; needleSlice: number } {
  const text = fs.readFileSync(plainData().plain);
  const slices: [number, number][] = [];
  for (let start = 0, i = 0, count = 0; i < text.length; i++) {
    if (text[i] === 10 && ++count === HIST_LINES) {
      slices.push([start, i + 1]);
      start = i + 1;
      count = 0;
    }
  }
  return { text, slices, needleSlice: Math.floor((needleLine - 1) / HIST_LINES) };
}

/** Loads J jobs × M lines over HTTP (a server started elsewhere: --url) with 4 POSTs in flight, within a budget. */
async function loadHistory(api: Api, needleLine: number): Promise<{ jobs: number; trueCount: number; s: number }> {
  const { text: lines, slices, needleSlice } = historySlices(needleLine);
  const t0 = nowMs();
  let next = 0;
  let loaded = 0;
  let trueCount = 0;
  const deadline = Date.now() + HIST_LOAD_BUDGET_S * 1000;
  const stamp = Date.now();
  const worker = async () => {
    while (next < HIST_JOBS && Date.now() < deadline) {
      const k = next++;
      const slice = k % slices.length;
      const [a, b] = slices[slice]!;
      const job = `hist-${stamp}-${k}`;
      const token = await api.createJob(job);
      await api.postText(job, 'main', token, lines.subarray(a, b), 1);
      await api.complete(job, token);
      loaded++;
      if (slice === needleSlice) trueCount++;
      if (loaded % 100 === 0) log(`[limits]   ${loaded}/${HIST_JOBS} jobs loaded (${secs(t0).toFixed(0)} s)`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { jobs: loaded, trueCount, s: secs(t0) };
}

const HIST_NEEDLE_LINE = Math.round(N * 0.777777);

/** `grep -c -F` over every search sidecar (`*.txt`) of a file store: the same bytes the search scans. */
function sidecarGrep(dir: string, needle: string): { s: number; count: number; bytes: number } {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.txt')) files.push(p);
    }
  };
  walk(dir);
  const bytes = files.reduce((a, p) => a + fs.statSync(p).size, 0);
  shell('sh', ['-c', 'cat "$@" > /dev/null', 'sh', ...files]); // page cache
  const r = shell('sh', ['-c', "grep -c -F -h -- \"$0\" \"$@\" | awk '{ s += $1 } END { print s }'", needle, ...files]);
  return { s: r.s, count: Number(r.out), bytes };
}

async function historyRow(where: string, base: string, load: { jobs: number; trueCount: number; s: number }, how: string, storeDir?: string): Promise<void> {
  const loaded = load.jobs === HIST_JOBS ? '' : ` (only ${load.jobs} jobs loaded within ${HIST_LOAD_BUDGET_S} s)`;
  const url = `${base}/api/v1/search?case=1&limit=1000&q=${encodeURIComponent(`#${HIST_NEEDLE_LINE} `)}`;
  await searchTimed(url, 1); // warm: the first request compiles the route and opens the store
  const r = await searchTimed(url, 3);
  let yard = '';
  if (storeDir) {
    const g = sidecarGrep(storeDir, `#${HIST_NEEDLE_LINE} `);
    yard = `\`grep -c -F\` over the store's ${f(g.bytes / 2 ** 20)} MiB of search sidecars ${f(g.s, 2)} s (${g.count} lines)${r.s ? `, search ${f(r.s / g.s, 1)}× that` : ''}; `;
  }
  rows.push([
    `historical search, ${f(HIST_JOBS)} jobs × ${label(HIST_LINES)} lines, ${where}: a line that is in ${load.trueCount} of them${loaded}`,
    r.a ? `${f(r.s, 2)} s, \`total\` ${r.a.total} of ${load.trueCount}, ${f(r.a.scannedJobs ?? null)} jobs scanned${r.a.truncated ? ', truncated' : ''}` : `failed: ${r.error}`,
    `${yard}load: ${lps(load.jobs * HIST_LINES, load.s)} (${how})`,
    '≤ 1 s, with a cursor to continue',
  ]);
}

/** A server started elsewhere (--url): loaded over HTTP. */
async function rowHistoryHttp(where: string, base: string): Promise<void> {
  log(`[limits] historical search (${where}): loading ${HIST_JOBS} jobs × ${label(HIST_LINES)} lines over HTTP (budget ${HIST_LOAD_BUDGET_S} s)`);
  const load = await loadHistory(new Api(base), HIST_NEEDLE_LINE);
  log(`[limits]   loaded ${load.jobs} jobs in ${load.s.toFixed(0)} s = ${lps(load.jobs * HIST_LINES, load.s)}`);
  await historyRow(where, base, load, '4 POSTs in flight');
}

/** The bench's own server: the store is seeded in-process first (bench-limits/seed.ts), then served. */
async function rowHistory(where: string, storeUrl: string, port: number): Promise<LogscopeServer> {
  log(`[limits] historical search (${where}): seeding ${HIST_JOBS} jobs × ${label(HIST_LINES)} lines in-process`);
  const { text, slices, needleSlice } = historySlices(HIST_NEEDLE_LINE);
  const load = await seedHistory({ storeUrl, text, slices, jobs: HIST_JOBS, needleSlice, prefix: `hist-${Date.now()}`, concurrency: 4, log });
  log(`[limits]   seeded ${load.jobs} jobs in ${load.s.toFixed(0)} s = ${lps(load.jobs * HIST_LINES, load.s)} (${load.ingested} through ingest)`);
  const { server } = await startServer(port, storeUrl);
  await historyRow(where, server.url, load, `in-process through lib/writes and the store's append, ${load.ingested} distinct slices through ingest${load.rebuildS !== null ? `; line indexes dropped meanwhile, re-created in ${f(load.rebuildS)} s, then ANALYZE` : ''}`, storeUrl.startsWith('file:') ? storeUrl.slice(5) : undefined);
  return server;
}

// ---------------------------------------------------------------- rows 5, 6: live
const latText = (r: LatencyResult) => `p50 ${f(r.p50)} ms, p99 ${f(r.p99)} ms${r.seen < r.sent ? `, ${r.sent - r.seen} of ${r.sent} never seen` : ''}${r.note ? ` (${r.note})` : ''}`;
const fanText = (r: FanoutResult) =>
  `p50 ${f(r.p50)} ms, p99 ${f(r.p99)} ms, CPU ${f(r.cpuPct)} %, RSS ≤ ${f(r.rssMaxMiB)} MiB, ${f(r.lost)} lost${r.connected < r.viewers ? `, ${r.connected}/${r.viewers} connected` : ''}${r.clientElu !== null && r.clientElu > 0.9 ? ` (viewers' thread saturated: ELU ${r.clientElu.toFixed(2)})` : ''}${r.note ? ` (${r.note})` : ''}`;

async function rowLatency(t: Target, chromiumPath: string, fake: { base: string } | null): Promise<void> {
  const runs: [rate: number, seconds: number, goal: string][] = [
    [100, QUICK ? 3 : 10, 'p50 ≤ 20 ms, p99 ≤ 60 ms'],
    [1000, QUICK ? 2 : 5, 'p50 ≤ 30 ms, p99 ≤ 100 ms'],
  ];
  for (const [rate, seconds, goal] of runs) {
    const r = await latency(t.base, chromiumPath, rate, seconds).catch((e: unknown) => errorText(e));
    const floor = fake ? await latency(fake.base, chromiumPath, rate, seconds).catch((e: unknown) => errorText(e)) : null;
    rows.push([
      `producer → DOM at ${f(rate)} lines/s (${seconds} s, one streamed POST)`,
      typeof r === 'string' ? `failed: ${r}` : latText(r),
      `${floor === null ? 'fake-server floor: shared bench absent' : `fake-server floor ${typeof floor === 'string' ? `failed: ${floor}` : latText(floor)}`}; Dozzle batches at 250 ms, GitHub ≈ 1 s (not measured)`,
      goal,
    ]);
  }
}

async function rowFanout(t: Target, fake: { base: string; child: ChildProcess } | null): Promise<void> {
  const runs: [viewers: number, goal: string][] = [
    [100, 'p99 ≤ 50 ms at ≤ 25 % CPU'],
    [1000, 'p99 ≤ 300 ms, RSS ≤ 300 MiB, nothing lost'],
  ];
  for (const [k, goal] of runs) {
    const r = await fanout(t.base, t.pid, k, FAN_LINES, 1000).catch((e: unknown) => errorText(e));
    const floor = fake ? await fanout(fake.base, fake.child.pid ?? null, k, FAN_LINES, 1000).catch((e: unknown) => errorText(e)) : null;
    rows.push([
      `SSE fan-out: ${f(k)} viewers of one job, 1,000 lines/s (${f(FAN_LINES)} lines)`,
      typeof r === 'string' ? `failed: ${r}` : fanText(r),
      floor === null ? 'fake-server floor: shared bench absent' : `fake-server floor ${typeof floor === 'string' ? `failed: ${floor}` : fanText(floor)}`,
      goal,
    ]);
  }
}

// ---------------------------------------------------------------- rows 1, 2: render
const SIZE_NAMES: Record<string, string> = { '1m': '1M', '100k': '100k', '10k': '10k' };

function renderRows(table: RenderTable, sizes: string[], scrollSize: string, peersNote: string): void {
  const goals: Record<string, string> = { '1m': '≤ 300 ms, ≤ 150 MB', '100k': '≤ 250 ms', '10k': '≤ 200 ms: ahead of every peer at every size' };
  const names: Record<string, string> = { patternfly: 'PatternFly', virtuoso: 'virtuoso baseline', melloware: 'react-logviewer' };
  const cell = (size: string, viewer: string, what: 'first' | 'scroll') => {
    const c = table[size]?.[viewer];
    if (!c) return null;
    const body = what === 'first' ? `${f(c.firstMs)} ms / ${f(c.rssMiB)} MB` : `p95 ${f(c.p95, 1)} ms, ${f(c.over50)} frames > 50 ms`;
    return `${body}${c.status ? ` [${c.status}]` : ''}`;
  };
  const peers = (size: string, what: 'first' | 'scroll') =>
    Object.keys(names)
      .map((v) => {
        const c = cell(size, v, what);
        return c ? `${names[v]} ${c}` : null;
      })
      .filter(Boolean)
      .join('; ') || peersNote;
  for (const size of sizes) {
    rows.push([`first line visible, ${SIZE_NAMES[size] ?? size}-line step (\`/jobs/{job}#main\`), renderer RSS`, cell(size, 'logscope', 'first') ?? '—', peers(size, 'first'), goals[size] ?? '']);
  }
  if (ONLY.has(2)) rows.push([`scroll a ${SIZE_NAMES[scrollSize] ?? scrollSize}-line step, 200 viewports (half a viewport a frame)`, cell(scrollSize, 'logscope', 'scroll') ?? '—', peers(scrollSize, 'scroll'), 'p95 ≤ 17 ms, 0 frames > 50 ms']);
}

async function rowRender(t: Target, chromiumPath: string, shared: string | null): Promise<void> {
  const sizes = QUICK ? ['100k', '10k'] : ['1m', '100k', '10k'];
  const scrollSize = sizes[0]!;
  if (shared) {
    const cache = path.join(root, 'node_modules', '.cache', 'logscope-bench');
    fs.mkdirSync(cache, { recursive: true });
    const all = 'melloware,patternfly,virtuoso,logscope';
    // react-logviewer's renderer crashes about a minute into 1M lines (shared README): left out there
    const groups = QUICK ? [{ sizes: '10k,100k', viewers: all }] : [{ sizes: '10k,100k', viewers: all }, { sizes: '1m', viewers: 'patternfly,virtuoso,logscope' }];
    const table = await sharedRender({ shared, cache, url: t.base, chromium: chromiumPath, groups, reps: REPS, pageTimeoutS: 60, timeoutS: QUICK ? 900 : 2400, log });
    // Where the harness got no memory or scroll figures for Logscope (its deep link to the last
    // line timed out), measure them ourselves on the same job.
    for (const size of sizes) {
      const c = table[size]?.logscope;
      if (!c?.job || (c.rssMiB !== null && (size !== scrollSize || c.p95 !== null))) continue;
      const lines = { '1m': 1_000_000, '100k': 100_000, '10k': 10_000 }[size] ?? 0;
      const own = (await ownRender({ url: t.base, chromium: chromiumPath, jobs: [{ label: size, job: c.job, lines }], reps: REPS, scrollLabel: size === scrollSize ? size : '', log }))[size]?.logscope;
      if (!own) continue;
      c.rssMiB ??= own.rssMiB;
      if (size === scrollSize && c.p95 === null) [c.p95, c.over50] = [own.p95, own.over50];
      c.status += `; RSS${size === scrollSize ? ' and scroll' : ''}: own measurement on the same job${own.status ? ` (${own.status})` : ''}`;
    }
    notes.push(`Rows "first line" and "scroll": the shared render harness (${shared}/render), medians of ${REPS} runs, each in a fresh Chromium${QUICK ? '' : '; react-logviewer left out at 1M (its renderer crashes about a minute into loading, shared README)'}.`);
    renderRows(table, sizes, scrollSize, '—');
    return;
  }
  const api = new Api(t.base);
  const jobs: { label: string; job: string; lines: number }[] = [];
  for (const s of sizes) {
    const lines = s === '1m' ? 1_000_000 : s === '100k' ? 100_000 : 10_000;
    const file = path.join(tmp, `render-${s}.txt`);
    writeAnsiHeavy(file, lines);
    const job = `limits-render-${s}-${Date.now()}`;
    await ingestJob(api, job, file);
    fs.rmSync(file, { force: true });
    jobs.push({ label: s, job, lines });
  }
  const table = await ownRender({ url: t.base, chromium: chromiumPath, jobs, reps: REPS, scrollLabel: scrollSize, log });
  notes.push(`Rows "first line" and "scroll": Logscope alone (own Chromium measurement, medians of ${REPS} runs): the shared bench is absent.`);
  renderRows(table, sizes, scrollSize, 'peers: shared bench absent');
}

// ---------------------------------------------------------------- main
function printTable(started: number): void {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  console.log(`\n## Issue 9: Logscope at the physical limit (${new Date().toISOString().slice(0, 16)}Z, ${Math.round(secs(started))} s, ${QUICK ? 'quick sizes' : 'full sizes'})\n`);
  console.log('| what | Logscope | peer or yardstick (same run) | goal |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.map(esc).join(' | ')} |`);
  console.log('');
  for (const n of notes) console.log(`- ${n}`);
}

async function main(): Promise<void> {
  const started = nowMs();
  // A hard stop, or Ctrl-C / SIGTERM: print the rows measured so far, clean up, exit.
  const stop = (why: string) => {
    console.error(`[limits] ${why}; printing what was measured`);
    printTable(started);
    void cleanup().finally(() => process.exit(3));
  };
  setTimeout(() => stop(`hard stop after ${HARD_STOP_S} s`), HARD_STOP_S * 1000).unref();
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const chromiumPath = ONLY.has(1) || ONLY.has(2) || ONLY.has(5) ? findChromium() : '';
  const shared = findSharedBench(root);
  log(`[limits] ${os.cpus().length} CPUs, node ${process.version}; shared bench: ${shared ?? 'absent'}; temp ${tmp}`);

  let target: Target;
  if (URL_GIVEN) {
    const api = new Api(URL_GIVEN.replace(/\/+$/, ''));
    target = { base: api.base, pid: opt('pid') ? Number(opt('pid')) : await api.healthPid(), storeDir: opt('store') ?? null };
    notes.push(`Server under test: ${api.base} (pid ${target.pid ?? 'unknown'}), started elsewhere; fan-out needs LOGSCOPE_SSE_PER_CLIENT and LOGSCOPE_SSE_TOTAL raised there.`);
  } else {
    spawnSync(process.execPath, [path.join(root, 'scripts/ensure-build.mjs')], { cwd: root, stdio: 'inherit' });
    const storeDir = path.join(tmp, 'store');
    const { server, pid } = await startServer(PORTS.main, `file:${storeDir}`);
    target = { base: server.url, pid, storeDir };
    notes.push(`Server under test: scripts/server.mjs (production build) on a fresh file store in ${os.tmpdir()}, LOGSCOPE_SSE_PER_CLIENT=LOGSCOPE_SSE_TOTAL=5000; the bench client runs on the same 2-core machine.`);
  }

  // The shared harness's fake server: the floor of the live rows.
  let fake: { base: string; child: ChildProcess } | null = null;
  if (shared && (ONLY.has(5) || ONLY.has(6))) {
    fake = await startFake(path.join(shared, 'live'));
    if (!fake) notes.push('The fake server of the shared bench did not start: no floor for the live rows.');
  }

  const step = async (n: number, what: string, fn: () => Promise<void>) => {
    if (!ONLY.has(n)) return;
    const t0 = nowMs();
    log(`\n[limits] row ${n}: ${what}`);
    try {
      await fn();
    } catch (error) {
      rows.push([`row ${n}: ${what}`, `failed: ${errorText(error)}`, '—', '—']);
    }
    log(`[limits] row ${n} took ${secs(t0).toFixed(0)} s`);
  };
  await step(3, 'ingest', () => rowIngest(target));
  await step(7, 'range', () => rowRange(target));
  await step(4, 'search', async () => {
    await rowSearch(target);
    if (URL_GIVEN) {
      await rowHistoryHttp('the given server', target.base);
      return;
    }
    if (HIST_STORES.has('file')) {
      const file = await rowHistory('file store', `file:${path.join(tmp, 'hist-store')}`, PORTS.histFile);
      await file.stop();
      fs.rmSync(path.join(tmp, 'hist-store'), { recursive: true, force: true });
    }
    if (!HIST_STORES.has('pg')) return;
    if (!(await postgresReachable(POSTGRES_ADMIN))) {
      rows.push(['historical search, PostgreSQL', 'skipped: PostgreSQL not reachable at 127.0.0.1:5432', '—', '≤ 1 s']);
      return;
    }
    const db = await createTestDatabase(POSTGRES_ADMIN);
    const pgServer = await rowHistory('PostgreSQL', db.url, PORTS.histPg);
    if (KEEP_PG) notes.push(`Historical PostgreSQL database kept for EXPLAIN: ${db.url}`);
    else cleanups.push(() => db.drop().catch(() => undefined));
    await pgServer.stop();
  });
  await step(5, 'producer → DOM latency', () => rowLatency(target, chromiumPath, fake));
  await step(6, 'SSE fan-out', () => rowFanout(target, fake));
  if (ONLY.has(1) || ONLY.has(2)) await step(ONLY.has(1) ? 1 : 2, 'render (first line, RSS, scroll)', () => rowRender(target, chromiumPath, shared));

  notes.push('Figures from one run on a shared 2-core machine (other processes running): read ratios within a row, not absolute values across runs. The bench prints figures and never passes or fails.');
  printTable(started);
}

async function cleanup(): Promise<void> {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  cleanups.length = 0;
  fs.rmSync(tmp, { recursive: true, force: true });
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    process.exit(process.exitCode ?? 0);
  });
