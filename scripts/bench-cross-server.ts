/**
 * Cross-server live latency: two built Logscope servers A and B share one store (a fresh
 * PostgreSQL database on 127.0.0.1:5432, a fresh NATS prefix on 127.0.0.1:4222). Single lines
 * are posted through A at a steady rate while one events stream is read on A and one on B;
 * prints, per backend, post-on-A → event-on-B (cross-server) and post-on-A → event-on-A
 * (single server) latency percentiles. Backends that are not reachable are skipped.
 *
 * Usage: tsx scripts/bench-cross-server.ts [lines=500] [rate-per-s=20]
 * Needs the build (node scripts/ensure-build.mjs). Ports 3180-3183.
 */
import { completeJob, createJob, getJob, setStep } from '../test/support/api';
import { percentile, runBench } from '../test/support/bench';
import { EventsReader, type LinesArrival } from '../test/support/events';
import { uniqueJobId, uniqueNatsPrefix } from '../test/support/ids';
import { startLogscope, type LogscopeServer } from '../test/support/logscope-server';
import { NATS_TEST_URL, deleteNatsStreams, natsReachable } from '../test/support/nats';
import { createTestDatabase, postgresReachable } from '../test/support/postgres';
import { sleep } from '../test/support/processes';

const LINES = Number(process.argv[2] ?? 500);
const RATE = Number(process.argv[3] ?? 20);

interface Backend {
  name: string;
  ports: [number, number];
  /** store URL and its clean-up, or null when the backend is not reachable */
  open(): Promise<{ url: string; close(): Promise<void> } | null>;
}

const backends: Backend[] = [
  {
    name: 'postgres',
    ports: [3180, 3181],
    async open() {
      if (!(await postgresReachable())) return null;
      const db = await createTestDatabase();
      return { url: db.url, close: () => db.drop() };
    },
  },
  {
    name: 'nats',
    ports: [3182, 3183],
    async open() {
      const prefix = uniqueNatsPrefix();
      if (!(await natsReachable())) return null;
      return { url: `${NATS_TEST_URL}?prefix=${prefix}`, close: () => deleteNatsStreams(NATS_TEST_URL, prefix) };
    },
  },
];

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((x, y) => x - y);
  const f = (v: number) => v.toFixed(1).padStart(7);
  return `  ${label.padEnd(28)} n=${String(sorted.length).padStart(4)}  p50 ${f(percentile(sorted, 50))} ms  p90 ${f(percentile(sorted, 90))} ms  p99 ${f(percentile(sorted, 99))} ms  max ${f(sorted.at(-1) ?? NaN)} ms`;
}

/** Posts LINES single-line requests through A at RATE/s; returns latencies seen on A and B. */
async function measure(a: LogscopeServer, b: LogscopeServer): Promise<{ cross: number[]; single: number[]; post: number[] }> {
  const p = await createJob(a.url, uniqueJobId('bench-x'), { title: 'cross-server bench', steps: [{ id: 'build' }] });
  await setStep(p, 'build', { status: 'running' });
  const cursor = String((await getJob(b.url, p.jobId)).cursor);
  const sentAt = new Map<number, number>();
  const cross: number[] = [];
  const single: number[] = [];
  const record = (into: number[]) => (line: LinesArrival) => {
    const t = sentAt.get(line.n);
    if (t !== undefined) into.push(line.at - t);
  };
  const onB = new EventsReader(b.url, p.jobId, cursor, record(cross));
  const onA = new EventsReader(a.url, p.jobId, cursor, record(single));
  await sleep(500); // both streams connected and on their server's feed
  const post: number[] = [];
  const interval = 1000 / RATE;
  const start = performance.now();
  for (let n = 1; n <= LINES; n++) {
    const due = start + (n - 1) * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const t = performance.now();
    sentAt.set(n, t);
    const response = await fetch(`${a.url}/api/v1/jobs/${p.jobId}/steps/build/lines`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ n, text: `bench line ${n}` })}\n`,
    });
    if (!response.ok) throw new Error(`POST line ${n} → ${response.status}: ${await response.text()}`);
    await response.body?.cancel();
    post.push(performance.now() - t);
  }
  await Promise.all([onA.waitFor('build', LINES, 30_000), onB.waitFor('build', LINES, 30_000)]);
  await Promise.all([onA.close(), onB.close()]);
  await completeJob(p, 'success');
  return { cross, single, post };
}

async function main(): Promise<void> {
  console.log(`cross-server live latency: ${LINES} single-line POSTs through A at ${RATE}/s, events read on A and on B`);
  for (const backend of backends) {
    const store = await backend.open();
    if (!store) {
      console.log(`${backend.name}: not reachable, skipped`);
      continue;
    }
    let a: LogscopeServer | undefined;
    let b: LogscopeServer | undefined;
    try {
      [a, b] = await Promise.all([startLogscope(backend.ports[0], store.url), startLogscope(backend.ports[1], store.url)]);
      const { cross, single, post } = await measure(a, b);
      console.log(`${backend.name}:`);
      console.log(summary('POST on A (until 200)', post));
      console.log(summary('post on A → event on A', single));
      console.log(summary('post on A → event on B', cross));
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
      await store.close().catch(() => undefined);
    }
  }
}

runBench(main);
