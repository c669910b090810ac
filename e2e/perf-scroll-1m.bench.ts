/**
 * Benchmark (not a test): scroll a 1,000,000-line step in real Chromium and print the frame
 * times. Prints figures, asserts nothing (timings belong in benchmarks).
 *
 *   npx tsx --conditions=react-server e2e/perf-scroll-1m.bench.ts [baseURL] [--job ID] [--runs 3]
 *       [--lines 1000000] [--viewports 200] [--trace FILE] [--profile] [--url U --scroller S --ready S]
 *
 * Needs a running Logscope server. Seeds one job (step `main`, CI-like content: timestamps,
 * 16/256/truecolor SGR, `##[group]` sections, ~5 % lines of 500-3000 characters, ~1 % `\r`
 * progress lines), unless `--job` names one already seeded (its step `main`). Each run opens
 * the deep link `/jobs/{job}#main:{last}` in a fresh context (1280x800, like the shared render
 * harness), then does what that harness's scroll test does: `scrollTop = 0` on the list, a
 * pause, then `scrollTop += half a viewport` in every animation frame for `--viewports`
 * viewport heights. A frame is the time between two animation-frame timestamps (16.7 ms is
 * 60 fps). It prints the median, p95 and max frame and the frames over 50 ms, per run and
 * over all runs.
 *
 * `--profile` records a CPU profile of the scroll (CDP Profiler) and prints the functions
 * with the most self time; `--trace FILE` writes a Chromium trace of the scroll (load it in
 * the Performance panel) and prints what the longest tasks spent their time on.
 */
import { writeFileSync } from 'node:fs';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { completeJob, createJob, prng, setStep, uniqueJobId } from '../test/support';
import { sendTextLines } from './ui-fixtures';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1]?.startsWith('--') && !['--profile'].includes(all[i - 1]!)));
const baseURL = positional[0] ?? process.env.LOGSCOPE_URL ?? 'http://127.0.0.1:3100';
const LINES = Number(arg('lines') ?? 1_000_000);
const RUNS = Number(arg('runs') ?? 3);
const VIEWPORTS = Number(arg('viewports') ?? 200);
const TRACE = arg('trace');
const PROFILE = process.argv.includes('--profile');
/**
 * Another page to scroll the same way, for a side-by-side figure (e.g. the shared render
 * harness's react-virtuoso + ansi-to-html baseline: `--url 'http://127.0.0.1:5180/virtuoso.html?log=/data/log-1m.txt'
 * --scroller '[data-virtuoso-scroller]' --ready '[data-line]'`). No job is seeded then.
 */
const PAGE_URL = arg('url');
const SCROLLER = arg('scroller') ?? '.ls-scroller';
const READY = arg('ready') ?? '[data-step="main"][data-line]';

// ---------------------------------------------------------------- a CI-like log (seeded)
function seeded(seed: number) {
  const next = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  return { next, int, pick };
}
const WORDS = 'build cache layer module chunk vendor runtime worker shard retry resolve fetch compile bundle assets config plugin loader'.split(' ');
const E = '\u001b[';

/** Line n of the benchmark log (deterministic per n). */
export function ciLine(n: number, last: number): string {
  const r = seeded(n * 2654435761);
  const ts = `2026-01-01T12:${String(Math.floor(n / 60000) % 60).padStart(2, '0')}:${String(Math.floor(n / 1000) % 60).padStart(2, '0')}.${String(n % 1000).padStart(3, '0')}0000Z`;
  const words = (k: number) => Array.from({ length: k }, () => r.pick(WORDS)).join(' ');
  if (n === 1) return `${ts} ${E}1m${E}36mbench log${E}0m BENCH-FIRST-LINE lines=${last}`;
  if (n === last) return `${ts} BENCH-LAST-LINE`;
  if (n % 20_000 === 2) return `${ts} ##[group]Run step ${Math.floor(n / 20_000) + 1}`;
  if (n % 20_000 === 1 && n > 1) return `${ts} ##[endgroup]`;
  const roll = r.next();
  if (roll < 0.05) {
    const target = r.int(500, 3000);
    let s = `${ts} ${E}90m[command]${E}0m/usr/bin/node`;
    while (s.length < target) s += r.next() < 0.3 ? ` ${E}38;5;${r.int(16, 231)}m${words(2)}${E}39m` : ` --${r.pick(WORDS)}=${r.int(0, 1e9).toString(16)}`;
    return s;
  }
  if (roll < 0.06) {
    const parts: string[] = [];
    for (let pct = 20; pct <= 100; pct += 20) parts.push(`Downloading ${E}38;5;70m${'━'.repeat(pct / 5).padEnd(20)}${E}39m ${pct}%`);
    return `${ts} ${parts.join('\r')}`;
  }
  switch (r.int(0, 4)) {
    case 0:
      return `${ts} ${E}32m✓${E}0m ${words(r.int(3, 9))} ${E}2m(${r.int(0, 400)} ms)${E}22m`;
    case 1:
      return `${ts} ${E}38;2;142;214;251m[webpack]${E}39m asset ${E}1m${E}32mmain.${r.int(0, 1e9).toString(16)}.js${E}0m ${r.int(1, 2000)} KiB`;
    case 2:
      return `${ts} ${E}90mnpm${E}0m ${E}43m${E}30mWARN${E}0m ${E}35mdeprecated${E}0m ${words(r.int(4, 10))}`;
    case 3:
      return `${ts} ${E}36minfo${E}0m  - ${words(r.int(3, 10))}`;
    default:
      return `${ts} ${words(r.int(4, 14))}`;
  }
}

