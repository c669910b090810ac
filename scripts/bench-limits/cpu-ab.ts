/**
 * CPU-time figures of one running server, for A/B runs on a loaded machine, where wall-clock
 * latency mostly measures the load (docs/bench/issue-9-regression.md): the server's CPU per
 * ingested line (100k of the ingest bench's 100 B coloured lines, 10 POSTs of 10k), then the job
 * page in Chromium at RATE lines/s for 12 s (POSTs every 100 ms): the renderer processes' CPU
 * (utime + stime from /proc) over those lines, the live flushes the page ran
 * (frame-scheduler.ts's frame callback, found as profile-live.ts finds it) and producer → DOM
 * latency. One JSON line; run it against each build in turn. Figures only.
 *
 *   tsx --conditions=react-server scripts/bench-limits/cpu-ab.ts http://127.0.0.1:PORT SERVER_PID [RATE]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS, LAT_INIT } from './live';
import { writePlain100 } from './gen';
import { Api, lineChunks, pct, sampleProc, processTree, sleep } from './util';
/** What the init scripts keep on `window`: flushes run, and LAT_INIT's first sighting of each `lat` line. */
interface PageMarks {
  __fl: { n: number };
  __lat: { seen: Record<number, [number, number]> };
}
const [base, pidArg, rateArg] = process.argv.slice(2);
if (!base || !pidArg) throw new Error('usage: cpu-ab.ts URL SERVER_PID [RATE]');
const serverPid = Number(pidArg);
const RATE = Number(rateArg ?? 100);
async function main(base: string): Promise<void> {
const api = new Api(base);
const data = path.join(os.tmpdir(), 'logscope-cpu-ab-100k.txt');
if (!fs.existsSync(data)) writePlain100(data, data + '.plain', 100_000);
// ingest
const job = `ab-ingest-${Date.now()}`;
const token = await api.createJob(job);
let first = 1;
const s0 = sampleProc(serverPid);
for await (const chunk of lineChunks(data, 10_000)) { await api.postText(job, 'main', token, chunk.buf, first); first += chunk.lines; }
const s1 = sampleProc(serverPid);
const ingestUs = ((s1.cpuS - s0.cpuS) * 1e6) / (first - 1);
await api.complete(job, token);
// live
const ljob = `ab-live-${Date.now()}`;
const ltoken = await api.createJob(ljob);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: LAUNCH_ARGS });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
await page.addInitScript({ content: LAT_INIT });
await page.addInitScript({ content: `(() => { const F = (window.__fl = { n: 0 }); const raf = window.requestAnimationFrame.bind(window); window.requestAnimationFrame = (cb) => { if (!Function.prototype.toString.call(cb).includes('port2.postMessage')) return raf(cb); return raf((t) => { F.n++; cb(t); }); }; })();` });
await page.goto(`${base}/jobs/${ljob}`, { waitUntil: 'load' });
await sleep(1500);
let n = 1;
const post = async (k: number) => { let t = ''; for (let i = 0; i < k; i++) t += `lat ${n + i} ${Date.now()}\n`; await api.postText(ljob, 'main', ltoken, t, n); n += k; };
await post(1); await sleep(1500);
const bpid = process.pid;
const renderers = () => processTree(bpid).filter((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--type=renderer'); } catch { return false; } });
const cpu = () => renderers().reduce((sum, p) => sum + sampleProc(p).cpuS, 0);
const f0 = await page.evaluate(() => (window as unknown as PageMarks).__fl.n);
const c0 = cpu();
const per = RATE / 10;
const t0 = Date.now();
for (let b = 0; b < 120; b++) { await post(per); const due = t0 + (b + 1) * 100; await sleep(Math.max(0, due - Date.now())); }
await sleep(1500);
const c1 = cpu();
const f1 = await page.evaluate(() => (window as unknown as PageMarks).__fl.n);
const seen = await page.evaluate(() => (window as unknown as PageMarks).__lat.seen);
const lat: number[] = [];
for (let s = 2; s < n; s++) { const r = seen[s]; if (r) lat.push(r[0] - r[1]); }
await api.complete(ljob, ltoken).catch(() => {});
await browser.close();
const lines = n - 2;
console.log(JSON.stringify({ ingestUsPerLine: +ingestUs.toFixed(2), rendererCpuMs: Math.round((c1 - c0) * 1000), flushes: f1 - f0, cpuMsPerFlush: +(((c1 - c0) * 1000) / Math.max(1, f1 - f0)).toFixed(2), cpuUsPerLine: Math.round(((c1 - c0) * 1e6) / lines), latP50: pct(lat, 50), latP99: pct(lat, 99), seen: lat.length, sent: lines, load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 1)[0] }));
}

main(base).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
