/**
 * Where a live line's time goes in the browser: the producer → DOM harness of live.ts (one
 * streamed POST at a fixed rate, a MutationObserver on `[data-line]`, the page scrolled to the
 * end once) with a Chromium trace and a CPU profile of the job page running meanwhile.
 *
 *   tsx --conditions=react-server scripts/bench-limits/profile-live.ts --url http://127.0.0.1:3145
 *       [--rate 100] [--seconds 10] [--with trace|cpu|none] [--out DIR]
 *
 * Prints, for the lines sent after the warm-up:
 * - per line: producer → EventSource message (server, network, SSE parsing) and message → row in
 *   the DOM (the page), and how many animation frames the page drew in between;
 * - the renderer's main thread, per batch (SSE message) and per frame: self time of each trace
 *   event kind (script, style, layout, paint, GC…);
 * - JavaScript self time by bundle chunk (react-dom, react-virtuoso, the app), from the CPU profile.
 * --out keeps trace.json (chrome://tracing, DevTools) and cpu.cpuprofile. Figures only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { LAT_INIT, LAUNCH_ARGS } from './live';
import { Api, nowMs, pct, sleep } from './util';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const BASE = (opt('url') ?? 'http://127.0.0.1:3145').replace(/\/+$/, '');
const RATE = Number(opt('rate') ?? 100);
const SECONDS = Number(opt('seconds') ?? 10);
const OUT = opt('out');
/** `trace` (default): a Chromium trace of the main thread; `cpu`: a V8 CPU profile instead (one at a time: each perturbs the page) */
const WITH = opt('with') === 'cpu' ? 'cpu' : opt('with') === 'none' ? 'none' : 'trace';

/** Arrival of each `lat <seq>` in an EventSource `lines` message, and the handlers' cost; animation frames. */
const PROFILE_INIT = `(() => {
  const P = (window.__prof = { msg: {}, handler: [], frames: [], messages: 0 });
  const RE = /lat (\\d+) /g;
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, fn, opts) {
    if (type !== 'lines' || typeof fn !== 'function') return add.call(this, type, fn, opts);
    return add.call(this, type, function (ev) {
      const t = performance.timeOrigin + performance.now();
      P.messages++;
      RE.lastIndex = 0;
      let m;
      while ((m = RE.exec(ev.data))) if (!(m[1] in P.msg)) P.msg[m[1]] = t;
      const t0 = performance.now();
      const r = fn.call(this, ev);
      P.handler.push(performance.now() - t0);
      return r;
    }, opts);
  };
  // the live flush: the one requestAnimationFrame callback that posts to a MessageChannel after
  // it ran (components/log-viewer/frame-scheduler.ts); found by its source text, minified or not
  P.flushes = [];
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => {
    if (!Function.prototype.toString.call(cb).includes('port2.postMessage')) return raf(cb);
    const asked = performance.timeOrigin + performance.now();
    return raf((t) => {
      const s = performance.timeOrigin + performance.now();
      cb(t);
      P.flushes.push([asked, s, performance.timeOrigin + performance.now()]);
    });
  };
  const loop = () => { P.frames.push(performance.timeOrigin + performance.now()); requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
})();`;

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { type?: string } };
}