// ---------------------------------------------------------------- the scroll test (in the page)
interface ScrollResult {
  deltas: number[];
  idle: number[];
  movedPx: number;
  viewportPx: number;
  bounces: number;
  pendingAtEnd: number;
}

/**
 * The in-page half, as source text: tsx compiles named functions with a `__name` helper that
 * does not exist inside the page, so this is handed to the page as a string.
 */
const SCROLL_TEST = `async (vp, selector) => {
  const sc = document.querySelector(selector);
  if (!sc) throw new Error('no ' + selector);
  const nextFrame = () => new Promise((r) => requestAnimationFrame(r));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  sc.scrollTop = 0;
  for (let i = 0; i < 5; i++) await nextFrame();
  await sleep(500);
  for (let i = 0; i < 5; i++) await nextFrame();
  const idle = [];
  let prev = await nextFrame();
  for (let i = 0; i < 30; i++) {
    const t = await nextFrame();
    idle.push(t - prev);
    prev = t;
  }
  const H = sc.clientHeight;
  const px = H * 0.5;
  const total = vp * H;
  const deltas = [];
  let moved = 0;
  let dir = 1;
  let bounces = 0;
  let last = null;
  await new Promise((resolve) => {
    const tick = (ts) => {
      if (last !== null) deltas.push(ts - last);
      last = ts;
      if (moved >= total) return resolve();
      const max = sc.scrollHeight - sc.clientHeight;
      let next = sc.scrollTop + dir * px;
      if (next >= max) {
        next = max;
        dir = -1;
        bounces++;
      } else if (next <= 0) {
        next = 0;
        dir = 1;
        bounces++;
      }
      sc.scrollTop = next;
      moved += px;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return { deltas, idle, movedPx: moved, viewportPx: H, bounces, pendingAtEnd: document.querySelectorAll('.ls-pending').length };
}`;

async function scrollTest(page: Page, viewports: number): Promise<ScrollResult> {
  return (await page.evaluate(`(${SCROLL_TEST})(${viewports}, ${JSON.stringify(SCROLLER)})`)) as ScrollResult;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function frameStats(deltas: readonly number[]) {
  const s = [...deltas].sort((a, b) => a - b);
  return { frames: s.length, med: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1] ?? NaN, over50: s.filter((d) => d > 50).length };
}

