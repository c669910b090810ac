/**
 * Rows 1–2 of scripts/bench-limits.ts: first line visible, renderer RSS and scroll frames.
 * - `sharedRender`: the shared render harness (../shared/bench/render, or LOGSCOPE_BENCH_DIR)
 *   beside PatternFly, react-logviewer and the plain react-virtuoso + ansi-to-html baseline.
 *   It is copied (with ../live, whose contract client it imports) under
 *   node_modules/.cache/logscope-bench, `npm ci`'d there once (kept while its lockfile is the
 *   same), run with --logscope-url, and its JSON results are read back.
 * - `ownRender`: Logscope alone, when the shared harness is absent: the same measurements in
 *   Chromium (first line of `/jobs/{job}#main` in the viewport, from navigation start; renderer
 *   RSS; 200 viewport heights scrolled half a viewport per frame on the deep-linked page).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './live';
import { Api, errorText, median, pct, rendererRssMiB, sleep, withTimeout } from './util';

export interface RenderCell {
  firstMs: number | null;
  rssMiB: number | null;
  p95: number | null;
  over50: number | null;
  status: string;
  /** the job the harness ingested (Logscope only) */
  job?: string;
}
/** size label (`10k`…) → viewer → medians */
export type RenderTable = Record<string, Record<string, RenderCell>>;

/** The shared bench folder (holding render/ and live/), or null (always with LOGSCOPE_BENCH_DIR=none). */
export function findSharedBench(root: string): string | null {
  if (process.env.LOGSCOPE_BENCH_DIR === 'none') return null;
  const candidates = [process.env.LOGSCOPE_BENCH_DIR, path.join(root, '..', 'shared', 'bench')];
  // a git worktree's main checkout is the repository's home: its ../shared too
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root, encoding: 'utf8' });
  if (common.status === 0 && common.stdout.trim()) candidates.push(path.join(path.dirname(common.stdout.trim()), '..', 'shared', 'bench'));
  for (const c of candidates) {
    if (!c) continue;
    // LOGSCOPE_BENCH_DIR may name the render folder itself
    const dir = fs.existsSync(path.join(c, 'render', 'run-bench.mjs')) ? c : fs.existsSync(path.join(c, 'run-bench.mjs')) ? path.dirname(c) : null;
    if (dir) return path.resolve(dir);
  }
  return null;
}

/** Copies render/ and live/ into the cache (keeping node_modules and data) and installs once. */
function prepareCopy(shared: string, cache: string, log: (s: string) => void): string {
  for (const part of ['render', 'live']) {
    const src = path.join(shared, part);
    if (!fs.existsSync(src)) continue;
    const dst = path.join(cache, part);
    fs.mkdirSync(dst, { recursive: true });
    for (const entry of fs.readdirSync(src)) {
      if (['node_modules', 'data', 'dist', 'results'].includes(entry)) continue;
      fs.cpSync(path.join(src, entry), path.join(dst, entry), { recursive: true });
    }
  }
  const render = path.join(cache, 'render');
  const lock = fs.readFileSync(path.join(render, 'package-lock.json'), 'utf8');
  const stamp = path.join(render, 'node_modules', '.logscope-lock');
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== lock) {
    log(`[limits] npm ci in ${render} (once; kept while its package-lock.json is unchanged)`);
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: render, stdio: 'inherit', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`npm ci in ${render} failed`);
    fs.writeFileSync(stamp, lock);
  }
  return render;
}

interface HarnessResult {
  viewer: string;
  sizeLabel: string;
  job?: string;
  status: string;
  phase?: string;
  firstMs?: number | null;
  rendererRssMB?: number | null;
  scroll?: { p95Ms: number; over50: number };
}