/** Self time (ms) per event name on the renderer's main thread, between t0 and t1 (µs, trace clock). */
function mainThreadSelf(events: TraceEvent[]): { self: Map<string, number>; tasks: number[]; span: number } {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const self = new Map<string, number>();
  const tasks: number[] = [];
  if (!main) return { self, tasks, span: 0 };
  // only the page's renderer: the one with the most complete events on a CrRendererMain thread
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best = mains[0]!;
  let bestN = -1;
  for (const m of mains) {
    const n = events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X').length;
    if (n > bestN) [best, bestN] = [m, n];
  }
  const xs = events.filter((e) => e.pid === best.pid && e.tid === best.tid && e.ph === 'X' && typeof e.dur === 'number').sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const stack: { end: number; key: string; child: number; dur: number }[] = [];
  const close = (until: number) => {
    while (stack.length && stack[stack.length - 1]!.end <= until) {
      const top = stack.pop()!;
      self.set(top.key, (self.get(top.key) ?? 0) + (top.dur - top.child) / 1000);
      if (stack.length) stack[stack.length - 1]!.child += top.dur;
    }
  };
  const first = xs[0]?.ts ?? 0;
  let last = first;
  for (const e of xs) {
    close(e.ts);
    const key = e.name === 'EventDispatch' ? `EventDispatch(${e.args?.data?.type ?? '?'})` : e.name;
    if (e.name === 'RunTask' && stack.length === 0) tasks.push(e.dur! / 1000);
    stack.push({ end: e.ts + e.dur!, key, child: 0, dur: e.dur! });
    last = Math.max(last, e.ts + e.dur!);
  }
  close(Number.POSITIVE_INFINITY);
  return { self, tasks, span: (last - first) / 1000 };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; functionName: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Which library a chunk of the build holds, from its text. */
function chunkKind(url: string, cache: Map<string, string>): string {
  if (!url) return '(native/GC/idle)';
  const cached = cache.get(url);
  if (cached) return cached;
  const m = /\/_next\/(static\/.*\.js)/.exec(url);
  let kind = url.startsWith('http') ? `other ${url.replace(/^https?:\/\/[^/]+/, '')}` : url;
  if (m) {
    const file = path.join(root, '.next', m[1]!);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const tags: string[] = [];
    if (/virtuoso/i.test(text)) tags.push('react-virtuoso');
    if (/__reactFiber|react-dom/.test(text)) tags.push('react-dom');
    if (/ls-row|LiveTail|ls-scroller/.test(text)) tags.push('app');
    if (/tanstack|QueryClient|queryHash/i.test(text)) tags.push('react-query');
    kind = `${m[1]!.replace('static/chunks/', '')} [${tags.join(', ') || 'other'}]`;
  }
  cache.set(url, kind);
  return kind;
}

function cpuBySource(profile: CpuProfile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const cache = new Map<string, string>();
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const fn = node?.callFrame.functionName ?? '';
    const key = fn === '(idle)' ? '(idle)' : fn === '(garbage collector)' ? '(garbage collector)' : fn === '(program)' ? '(program: browser-internal)' : chunkKind(node?.callFrame.url ?? '', cache);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** The heaviest functions by self time (name @ chunk:line:col, minified names as they are). */
function topFunctions(profile: CpuProfile, n: number): [string, number][] {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id) as (CpuProfile['nodes'][number] & { callFrame: { lineNumber?: number; columnNumber?: number } }) | undefined;
    if (!node) return;
    const cf = node.callFrame;
    if (['(idle)', '(program)', '(garbage collector)', '(root)'].includes(cf.functionName)) return;
    const key = `${cf.functionName || '(anonymous)'} @ ${cf.url.replace(/^.*\//, '')}:${(cf.lineNumber ?? 0) + 1}:${(cf.columnNumber ?? 0) + 1}`;
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** Self time of native (url-less) functions by their JS caller, two frames up. */
function nativeCallers(profile: CpuProfile, n: number): [string, number][] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const name = (id: number | undefined) => {
    const node = id === undefined ? undefined : (byId.get(id) as (CpuProfile['nodes'][number] & { callFrame: { lineNumber?: number; columnNumber?: number } }) | undefined);
    if (!node) return '?';
    const cf = node.callFrame;
    return `${cf.functionName || '(anonymous)'}@${cf.url.replace(/^.*\//, '')}:${(cf.lineNumber ?? 0) + 1}:${(cf.columnNumber ?? 0) + 1}`;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node || node.callFrame.url || node.callFrame.functionName.startsWith('(')) return;
    const p1 = parent.get(id);
    const key = `${node.callFrame.functionName} ← ${name(p1)} ← ${name(p1 === undefined ? undefined : parent.get(p1))}`;
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, n);
}