// ---------------------------------------------------------------- profile and trace summaries
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function printProfile(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const f = byId.get(id)?.callFrame;
    if (!f) return;
    const file = f.url.replace(/^.*\//, '');
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  console.log(`  CPU profile of the scroll: ${total.toFixed(0)} ms sampled; most self time:`);
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${ms.toFixed(1).padStart(8)} ms  ${key}`);
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** thread (CPU) time, µs */
  tdur?: number;
  tid: number;
  pid: number;
  args?: { data?: { functionName?: string; url?: string; type?: string } };
}

/**
 * Main-thread CPU time per frame, from the trace: on a machine shared with other work the
 * wall-clock frame times above stretch with the load, the renderer thread's own CPU time much
 * less. Frames are the intervals between tasks that run animation-frame callbacks.
 */
function printTrace(events: readonly TraceEvent[]): number[] {
  const fire = events.filter((e) => e.name === 'FireAnimationFrame');
  const main = fire[0];
  if (!main) {
    console.log('  trace: no animation frames');
    return [];
  }
  const onMain = (e: TraceEvent) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X';
  const tasks = events.filter((e) => e.name === 'RunTask' && onMain(e)).sort((a, b) => a.ts - b.ts);
  const fireTs = fire.filter(onMain).map((e) => e.ts);
  const frameTasks = tasks.filter((t) => fireTs.some((ts) => ts >= t.ts && ts <= t.ts + (t.dur ?? 0)));
  const cpu: number[] = [];
  let j = 0;
  for (let i = 0; i + 1 < frameTasks.length; i++) {
    const from = frameTasks[i]!.ts;
    const to = frameTasks[i + 1]!.ts;
    let sum = 0;
    while (j < tasks.length && tasks[j]!.ts < from) j++;
    for (let k = j; k < tasks.length && tasks[k]!.ts < to; k++) sum += (tasks[k]!.tdur ?? tasks[k]!.dur ?? 0) / 1000;
    cpu.push(sum);
  }
  const c = frameStats(cpu);
  console.log(`  main-thread CPU per frame (trace): med ${c.med.toFixed(1)} ms, p95 ${c.p95.toFixed(1)} ms, max ${c.max.toFixed(1)} ms, frames over 50 ms of CPU: ${c.over50}, total ${cpu.reduce((a, b) => a + b, 0).toFixed(0)} ms over ${c.frames} frames`);
  const long = tasks.filter((t) => (t.dur ?? 0) > 30_000).sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0));
  console.log(`  tasks over 30 ms (wall): ${long.length}; the longest:`);
  for (const task of long.slice(0, 6)) {
    const end = task.ts + (task.dur ?? 0);
    const sums = new Map<string, number>();
    for (const e of events) {
      if (e === task || !onMain(e) || e.ts < task.ts || e.ts + (e.dur ?? 0) > end) continue;
      const d = e.args?.data;
      const label = e.name === 'FunctionCall' || e.name === 'EventDispatch' || e.name === 'TimerFire' ? `${e.name}(${d?.functionName ?? d?.type ?? ''})` : e.name;
      sums.set(label, (sums.get(label) ?? 0) + (e.dur ?? 0) / 1000);
    }
    const parts = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, ms]) => `${k} ${ms.toFixed(1)}`);
    console.log(`    ${((task.dur ?? 0) / 1000).toFixed(1)} ms wall, ${((task.tdur ?? 0) / 1000).toFixed(1)} ms CPU: ${parts.join(', ')}`);
  }
  return cpu;
}

async function withTrace<T>(cdp: CDPSession, file: string, cpu: number[], fn: () => Promise<T>): Promise<T> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,disabled-by-default-devtools.timeline.frame,v8.execute,blink.user_timing,disabled-by-default-v8.cpu_profiler',
    transferMode: 'ReportEvents',
  });
  const result = await fn();
  const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.end');
  await done;
  writeFileSync(file, JSON.stringify({ traceEvents: events }));
  console.log(`  trace written to ${file} (${events.length} events)`);
  cpu.push(...printTrace(events));
  return result;
}

// ---------------------------------------------------------------- main
async function seed(): Promise<string> {
  const jobId = uniqueJobId('bench-scroll');
  const started = Date.now();
  const p = await createJob(baseURL, jobId, { title: 'Scroll a million lines', steps: [{ id: 'main', name: 'Main' }] });
  await sendTextLines(p, 'main', LINES, (n) => ciLine(n, LINES), 50_000);
  await setStep(p, 'main', { status: 'success' });
  await completeJob(p, 'success');
  console.log(`seeded ${LINES.toLocaleString('en-US')} lines in ${((Date.now() - started) / 1000).toFixed(1)} s (${jobId})`);
  return jobId;
}

async function main() {
  const jobId = PAGE_URL ? '' : (arg('job') ?? (await seed()));
  const browser = await chromium.launch({
    executablePath: process.env.LOGSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const all: number[] = [];
  const cpu: number[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await page.goto(PAGE_URL ?? `${baseURL}/jobs/${jobId}#main:${LINES}`);
      // Lines on screen (the deep link opened the window at the end of the step), then a pause.
      // Not the last line itself: rows that wrap can push it below the viewport once their
      // heights are measured, and this benchmark is about scrolling, not about that landing.
      await page.locator(READY).first().waitFor({ state: 'attached', timeout: 180_000 });
      await page.waitForTimeout(1500);
      if (PROFILE) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      const res = TRACE ? await withTrace(cdp, TRACE.replace(/(\.json)?$/, `-${run}.json`), cpu, () => scrollTest(page, VIEWPORTS)) : await scrollTest(page, VIEWPORTS);
      if (PROFILE) printProfile(((await cdp.send('Profiler.stop')) as { profile: Profile }).profile);
      const s = frameStats(res.deltas);
      const idle = frameStats(res.idle);
      all.push(...res.deltas);
      console.log(
        `run ${run}: scroll ${(res.movedPx / res.viewportPx).toFixed(0)} viewports, ${s.frames} frames: med ${s.med.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms, frames > 50 ms: ${s.over50} (idle frame med ${idle.med.toFixed(1)} ms; rows still pending at the end: ${res.pendingAtEnd})`,
      );
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const s = frameStats(all);
  console.log(`all runs: ${s.frames} frames: frame med ${s.med.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, frames > 50 ms: ${s.over50} (${(s.over50 / RUNS).toFixed(1)} per run)`);
  if (cpu.length > 0) {
    const c = frameStats(cpu);
    console.log(`all runs, main-thread CPU per frame: med ${c.med.toFixed(1)} ms, p95 ${c.p95.toFixed(1)} ms, frames over 50 ms of CPU: ${c.over50}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
