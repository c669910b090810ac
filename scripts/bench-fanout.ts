/**
 * SSE fan-out: K viewers of one job's events stream while one producer streams L lines at R
 * lines/s through one `POST lines` (each line enqueued the moment it is due), then completes the
 * job. Starts the built server on a free port with a fresh file store.
 *
 * Prints, for each K: delivery latency over every (viewer, line) pair (arrival of the chunk
 * holding the line − the moment the producer wrote it, one clock), lines missed and duplicated,
 * the server's CPU per 1,000 line deliveries (utime+stime from /proc while producing and
 * draining, divided by K·L/1000) and its CPU % and peak RSS. The viewers run in a worker thread
 * (scripts/bench-fanout-client.mjs) and find the lines in the raw bytes; viewer 0 also parses its
 * whole stream with eventsource-parser and checks ids and line numbers.
 *
 *   tsx scripts/bench-fanout.ts [clients=100,1000] [lines=3000] [rate=1000]
 *   BENCH_URL=http://127.0.0.1:3000 BENCH_PID=<pid> …   measures a server already running instead
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createJob, completeJob, freePort, percentile, runBench, sleep, startLogscope, type LogscopeServer } from '../test/support';

const CLIENTS = (process.argv[2] ?? '100,1000').split(',').map(Number);
const LINES = Number(process.argv[3] ?? 3000);
const RATE = Number(process.argv[4] ?? 1000);
const LINE_BYTES = 100;
/** After the last line, how long viewers get to receive everything and `end`. */
const GRACE_MS = 20_000;
const CLK_TCK = 100;

const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-fanout-'));
let server: LogscopeServer | undefined;

/** The server's CPU seconds (utime + stime) and RSS in MiB, from /proc. */
function sample(pid: number): { cpu: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  return { cpu, rss };
}

const stamp = () => performance.timeOrigin + performance.now();

interface Done {
  latency: Float64Array;
  duplicates: number;
  ended: number;
  failed: number;
  check: { events: number; errors: string[]; nextLine: number };
}

async function run(url: string, pid: number, clients: number): Promise<void> {
  const jobId = `bench-fanout-${clients}-${Date.now()}`;
  const producer = await createJob(url, jobId, { title: `fan-out ${clients}`, steps: [{ id: 'main' }] });
  const worker = new Worker(new URL('./bench-fanout-client.mjs', import.meta.url), {
    workerData: { url: `${url}/api/v1/jobs/${jobId}/events`, clients, lines: LINES, first: 1 },
  });
  let connected!: (value: { connected: number; failed: number }) => void;
  const ready = new Promise<{ connected: number; failed: number }>((resolve) => (connected = resolve));
  let finished!: (value: Done) => void;
  const done = new Promise<Done>((resolve) => (finished = resolve));
  worker.on('message', (message: { type: string } & Done & { connected: number }) => {
    if (message.type === 'connected') connected(message);
    else if (message.type === 'done') finished(message);
  });
  worker.on('error', (error) => console.error('fan-out client failed', error));

  const opened = await ready;
  await sleep(1000);
  let peakRss = sample(pid).rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, sample(pid).rss)), 250);
  const before = sample(pid);
  const t0 = performance.now();

  // one streamed POST; each line enqueued the moment it is due
  const encoder = new TextEncoder();
  let body!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (body = c) });
  const posted = fetch(`${url}/api/v1/jobs/${jobId}/steps/main/lines?first=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${producer.token}`, 'content-type': 'text/plain' },
    body: stream,
    duplex: 'half',
  } as RequestInit).then((r) => r.text());
  let sent = 0;
  while (sent < LINES) {
    const due = Math.min(LINES, Math.floor(((performance.now() - t0) / 1000) * RATE) + 1);
    let text = '';
    for (; sent < due; sent++) {
      const head = `fan ${sent + 1} ${stamp().toFixed(3)} `;
      text += `${head.padEnd(LINE_BYTES - 1, 'x')}\n`;
    }
    if (text) body.enqueue(encoder.encode(text));
    await sleep(1);
  }
  body.close();
  const answer = await posted;
  const produced = performance.now() - t0;
  await completeJob(producer, 'success');

  const timeout = sleep(GRACE_MS).then(() => 'timeout' as const);
  let result = await Promise.race([done, timeout]);
  const after = sample(pid);
  const wall = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const late = result === 'timeout';
  if (result === 'timeout') {
    worker.postMessage('stop');
    result = await done;
    console.log(`fan-out ${clients} viewers: not finished ${GRACE_MS / 1000} s after the last line (POST answer ${answer}); figures so far:`);
  }
  await worker.terminate();

  const values: number[] = [];
  let missed = 0;
  for (const v of result.latency) {
    if (Number.isNaN(v)) missed++;
    else values.push(v);
  }
  const deliveries = values.length;
  const cpu = after.cpu - before.cpu;
  const fmt = (ms: number) => ms.toFixed(1);
  console.log(
    `fan-out ${clients} viewers × ${LINES} lines at ${RATE}/s (connected ${opened.connected}, refused ${opened.failed}): ` +
      `delivery p50 ${fmt(percentile(values, 50))} ms, p99 ${fmt(percentile(values, 99))} ms, max ${fmt(percentile(values, 100))} ms; ` +
      `${late ? 'not arrived' : 'missed'} ${missed}, duplicates ${result.duplicates}, ended ${result.ended}/${clients}`,
  );
  console.log(
    `  server: ${((cpu / Math.max(1, deliveries)) * 1e6).toFixed(1)} ms CPU per 1,000 deliveries, ` +
      `${((cpu / wall) * 100).toFixed(0)} % CPU over ${wall.toFixed(1)} s (producing ${(produced / 1000).toFixed(1)} s + draining), peak RSS ${peakRss.toFixed(0)} MiB; ` +
      `viewer 0 parsed ${result.check.events} events, ${result.check.errors.length === 0 ? 'all well formed and in order' : `errors: ${result.check.errors.slice(0, 3).join('; ')}`}`,
  );
}

async function main(): Promise<void> {
  let url = process.env.BENCH_URL;
  let pid = Number(process.env.BENCH_PID ?? 0);
  if (!url) {
    const port = await freePort(3700, 3799);
    server = await startLogscope(port, `file:${dir}`, { LOGSCOPE_SSE_PER_CLIENT: '4000', LOGSCOPE_SSE_TOTAL: '4000' });
    url = server.url;
  }
  if (!pid) pid = ((await (await fetch(`${url}/api/health`)).json()) as { pid: number }).pid;
  for (const clients of CLIENTS) await run(url, pid, clients);
}

runBench(main, async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});
