/**
 * The live path of scripts/bench-limits.ts, through the HTTP contract only:
 * - `latency`: producer → DOM. A job page open in headless Chromium; a MutationObserver
 *   records when each `[data-line]` element holding `lat <seq> <epoch ms>` first appears; one
 *   streamed POST sends the lines at a fixed rate (the method of shared/bench/live/latency.mjs,
 *   `--follow once`: the harness scrolls the page to the bottom once, like a user pressing End).
 * - `fanout`: K SSE viewers of one job (node:http, raw byte scan, in a worker thread) while one
 *   producer streams L lines at a fixed rate; delivery latency over every (viewer, line), lines
 *   lost, server CPU % and RSS high-water from /proc (the method of shared/bench/live/fanout.mjs).
 */
import { Worker } from 'node:worker_threads';
import { chromium } from 'playwright-core';
import { Api, nowMs, pct, procSampler, sleep } from './util';

export const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

/** A producer whose lines go out in one long streamed POST (fetch, ReadableStream body). */
function streamedSender(api: Api, job: string, token: string) {
  let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) });
  const te = new TextEncoder();
  const state: { error: string | null } = { error: null };
  const init = { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'text/plain; charset=utf-8', authorization: `Bearer ${token}` } };
  const done = fetch(api.base + api.linesPath(job, 'main', 1), init as RequestInit)
    .then(async (r) => {
      const text = await r.text();
      if (r.status !== 200) state.error = `POST lines: HTTP ${r.status} ${text.slice(0, 200)}`;
      return text;
    })
    .catch((e: unknown) => {
      state.error = `POST lines: ${String(e)}`;
      return null;
    });
  return {
    state,
    send(text: string) {
      if (state.error) throw new Error(state.error);
      ctrl?.enqueue(te.encode(text));
    },
    async end(timeoutMs = 30_000) {
      try {
        ctrl?.close();
      } catch {
        // already closed
      }
      return Promise.race([done, sleep(timeoutMs).then(() => null)]);
    },
  };
}

/** Sends `total` lines at `rate`/s: every line due at a wake-up goes out in one write. */
async function paced(send: (text: string) => void, total: number, rate: number, line: (seq: number) => string): Promise<number> {
  const t0 = nowMs();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - t0) * rate) / 1000) + 1);
    if (due > sent) {
      let text = '';
      for (let s = sent + 1; s <= due; s++) text += line(s) + '\n';
      sent = due;
      send(text);
    } else await sleep(Math.max(0, t0 + (sent * 1000) / rate - nowMs()));
  }
  return total / ((nowMs() - t0) / 1000);
}

// ---------------------------------------------------------------- producer → DOM

/**
 * Installed in the page before its scripts (addInitScript): records first sight of each line.
 * Plain JavaScript in a string: tsx would wrap named functions in a helper the page lacks.
 */
export const LAT_INIT = `(() => {
  const L = (window.__lat = { seen: {}, count: 0, followed: false });
  const RE = /lat (\\d+) (\\d{13})/;
  const check = (el) => {
    const m = RE.exec(el.textContent || '');
    if (!m) return;
    const seq = Number(m[1]);
    if (L.seen[seq]) return;
    L.seen[seq] = [Date.now(), Number(m[2])];
    L.count++;
  };
  const scan = (node) => {
    if (node.nodeType === 1) {
      const c = node.closest('[data-line]');
      if (c) check(c);
      for (const x of node.querySelectorAll('[data-line]')) check(x);
    } else if (node.parentElement) {
      const c = node.parentElement.closest('[data-line]');
      if (c) check(c);
    }
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'childList') {
        for (const n of r.addedNodes) scan(n);
        if (r.addedNodes.length && r.target.nodeType === 1) {
          const c = r.target.closest('[data-line]');
          if (c) check(c);
        }
      } else scan(r.target);
    }
  }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['data-line'] });
  // Follow once: the first time the log overflows its scroll container, scroll it to the bottom
  // (the element with overflow-y auto|scroll and the most to scroll, or the document).
  const loop = () => {
    let best = null;
    let bestH = 0;
    if (document.body) {
      for (const el of document.querySelectorAll('body *')) {
        if (el.scrollHeight <= el.clientHeight + 4) continue;
        const oy = getComputedStyle(el).overflowY;
        if ((oy === 'auto' || oy === 'scroll') && el.scrollHeight > bestH) {
          best = el;
          bestH = el.scrollHeight;
        }
      }
      const d = document.scrollingElement;
      if (d && d.scrollHeight > d.clientHeight + 4 && d.scrollHeight > bestH) best = d;
    }
    if (best) {
      best.scrollTop = best.scrollHeight;
      L.followed = true;
      return;
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
})();`;