async function main(): Promise<void> {
  const chromiumPath = (await import('node:child_process')).spawnSync(process.execPath, [path.join(root, 'scripts/find-chromium.mjs')], { encoding: 'utf8' }).stdout.trim().split('\n').pop()!;
  const api = new Api(BASE);
  const job = `profile-live-${RATE}-${Date.now()}`;
  const token = await api.createJob(job);
  const total = Math.round(RATE * SECONDS);
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: LAUNCH_ARGS, timeout: 60_000 });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.addInitScript({ content: LAT_INIT });
    await page.addInitScript({ content: PROFILE_INIT });
    await page.goto(`${BASE}/jobs/${encodeURIComponent(job)}`, { waitUntil: 'load', timeout: 60_000 });
    await sleep(1500);
    // the producer: one streamed POST, lines at RATE/s (as live.ts)
    let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) });
    const te = new TextEncoder();
    const posted = fetch(api.base + api.linesPath(job, 'main', 1), { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'text/plain; charset=utf-8', authorization: `Bearer ${token}` } } as RequestInit).then((r) => r.text());
    ctrl!.enqueue(te.encode(`lat 0 ${Date.now()} warm-up\n`));
    const seen = (seq: number) => page.evaluate((s) => Boolean((window as unknown as { __lat: { seen: Record<number, unknown> } }).__lat.seen[s]), seq);
    for (const until = Date.now() + 30_000; Date.now() < until && !(await seen(0)); ) await sleep(50);
    // fill a screen first, so the harness's one scroll to the end puts the page in follow mode
    let sent = 0;
    const line = (s: number) => `lat ${s} ${Date.now()} ${'x'.repeat(40)}`;
    const cdp = await page.context().newCDPSession(page);
    if (WITH === 'cpu') {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    } else await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'v8.execute'] });
    const t0 = nowMs();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((nowMs() - t0) * RATE) / 1000) + 1);
      if (due > sent) {
        let text = '';
        for (let s = sent + 1; s <= due; s++) text += line(s) + '\n';
        sent = due;
        ctrl!.enqueue(te.encode(text));
      } else await sleep(Math.max(0, t0 + (sent * 1000) / RATE - nowMs()));
    }
    await sleep(1000);
    const profile = WITH === 'cpu' ? ((await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }).profile : null;
    const trace = WITH === 'trace' ? await browser.stopTracing() : null;
    ctrl!.close();
    await Promise.race([posted, sleep(10_000)]);
    await api.complete(job, token).catch(() => undefined);
    const data = await page.evaluate(() => {
      const w = window as unknown as { __lat: { seen: Record<number, [number, number]>; followed: boolean }; __prof: { msg: Record<string, number>; handler: number[]; frames: number[]; messages: number; flushes: [number, number, number][] } };
      return { seen: w.__lat.seen, followed: w.__lat.followed, ...w.__prof };
    });
    if (OUT) {
      fs.mkdirSync(OUT, { recursive: true });
      if (trace) fs.writeFileSync(path.join(OUT, `trace-${RATE}.json`), trace);
      fs.writeFileSync(path.join(OUT, `page-${RATE}.json`), JSON.stringify(data));
      if (profile) fs.writeFileSync(path.join(OUT, `cpu-${RATE}.cpuprofile`), JSON.stringify(profile));
    }

    // ---- per line
    const server: number[] = [];
    const browserSide: number[] = [];
    const frames: number[] = [];
    const endToEnd: number[] = [];
    let notSeen = 0;
    const frameTimes = data.frames;
    let fi = 0;
    for (let s = 1; s <= total; s++) {
      const dom = data.seen[s];
      const msg = data.msg[String(s)];
      if (!dom) {
        notSeen++;
        continue;
      }
      endToEnd.push(dom[0] - dom[1]);
      if (msg === undefined) continue;
      server.push(msg - dom[1]);
      browserSide.push(dom[0] - msg);
      while (fi < frameTimes.length && frameTimes[fi]! <= msg) fi++;
      let k = fi;
      while (k < frameTimes.length && frameTimes[k]! <= dom[0]) k++;
      frames.push(k - fi);
    }
    // per line: message → the flush's rAF asked (the scheduler's wait), → the flush ran (the rest of the frame), → DOM
    const waitTimer: number[] = [];
    const waitFrame: number[] = [];
    const flushToDom: number[] = [];
    const fl = data.flushes;
    for (let s = 1; s <= total; s++) {
      const dom = data.seen[s];
      const msg = data.msg[String(s)];
      if (!dom || msg === undefined) continue;
      const f = fl.find((x) => x[1] >= msg);
      if (!f) continue;
      waitTimer.push(Math.max(0, f[0] - msg));
      waitFrame.push(f[1] - Math.max(f[0], msg));
      flushToDom.push(dom[0] - f[1]);
    }
    // by position in its flush: does a row further down a big batch wait for Virtuoso to scroll?
    const byPos = new Map<string, number[]>();
    const bucket = (i: number) => (i < 10 ? '0-9' : i < 30 ? '10-29' : i < 70 ? '30-69' : '70+');
    let prevFlush = -1;
    let posInFlush = 0;
    for (let s = 1; s <= total; s++) {
      const msg = data.msg[String(s)];
      const dom = data.seen[s];
      if (msg === undefined) continue;
      const fIdx = fl.findIndex((x) => x[1] >= msg);
      if (fIdx !== prevFlush) [prevFlush, posInFlush] = [fIdx, 0];
      const pos = posInFlush++;
      if (!dom || fIdx < 0) continue;
      const key = bucket(pos);
      byPos.set(key, [...(byPos.get(key) ?? []), dom[0] - fl[fIdx]![1]]);
    }
    const gaps = frameTimes.slice(1).map((t, i) => t - frameTimes[i]!);
    const q = (xs: number[]) => `p50 ${pct(xs, 50)?.toFixed(1)}, p90 ${pct(xs, 90)?.toFixed(1)}, p99 ${pct(xs, 99)?.toFixed(1)}`;
    console.log(`\n## producer → DOM at ${RATE} lines/s for ${SECONDS} s (${BASE})\n`);
    console.log(`- followed: ${data.followed}; lines ${total}, seen ${total - notSeen}, never seen ${notSeen}; SSE 'lines' messages ${data.messages} (${(total / Math.max(1, data.messages)).toFixed(1)} lines each)`);
    console.log(`- producer → DOM (ms): ${q(endToEnd)}`);
    console.log(`- producer → EventSource message (server + network + SSE parse, ms): ${q(server)}`);
    console.log(`- message → row in the DOM (the page, ms): ${q(browserSide)}`);
    console.log(`- of which message → flush's frame requested (frame-scheduler's wait, ms): ${q(waitTimer)}`);
    console.log(`- of which → flush runs (waiting for the frame, ms): ${q(waitFrame)}`);
    console.log(`- of which flush → row in the DOM (render, virtuoso, ms): ${q(flushToDom)}`);
    for (const k of ['0-9', '10-29', '30-69', '70+']) {
      const xs = byPos.get(k);
      if (xs) console.log(`  - flush → DOM for the rows ${k} of their flush: ${q(xs)} (${xs.length} rows seen)`);
    }
    const flushDur = fl.map((x) => x[2] - x[1]);
    console.log(`- flushes ${fl.length} (${(total / Math.max(1, fl.length)).toFixed(1)} lines each); flush callback itself (ms): ${q(flushDur)}`);
    console.log(`- animation frames drawn between message and DOM: ${q(frames)}`);
    console.log(`- frame intervals (ms): ${q(gaps)}; > 50 ms: ${gaps.filter((g) => g > 50).length} of ${gaps.length}`);
    console.log(`- 'lines' handler (decode + LiveTail.push, ms): ${q(data.handler)}`);

    const nFrames = Math.max(1, gaps.length);
    if (trace) {
    // ---- main thread
    const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
    const { self, tasks, span } = mainThreadSelf(events);
    const busy = [...self.values()].reduce((a, b) => a + b, 0);
    console.log(`\n### renderer main thread over ${(span / 1000).toFixed(1)} s: busy ${busy.toFixed(0)} ms (${((100 * busy) / Math.max(1, span)).toFixed(0)} %), ${tasks.length} tasks, task p99 ${pct(tasks, 99)?.toFixed(1)} ms, max ${Math.max(0, ...tasks).toFixed(1)} ms`);
    console.log('\n| event (self time) | total ms | ms per SSE message | ms per frame |');
    console.log('| --- | --- | --- | --- |');
    for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 18)) {
      console.log(`| ${name} | ${ms.toFixed(0)} | ${(ms / Math.max(1, data.messages)).toFixed(2)} | ${(ms / nFrames).toFixed(2)} |`);
    }
    }
    if (profile) {
    // ---- JS by chunk
    const cpu = cpuBySource(profile);
    const cpuTotal = cpu.reduce((a, [, v]) => a + v, 0);
    console.log(`\n### CPU profile (${cpuTotal.toFixed(0)} ms sampled): self time by chunk\n`);
    console.log('| chunk [holds] | ms | ms per SSE message |');
    console.log('| --- | --- | --- |');
    for (const [k, ms] of cpu.slice(0, 12)) console.log(`| ${k} | ${ms.toFixed(0)} | ${(ms / Math.max(1, data.messages)).toFixed(2)} |`);
    console.log('\nheaviest functions (self ms):');
    for (const [k, ms] of topFunctions(profile, 25)) console.log(`  ${ms.toFixed(1)}  ${k}`);
    console.log('\nwho calls the heaviest native functions (self ms by caller):');
    for (const [k, ms] of nativeCallers(profile, 12)) console.log(`  ${ms.toFixed(1)}  ${k}`);
    }
  } finally {
    await browser.close().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