/** Runs the harness once per group of sizes; the medians by size and viewer. */
export async function sharedRender(opts: {
  shared: string;
  cache: string;
  url: string;
  chromium: string;
  groups: { sizes: string; viewers: string }[];
  reps: number;
  /** per page load (the harness's --timeout) */
  pageTimeoutS: number;
  timeoutS: number;
  log: (s: string) => void;
}): Promise<RenderTable> {
  const render = prepareCopy(opts.shared, opts.cache, opts.log);
  const table: RenderTable = {};
  for (const g of opts.groups) {
    const out = fs.mkdtempSync(path.join(opts.cache, 'results-'));
    try {
      const args = ['run-bench.mjs', '--sizes', g.sizes, '--viewers', g.viewers, '--reps', String(opts.reps), '--timeout', String(opts.pageTimeoutS), '--logscope-url', opts.url, '--chromium', opts.chromium, '--out', out];
      opts.log(`[limits] render harness: node ${args.join(' ')}`);
      const child = spawn(process.execPath, args, { cwd: render, stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n')) if (line.startsWith('[bench]')) opts.log(`  ${line}`);
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      // never left behind when this process exits (a hard stop, a signal)
      const killChild = () => void child.kill('SIGTERM');
      process.once('exit', killChild);
      void exited.then(() => process.off('exit', killChild));
      try {
        await withTimeout(exited, opts.timeoutS * 1000, 'the render harness');
      } catch (error) {
        child.kill('SIGTERM');
        opts.log(`[limits] ${errorText(error)}: stopped; reading what it saved`);
        await Promise.race([exited, sleep(10_000)]);
      }
      const file = fs.readdirSync(out).find((n) => n.endsWith('.json'));
      if (!file) continue;
      const doc = JSON.parse(fs.readFileSync(path.join(out, file), 'utf8')) as { results: HarnessResult[] };
      const by = new Map<string, HarnessResult[]>();
      for (const r of doc.results) {
        const key = `${r.sizeLabel}|${r.viewer}`;
        by.set(key, [...(by.get(key) ?? []), r]);
      }
      for (const [key, rs] of by) {
        const [size, viewer] = key.split('|') as [string, string];
        const ok = rs.filter((r) => r.status === 'ok');
        const failed = rs.filter((r) => r.status !== 'ok').map((r) => `${r.status}@${r.phase ?? '?'}`);
        (table[size] ??= {})[viewer] = {
          firstMs: median(rs.map((r) => r.firstMs)),
          rssMiB: median(ok.map((r) => r.rendererRssMB)),
          p95: median(ok.map((r) => r.scroll?.p95Ms)),
          over50: median(ok.map((r) => r.scroll?.over50)),
          status: failed.length ? `${ok.length}/${rs.length} ok (${failed.join(', ')})` : '',
          job: rs.find((r) => r.job)?.job,
        };
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  return table;
}

// ---------------------------------------------------------------- Logscope alone

// Page scripts are plain JavaScript in strings: tsx would wrap named functions in a helper
// (`__name`) that the page does not have.

/** In the page before its scripts: the time (from navigation start) `sel` is first in the viewport. */
const firstVisibleInit = (sel: string) => `(() => {
  window.__first = null;
  const frame = () => {
    const el = document.querySelector(${JSON.stringify(sel)});
    if (el) {
      const r = el.getBoundingClientRect();
      if (r.height > 0 && r.bottom > 0 && r.top < window.innerHeight) {
        window.__first = performance.now();
        return;
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;

/** Scrolls the biggest scroll container by half a viewport a frame; the frame deltas. */
const scrollFrames = (viewports: number) => `(async () => {
  let sc = null;
  let h = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (el.scrollHeight <= el.clientHeight + 4) continue;
    const oy = getComputedStyle(el).overflowY;
    if ((oy === 'auto' || oy === 'scroll') && el.scrollHeight > h) {
      sc = el;
      h = el.scrollHeight;
    }
  }
  const d = document.scrollingElement;
  if (d && d.scrollHeight > d.clientHeight + 4 && d.scrollHeight > h) sc = d;
  if (!sc) return [];
  sc.scrollTop = 0;
  await new Promise((r) => setTimeout(r, 500));
  const step = sc.clientHeight * 0.5;
  const total = ${viewports} * sc.clientHeight;
  const deltas = [];
  let moved = 0;
  let dir = 1;
  let last = null;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = (ts) => {
      if (last !== null) deltas.push(ts - last);
      last = ts;
      if (moved >= total || performance.now() - t0 > 60000) return resolve();
      const max = sc.scrollHeight - sc.clientHeight;
      let next = sc.scrollTop + dir * step;
      if (next >= max) { next = max; dir = -1; } else if (next <= 0) { next = 0; dir = 1; }
      sc.scrollTop = next;
      moved += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return deltas;
})()`;

/** Logscope alone: per size, `reps` fresh browsers; first line, renderer RSS, scroll (largest size). */
export async function ownRender(opts: { url: string; chromium: string; jobs: { label: string; job: string; lines: number }[]; reps: number; scrollLabel: string; log: (s: string) => void }): Promise<RenderTable> {
  const table: RenderTable = {};
  for (const { label, job, lines } of opts.jobs) {
    const first: (number | null)[] = [];
    const rss: (number | null)[] = [];
    const p95: (number | null)[] = [];
    const over: (number | null)[] = [];
    const failed: string[] = [];
    for (let rep = 0; rep <= opts.reps; rep++) {
      const browser = await chromium.launch({ executablePath: opts.chromium, headless: true, args: LAUNCH_ARGS, timeout: 60_000 });
      try {
        await sleep(1000);
        const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
        await page.addInitScript({ content: firstVisibleInit('[data-step="main"][data-line="1"]') });
        await page.goto(`${opts.url}/jobs/${encodeURIComponent(job)}#main`, { waitUntil: 'commit', timeout: 120_000 });
        await page.waitForFunction(() => (window as unknown as { __first: number | null }).__first !== null, undefined, { timeout: 60_000, polling: 50 });
        if (rep === 0) continue; // warm-up load, not recorded
        first.push(await page.evaluate(() => (window as unknown as { __first: number }).__first));
        await sleep(1000);
        rss.push(rendererRssMiB());
        if (label === opts.scrollLabel) {
          const deep = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
          await deep.goto(`${opts.url}/jobs/${encodeURIComponent(job)}#main:${lines}`, { waitUntil: 'load', timeout: 120_000 });
          await deep.waitForSelector(`[data-step="main"][data-line="${lines}"]`, { timeout: 60_000, state: 'attached' });
          const deltas = (await deep.evaluate(scrollFrames(200))) as number[];
          p95.push(pct(deltas, 95));
          over.push(deltas.filter((x) => x > 50).length);
        }
      } catch (error) {
        if (rep > 0) failed.push(errorText(error));
      } finally {
        await browser.close().catch(() => undefined);
      }
    }
    opts.log(`[limits] own render ${label}: first line ms ${first.map((x) => (x === null ? '—' : Math.round(x))).join(', ')}${failed.length ? ` ! ${failed[0]}` : ''}`);
    (table[label] ??= {}).logscope = { firstMs: median(first), rssMiB: median(rss), p95: median(p95), over50: median(over), status: failed.length ? `${first.length}/${opts.reps} ok` : '' };
  }
  return table;
}

/** Ingests a generated file as step `main` of a fresh job (for the own render measurement). */
export async function ingestJob(api: Api, job: string, file: string): Promise<void> {
  const token = await api.createJob(job);
  await api.postFile(job, 'main', token, file);
  await api.complete(job, token);
}