export interface LatencyResult {
  p50: number | null;
  p99: number | null;
  seen: number;
  sent: number;
  warmupSeen: boolean;
  note: string;
}

/** Producer → DOM latency at `rate` lines/s for `seconds`, against the job page of `base`. */
export async function latency(base: string, chromiumPath: string, rate: number, seconds: number): Promise<LatencyResult> {
  const api = new Api(base);
  const job = `limits-lat-${rate}-${Date.now()}`;
  const token = await api.createJob(job);
  const total = Math.round(rate * seconds);
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: LAUNCH_ARGS, timeout: 60_000 });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    let events = false;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.endsWith('/events')) events = true;
    });
    await page.addInitScript({ content: LAT_INIT });
    await page.goto(`${base}/jobs/${encodeURIComponent(job)}`, { waitUntil: 'load', timeout: 60_000 });
    for (let i = 0; i < 100 && !events; i++) await sleep(100);
    const sender = streamedSender(api, job, token);
    sender.send(`lat 0 ${Date.now()} warm-up\n`);
    let warmupSeen = false;
    for (const until = Date.now() + 30_000; Date.now() < until && !sender.state.error; await sleep(50)) {
      if (await page.evaluate(() => Boolean((window as unknown as { __lat: { seen: Record<number, unknown> } }).__lat.seen[0]))) {
        warmupSeen = true;
        break;
      }
    }
    await paced((t) => sender.send(t), total, rate, (s) => `lat ${s} ${Date.now()}`);
    const count = () => page.evaluate(() => (window as unknown as { __lat: { count: number } }).__lat.count);
    for (const until = Date.now() + 5_000; Date.now() < until && (await count()) < total + 1; ) await sleep(200);
    await sender.end();
    await api.complete(job, token).catch(() => undefined);
    const seen = await page.evaluate(() => (window as unknown as { __lat: { seen: Record<number, [number, number]> } }).__lat.seen);
    const lat: number[] = [];
    for (let s = 1; s <= total; s++) {
      const r = seen[s];
      if (r) lat.push(r[0] - r[1]);
    }
    const note = [events ? '' : 'the page opened no /events stream', warmupSeen ? '' : 'warm-up line not seen', sender.state.error ?? ''].filter(Boolean).join('; ');
    return { p50: pct(lat, 50), p99: pct(lat, 99), seen: lat.length, sent: total, warmupSeen, note };
  } finally {
    await browser.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- SSE fan-out

/**
 * The viewers' thread (plain JavaScript, run with `eval`: no loader needed in the worker). Each
 * viewer is a node:http GET of /events; `fan <seq> ` is found in the raw bytes, the latency is
 * the arrival of its chunk minus the producer's write time (shared memory, one clock).
 */
const VIEWERS_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, K, L, sendAtBuf, concurrency } = workerData;
const sendAt = new Float64Array(sendAtBuf);
const lat = new Float32Array(K * L).fill(NaN);
const got = new Uint32Array(K);
const ended = new Uint8Array(K);
const errors = [];
const reqs = [];
let settled = 0, connected = 0, inflight = 0, endedCount = 0, stopping = false;
const waiters = [];
const now = () => performance.timeOrigin + performance.now();
function settle(ok) {
  settled++; inflight--; if (ok) connected++;
  const w = waiters.shift(); if (w) w();
  if (settled === K) parentPort.postMessage({ type: 'connected', connected });
}
function viewer(i) {
  return new Promise((resolve) => {
    let tail = '';
    let done = false;
    const finish = () => { if (!done) { done = true; resolve(); } };
    const req = http.get(url, { headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) { if (errors.length < 10) errors.push('HTTP ' + res.statusCode); settle(false); res.resume(); return finish(); }
      settle(true);
      res.on('data', (chunk) => {
        const t = now();
        const s = tail + chunk.toString('latin1');
        const nl = s.lastIndexOf('\\n');
        if (nl < 0) { tail = s; return; }
        tail = nl + 1 < s.length ? s.slice(nl + 1) : '';
        let j = 0, c;
        while ((j = s.indexOf('fan ', j)) !== -1 && j < nl) {
          j += 4; let seq = 0; const j0 = j;
          while ((c = s.charCodeAt(j)) >= 48 && c <= 57) { seq = seq * 10 + c - 48; j++; }
          if (j > j0 && c === 32 && seq >= 1 && seq <= L) {
            const k = i * L + seq - 1;
            if (lat[k] !== lat[k]) { lat[k] = t - sendAt[seq]; got[i]++; }
          }
        }
        const e = s.indexOf('event: end');
        if (e !== -1 && e < nl && !ended[i]) {
          ended[i] = 1; endedCount++; res.destroy(); finish();
          if (endedCount === connected && settled === K) parentPort.postMessage({ type: 'allEnded' });
        }
      });
      res.on('close', finish);
      res.on('error', finish);
    });
    reqs[i] = req;
    req.on('error', (e) => { if (!stopping && errors.length < 10) errors.push(String(e.message)); if (!reqs[i].__settled) settle(false); finish(); });
    req.on('response', () => { reqs[i].__settled = true; });
  });
}
(async () => {
  for (let i = 0; i < K; i++) {
    while (inflight >= concurrency) await new Promise((r) => waiters.push(r));
    inflight++;
    viewer(i);
  }
})();
let elu0 = null;
parentPort.on('message', (m) => {
  if (m.type === 'mark') elu0 = performance.eventLoopUtilization();
  if (m.type === 'stop') {
    stopping = true;
    const elu = elu0 ? performance.eventLoopUtilization(elu0).utilization : null;
    for (const r of reqs) if (r) r.destroy();
    parentPort.postMessage({ type: 'done', lat, got, ended, errors, elu, connected }, [lat.buffer]);
  }
});
`;

export interface FanoutResult {
  viewers: number;
  connected: number;
  ended: number;
  lines: number;
  p50: number | null;
  p99: number | null;
  lost: number;
  cpuPct: number | null;
  rssMaxMiB: number | null;
  clientElu: number | null;
  note: string;
}

/** K viewers of one job while L lines go out at `rate`/s; server figures from /proc of `pid`. */
export async function fanout(base: string, pid: number | null, K: number, L: number, rate: number): Promise<FanoutResult> {
  const api = new Api(base);
  const job = `limits-fan-${K}-${Date.now()}`;
  const token = await api.createJob(job);
  const sendAtBuf = new SharedArrayBuffer(8 * (L + 1));
  const sendAt = new Float64Array(sendAtBuf);
  const worker = new Worker(VIEWERS_THREAD, { eval: true, workerData: { url: `${base}/api/v1/jobs/${encodeURIComponent(job)}/events`, K, L, sendAtBuf, concurrency: 100 } });
  let connected = 0;
  let allConnected = false;
  let allEnded = false;
  type Done = { lat: Float32Array; got: Uint32Array; ended: Uint8Array; errors: string[]; elu: number | null; connected: number };
  const box: { done: Done | null } = { done: null };
  worker.on('message', (m: { type: string; connected?: number } & Partial<Done>) => {
    if (m.type === 'connected') {
      connected = m.connected ?? 0;
      allConnected = true;
    } else if (m.type === 'allEnded') allEnded = true;
    else if (m.type === 'done') box.done = m as Done;
  });
  const workerError: string[] = [];
  worker.on('error', (e) => workerError.push(String(e)));
  try {
    for (const until = Date.now() + 30_000; Date.now() < until && !allConnected; ) await sleep(50);
    await sleep(1000);
    worker.postMessage({ type: 'mark' });
    const sampler = procSampler(pid);
    const sender = streamedSender(api, job, token);
    const pad = 'x'.repeat(200);
    await paced((t) => sender.send(t), L, rate, (s) => {
      const t = nowMs();
      sendAt[s] = t;
      const head = `fan ${s} ${t.toFixed(3)} `;
      return head + pad.slice(0, Math.max(0, 99 - head.length));
    });
    await sender.end();
    await api.complete(job, token).catch(() => undefined);
    for (const until = Date.now() + 15_000; Date.now() < until && !allEnded; ) await sleep(50);
    const server = sampler.stop();
    worker.postMessage({ type: 'stop' });
    for (const until = Date.now() + 10_000; Date.now() < until && !box.done; ) await sleep(50);
    const d = box.done;
    if (!d) throw new Error(`the viewers' thread did not report ${workerError.join(' ')}`);
    const values = d.lat.filter((v) => v === v);
    const ended = d.ended.reduce((a, b) => a + b, 0);
    const note = [allConnected ? '' : 'connect timeout', d.errors.length ? `viewer errors: ${d.errors.slice(0, 3).join(', ')}` : '', sender.state.error ?? ''].filter(Boolean).join('; ');
    // `connected` is also counted when not every viewer got through within the connect timeout
    return { viewers: K, connected: Math.max(connected, d.connected), ended, lines: L, p50: pct(values, 50), p99: pct(values, 99), lost: K * L - values.length, ...server, clientElu: d.elu, note };
  } finally {
    await worker.terminate();
  }
}
