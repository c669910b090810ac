/**
 * End-to-end ingest through the HTTP API: starts the built server on a free port with a
 * fresh store, streams N lines into one step through `POST lines` and prints lines/s, then
 * the latency of a range read deep in the step. Usage: tsx scripts/bench-http.ts [lines] [store-url]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile, runBench, startLogscope, type LogscopeServer } from '../test/support';

const LINES = Number(process.argv[2] ?? 1_000_000);
const PORT = Number(process.env.BENCH_PORT ?? 3190);
const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-'));
const storeUrl = process.argv[3] ?? `file:${dir}`;
const base = `http://127.0.0.1:${PORT}/api/v1`;

// BENCH_NODE_ARGS, e.g. "--cpu-prof", profiles the server under load.
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
let server: LogscopeServer | undefined;

async function main(): Promise<void> {
  server = await startLogscope(PORT, storeUrl, {}, nodeArgs);
  const jobId = `bench-${Date.now()}`;
  const created = (await (await fetch(`${base}/jobs/${jobId}`, { method: 'PUT', body: '{}' })).json()) as { writeToken: string };
  const auth = { authorization: `Bearer ${created.writeToken}` };

  // One long streamed NDJSON request, as a CI worker streaming a whole step would send it.
  const CHUNK = 2000;
  let n = 0;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (n >= LINES) return c.close();
      let text = '';
      for (let i = 0; i < CHUNK && n < LINES; i++) {
        n++;
        text += `{"n":${n},"text":"\\u001b[32m${n}\\u001b[0m compiling module ${n % 977} of the build, a typical line of CI output"}\n`;
      }
      c.enqueue(encoder.encode(text));
    },
  });
  const started = performance.now();
  const response = await fetch(`${base}/jobs/${jobId}/steps/build/lines`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-ndjson' },
    body,
    duplex: 'half',
  } as RequestInit);
  const result = await response.json();
  const seconds = (performance.now() - started) / 1000;
  console.log(`http ingest (${storeUrl.split(':')[0]}): ${LINES} lines in ${seconds.toFixed(1)} s = ${Math.round(LINES / seconds)} lines/s`, result);

  const at = Math.floor(LINES * 0.9);
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const r = await fetch(`${base}/jobs/${jobId}/steps/build/lines?from=${at + i * 7}&limit=200`);
    await r.json();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  console.log(`http range read at line ${at} (200 lines): p50 ${percentile(samples, 50).toFixed(1)} ms, p99 ${percentile(samples, 99).toFixed(1)} ms`);
}

runBench(main, async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});
