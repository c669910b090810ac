/**
 * `npm run bench -- diff-api`: the log diff end to end through `GET /api/v1/jobs/{job}/diff`
 * (issue 12). Starts the built server with a fresh file store (BENCH_PORT, default 4371),
 * writes two finished runs of a CI-like step (lib/diff/test-logs.ts: every line differs in
 * noise, 0.1 % for real) of LINES lines each (argument, default 100,000), then times the first
 * request until the diff's page is answered (the server waits for the diff: LOGSCOPE_DIFF_WAIT_MS
 * 10 min unless set; any 202 is followed every 100 ms, not after Retry-After, to time the diff
 * and not the back-off) and a second, cached request; prints the
 * server's resident memory (VmRSS, VmHWM) before and after, and the latency of health checks
 * made every 100 ms while the diff runs (the request thread stays free). Prints figures; asserts only
 * that the counts are the expected ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stepDiffSchema } from '../lib/contracts';
import { changedLines, ciLine } from '../lib/diff/test-logs';
import { completeJob, createJob, runBench, sleep, startLogscope, uniqueJobId, type LogscopeServer } from '../test/support';
import { sendTextLines } from '../e2e/ui-fixtures';

const PORT = Number(process.env.BENCH_PORT ?? 4371);
const LINES = Number(process.argv[2] ?? 100_000);
const CHANGE_EVERY = 1000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-diff-api-'));
let server: LogscopeServer | undefined;

/** The server's resident memory (MiB) from /proc: now and its peak. */
async function serverMemory(url: string): Promise<string> {
  const health = (await (await fetch(`${url}/api/health`)).json()) as { pid?: number };
  if (!health.pid) return 'unknown';
  const status = readFileSync(`/proc/${health.pid}/status`, 'utf8');
  const field = (name: string) => Math.round(Number(/\d+/.exec(status.split('\n').find((l) => l.startsWith(name)) ?? '')?.[0] ?? 0) / 1024);
  return `VmRSS ${field('VmRSS')} MiB, VmHWM ${field('VmHWM')} MiB`;
}

async function main(): Promise<void> {
  // the first request waits for the diff (LOGSCOPE_DIFF_WAIT_MS, default here 10 min): it times the diff, not a 202's back-off
  server = await startLogscope(PORT, `file:${dir}`, { LOGSCOPE_DIFF_WAIT_MS: process.env.LOGSCOPE_DIFF_WAIT_MS ?? '600000' });
  const base = await createJob(server.url, uniqueJobId('bench-diff-base'), { steps: [{ id: 'build' }] });
  const head = await createJob(server.url, uniqueJobId('bench-diff-head'), { steps: [{ id: 'build' }] });
  const t0 = Date.now();
  await sendTextLines(base, 'build', LINES, (n) => ciLine(n - 1, 'base', CHANGE_EVERY));
  await sendTextLines(head, 'build', LINES, (n) => ciLine(n - 1, 'head', CHANGE_EVERY));
  await completeJob(base, 'success');
  await completeJob(head, 'failure');
  console.log(`wrote two ${LINES.toLocaleString('en-US')}-line steps in ${((Date.now() - t0) / 1000).toFixed(1)} s; server ${await serverMemory(server.url)}`);
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const url = `${server.url}/api/v1/jobs/${head.jobId}/diff?base=${base.jobId}&step=build`;
  // the request thread stays free: a health check every 100 ms while the diff runs
  const health: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t = Date.now();
      await (await fetch(`${server!.url}/api/health`)).json();
      health.push(Date.now() - t);
      await sleep(100);
    }
  })();
  const start = Date.now();
  let accepted = 0;
  let response: Response;
  for (;;) {
    response = await fetch(url);
    if (response.status !== 202) break;
    accepted++;
    await response.body?.cancel();
    await sleep(100);
  }
  const elapsed = Date.now() - start;
  probing = false;
  await probe;
  const sorted = [...health].sort((a, b) => a - b);
  console.log(`health checks during the diff: ${health.length}, median ${sorted[Math.floor(sorted.length / 2)] ?? 0} ms, max ${sorted.at(-1) ?? 0} ms`);
  if (response.status !== 200) throw new Error(`diff → ${response.status}: ${await response.text()}`);
  const diff = stepDiffSchema.parse(await response.json());
  const changed = changedLines(LINES, CHANGE_EVERY);
  if (diff.summary.counts.added !== changed || diff.summary.counts.removed !== changed) throw new Error(`unexpected counts ${JSON.stringify(diff.summary.counts)}`);
  console.log(`diff of two ${LINES.toLocaleString('en-US')}-line steps (${changed} lines changed): ${(elapsed / 1000).toFixed(1)} s to the first page (${accepted} answers 202 first); ${diff.summary.hunks} hunks; server ${await serverMemory(server.url)}`);
  const again = Date.now();
  const cached = await fetch(`${url}&offset=100`);
  await cached.json();
  console.log(`cached page: ${Date.now() - again} ms (${cached.status})`);
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

runBench(main, async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});
