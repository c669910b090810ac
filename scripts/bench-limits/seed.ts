/**
 * Seeds the historical-search row's store in-process, before its server starts: the same write
 * path as `PUT /jobs`, `POST lines` and `POST complete` (lib/writes), minus HTTP. Each distinct
 * slice of the input goes through ingest once (writeLines); the jobs that repeat a slice get the
 * lines, groups and ingest state that ingest stored for it, through the store's own `append`, so
 * the store holds exactly what HTTP ingest would have written (indexes, sidecars and all) at the
 * cost of the store's writes alone. On PostgreSQL the `lines` table's secondary indexes (the
 * trigram and inexact-line indexes) are dropped while the copies go in and re-created after from
 * their own definitions (pg_indexes): the same indexes, built in one pass instead of one insert
 * at a time (about 13k lines/s with them, the bench's time budget). Needs `--conditions=react-server` (server-only modules).
 */
import type { Line } from '../../lib/contracts';
import { createStore } from '../../lib/store/index';
import type { AppendBatch } from '../../lib/store/types';
import { completeJob, inProcessCreateAuth, putJob } from '../../lib/writes/jobs';
import { writeLines } from '../../lib/writes/line-writer';
import { withPg } from '../../test/support/postgres';

/** Lines read back per readLines call when copying a template. */
const READ_PAGE = 5000;

export interface SeedResult {
  jobs: number;
  /** jobs holding the needle slice */
  trueCount: number;
  s: number;
  /** jobs that went through ingest (one per distinct slice) */
  ingested: number;
  /** PostgreSQL: seconds spent re-creating the line indexes (part of `s`) */
  rebuildS: number | null;
}

/** The secondary indexes of `lines` (not its primary key), dropped; their definitions returned. */
async function dropLineIndexes(url: string): Promise<string[]> {
  return withPg(url, async (c) => {
    const { rows } = await c.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.tablename = 'lines' AND i.schemaname = current_schema()
          AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'lines'::regclass)`,
    );
    for (const r of rows) await c.query(`DROP INDEX ${c.escapeIdentifier(r.name)}`);
    return rows.map((r) => r.def);
  });
}

async function recreateIndexes(url: string, defs: string[]): Promise<void> {
  await withPg(url, async (c) => {
    await c.query(`SET maintenance_work_mem = '256MB'`);
    for (const def of defs) await c.query(def);
    await c.query('ANALYZE');
  });
}

/**
 * Writes `jobs` jobs named `${prefix}-<k>`, job k holding slice `k % slices.length` of `text`
 * as step `main`, oldest first; `concurrency` jobs are written at a time.
 */
export async function seedHistory(opts: {
  storeUrl: string;
  text: Buffer;
  slices: [number, number][];
  jobs: number;
  needleSlice: number;
  prefix: string;
  concurrency: number;
  log: (s: string) => void;
}): Promise<SeedResult> {
  const { text, slices } = opts;
  const t0 = performance.now();
  const store = await createStore(opts.storeUrl);
  const templates = new Map<number, AppendBatch>();
  const body = { title: '', steps: [{ id: 'main', name: 'main' }] };
  let ingested = 0;
  let trueCount = 0;
  let next = 0;
  let done = 0;
  const one = async (k: number) => {
    const slice = k % slices.length;
    const job = `${opts.prefix}-${k}`;
    await putJob(store, job, { ...body, title: job }, inProcessCreateAuth());
    const template = templates.get(slice);
    if (template) await store.append(job, 'main', template);
    else {
      const [a, b] = slices[slice]!;
      const bytes = text.subarray(a, b);
      const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array(bytes)), c.close()) });
      await writeLines(store, { jobId: job, stepId: 'main', body: stream, format: 'text', first: 1, stream: 'out', maxBodyBytes: bytes.length + 1 });
      ingested++;
      const lines: Line[] = [];
      for (let from = 1; ; ) {
        const r = await store.readLines(job, 'main', from, READ_PAGE);
        lines.push(...r.lines);
        if (r.lines.length === 0) break;
        from = r.lines[r.lines.length - 1]!.n + 1;
      }
      const meta = await store.getJob(job);
      const step = meta?.steps.find((s) => s.id === 'main');
      templates.set(slice, { lines, groups: step?.groups ?? [], state: await store.getStepState(job, 'main') });
    }
    await completeJob(store, job, 'success');
    if (slice === opts.needleSlice) trueCount++;
    if (++done % 100 === 0) opts.log(`[limits]   ${done}/${opts.jobs} jobs seeded (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  };
  // The first job of each slice ingests it: those go one by one, in job order, before copies.
  const first = Math.min(opts.jobs, slices.length);
  const worker = async (until: number) => {
    while (next < until) await one(next++);
  };
  const pg = /^postgres(ql)?:/.test(opts.storeUrl);
  let rebuild = 0;
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, () => worker(first)));
    const indexes = pg ? await dropLineIndexes(opts.storeUrl) : [];
    try {
      await Promise.all(Array.from({ length: opts.concurrency }, () => worker(opts.jobs)));
    } finally {
      const r0 = performance.now();
      if (indexes.length) await recreateIndexes(opts.storeUrl, indexes);
      rebuild = (performance.now() - r0) / 1000;
      if (indexes.length) opts.log(`[limits]   re-created ${indexes.length} line indexes in ${rebuild.toFixed(0)} s`);
    }
  } finally {
    await store.close();
  }
  return { jobs: done, trueCount, s: (performance.now() - t0) / 1000, ingested, rebuildS: pg ? rebuild : null };
}
