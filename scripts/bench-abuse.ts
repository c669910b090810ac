/**
 * One abusive writer plus slow readers (issue 8 "Byte budgets"): starts the built server on a
 * fresh file store, posts 1 MiB lines as fast as one client can while 100 event-stream readers
 * sit on paused sockets (they never read, so their receive windows fill and stay full), and
 * samples the server's resident memory from /proc/<pid>/status. Prints the high-water mark;
 * asserts nothing. Usage: tsx scripts/bench-abuse.ts [seconds] [readers]
 * The per-client stream cap is raised for the run (all readers come from 127.0.0.1).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startLogscope, type LogscopeServer } from '../test/support';

const SECONDS = Number(process.argv[2] ?? 20);
const READERS = Number(process.argv[3] ?? 100);
const PORT = Number(process.env.BENCH_PORT ?? 3190);
const LINE_BYTES = 1024 * 1024 - 256;
const LINES_PER_POST = 4;
const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-abuse-'));
const base = `http://127.0.0.1:${PORT}/api/v1`;
const MiB = 1024 * 1024;

let server: LogscopeServer | undefined;

function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** A reader that sends its request and then never reads: the socket stays paused. */
function slowReader(jobId: string, after: string): Promise<{ socket: net.Socket; closedByServer: () => boolean }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = net.connect(PORT, '127.0.0.1', () => {
      socket.write(
        `GET /api/v1/jobs/${jobId}/events?after=${encodeURIComponent(after)} HTTP/1.1\r\nHost: 127.0.0.1:${PORT}\r\n` +
          'Accept: text/event-stream\r\nConnection: close\r\n\r\n',
      );
      socket.pause();
      resolve({ socket, closedByServer: () => closed });
    });
    socket.on('end', () => (closed = true));
    socket.on('error', reject);
  });
}

async function main(): Promise<void> {
  server = await startLogscope(PORT, `file:${dir}`, { LOGSCOPE_SSE_PER_CLIENT: String(READERS + 10) });
  const { pid } = (await (await fetch(`http://127.0.0.1:${PORT}/api/health`)).json()) as { pid: number };
  const jobId = `abuse-${Date.now()}`;
  const created = (await (await fetch(`${base}/jobs/${jobId}`, { method: 'PUT', body: '{}' })).json()) as { writeToken: string; cursor: string };
  const auth = { authorization: `Bearer ${created.writeToken}` };
  const cursor = ((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { cursor: string }).cursor;
  const before = memoryOf(pid);

  const readers = await Promise.all(Array.from({ length: READERS }, () => slowReader(jobId, cursor)));
  let peak = before.rss;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(pid).rss)), 100);

  let n = 0;
  let posts = 0;
  let refused = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const healthMs: number[] = [];
  const health = setInterval(() => {
    const t = performance.now();
    void fetch(`http://127.0.0.1:${PORT}/api/health`)
      .then((r) => r.arrayBuffer())
      .then(() => healthMs.push(performance.now() - t));
  }, 500);
  while (performance.now() < deadline) {
    const texts = Array.from({ length: LINES_PER_POST }, (_, i) => `${n + i + 1} `.padEnd(LINE_BYTES, 'x'));
    const body = texts.map((text, i) => JSON.stringify({ n: n + i + 1, text })).join('\n');
    const response = await fetch(`${base}/jobs/${jobId}/steps/build/lines`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      body,
    });
    await response.arrayBuffer();
    if (response.ok) n += LINES_PER_POST;
    else refused += 1;
    posts += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(health);
  clearInterval(sampler);
  const after = memoryOf(pid);
  peak = Math.max(peak, after.rss);

  // viewers the hub still serves: the others were cut off by their queue budget (their
  // responses end once the socket drains)
  const live = ((await (await fetch(`http://127.0.0.1:${PORT}/api/health`)).json()) as { live: { viewers: number } }).live.viewers;

  // Readers the server cut off (queue over its byte budget) get their stream ended: resume the
  // sockets, drain briefly, and count those that ended on their own.
  for (const r of readers) {
    r.socket.on('data', () => undefined);
    r.socket.resume();
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const cut = readers.filter((r) => r.closedByServer()).length;
  for (const r of readers) r.socket.destroy();

  healthMs.sort((a, b) => a - b);
  const p = (q: number) => healthMs[Math.min(healthMs.length - 1, Math.floor((q / 100) * healthMs.length))]?.toFixed(1) ?? '-';
  const mib = (bytes: number) => (bytes / MiB).toFixed(0);
  console.log(`abuse (file store): 1 writer, ${READERS} paused SSE readers, ${seconds.toFixed(1)} s`);
  console.log(`  written: ${n} lines of 1 MiB in ${posts} posts (${(n / seconds).toFixed(1)} MiB/s), ${refused} posts refused`);
  console.log(`  server RSS: ${mib(before.rss)} MiB before, peak sampled ${mib(peak)} MiB, VmHWM ${mib(after.hwm)} MiB, ${mib(after.rss)} MiB at the end`);
  console.log(`  viewers on the live feed at the end: ${live} of ${READERS} (a cut-off viewer counts until its socket drains); streams ended within 2 s of reading again: ${cut}`);
  console.log(`  /api/health during the run: ${healthMs.length} answers, p50 ${p(50)} ms, p99 ${p(99)} ms`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
