import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendGate, createTestDatabase, POSTGRES_TEST_URL, postgresReachable, uniqueJobId, type TestDatabase } from '../../test/support';
import { exportRecordSchema, type ExportQuery, type ExportRecord } from '../contracts/export';
import type { Line } from '../contracts';
import { createFileStore } from '../store/file';
import { createPostgresStore } from '../store/postgres';
import type { LogStore } from '../store/types';
import { writeLines } from '../writes/line-writer';
import { ndjsonExportStream } from './ndjson';
import { STREAM_PAGE_BYTES, STREAM_PAGE_LINES } from './pages';

const TOKEN = { tokenHash: 'e'.repeat(64) };
const SECRET = 'hunter2-very-secret';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bodyOf(records: object[]): ReadableStream<Uint8Array> {
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  return new ReadableStream({
    start(c) {
      c.enqueue(encoder.encode(text));
      c.close();
    },
  });
}

/**
 * A job through the real write path (ingest: groups, masks): `build` has a nested group, a
 * coloured line, a masked secret and stderr lines; `test` has two plain lines.
 */
async function fixtureJob(store: LogStore): Promise<string> {
  const jobId = uniqueJobId('export');
  await store.putJob(jobId, { title: 'fixture', steps: [{ id: 'build' }, { id: 'test' }] }, TOKEN);
  const build = [
    'start', // 1
    `::add-mask::${SECRET}`, // 2
    '::group::Compile \x1b[1mall\x1b[0m', // 3
    '\x1b[31mred\x1b[0m warning', // 4
    `token is ${SECRET}`, // 5
    '::endgroup::', // 6
    'after', // 7
  ].map((text, i) => ({ n: i + 1, ts: 1000 + i, stream: i === 3 ? 'err' : 'out', text }));
  const input = { jobId, body: bodyOf(build), format: 'ndjson' as const, stream: 'out' as const, maxBodyBytes: 1 << 24 };
  await writeLines(store, { ...input, stepId: 'build' });
  await writeLines(store, { ...input, stepId: 'test', body: bodyOf([{ n: 1, ts: 5, text: 'ok 1' }, { n: 2, ts: 6, stream: 'err', text: 'ok 2' }]) });
  return jobId;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = '';
  const reader = stream.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) out += decoder.decode(chunk.value, { stream: true });
  return out + decoder.decode();
}

async function exportOf(store: LogStore, jobId: string, query: ExportQuery): Promise<ExportRecord[]> {
  const job = await store.getJob(jobId);
  const text = await readAll(ndjsonExportStream(store, job!, query));
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => exportRecordSchema.parse(JSON.parse(line)));
}

/** The store, counting what its range reads returned. */
function countingStore(store: LogStore): { store: LogStore; reads: () => number; lines: () => number } {
  let reads = 0;
  let lines = 0;
  const wrapped = Object.assign(Object.create(store) as LogStore, {
    readLines: async (...args: Parameters<LogStore['readLines']>) => {
      const range = await store.readLines(...args);
      reads++;
      lines += range.lines.length;
      return range;
    },
  });
  return { store: wrapped, reads: () => reads, lines: () => lines };
}

const BIG = 100_000;

/** Waits until the store has taken no read for a few turns: any eager read-ahead has happened by then. */
async function quiet(reads: () => number): Promise<void> {
  for (let still = 0, last = -1; still < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    still = reads() === last ? still + 1 : 0;
    last = reads();
  }
}

function describeExport(name: string, open: () => Promise<{ store: LogStore; cleanup: () => Promise<void> }>): void {
  describe(`NDJSON export (${name})`, () => {
    let store: LogStore;
    let cleanup: () => Promise<void>;
    let jobId: string;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      jobId = await fixtureJob(store);
    });
    afterAll(async () => cleanup?.());

    it('exports every step in order, one record per stored line, with its innermost group', async () => {
      const records = await exportOf(store, jobId, { ansi: 'keep' });
      expect(records.map((r) => `${r.step}:${r.n}`)).toEqual([...[1, 2, 3, 4, 5, 6, 7].map((n) => `build:${n}`), 'test:1', 'test:2']);
      const job = await store.getJob(jobId);
      const group = job!.steps[0]!.groups[0]!;
      const inGroup = records.filter((r) => r.group !== null).map((r) => r.n);
      expect(inGroup).toEqual(Array.from({ length: group.end! - group.start + 1 }, (_, i) => group.start + i));
      expect(records.find((r) => r.n === 4 && r.step === 'build')).toMatchObject({ ts: 1003, stream: 'err', group: { id: group.id, path: [group.name] } });
      expect(records.filter((r) => r.step === 'test').map((r) => [r.stream, r.text, r.group])).toEqual([
        ['out', 'ok 1', null],
        ['err', 'ok 2', null],
      ]);
    });

    it('one step only, when asked', async () => {
      const records = await exportOf(store, jobId, { step: 'test', ansi: 'keep' });
      expect(records.map((r) => `${r.step}:${r.n}`)).toEqual(['test:1', 'test:2']);
    });

    it('serves the stored, masked text: the secret never appears', async () => {
      for (const ansi of ['keep', 'strip'] as const) {
        const job = await store.getJob(jobId);
        const text = await readAll(ndjsonExportStream(store, job!, { ansi }));
        expect(text).not.toContain(SECRET);
        expect(text).toContain('token is ');
      }
    });

    it('keeps escape codes by default and strips them (text and group titles) with ansi=strip', async () => {
      const kept = await exportOf(store, jobId, { step: 'build', ansi: 'keep' });
      const stored = (await store.readLines(jobId, 'build', 1, 10)).lines;
      expect(kept.map((r) => r.text)).toEqual(stored.map((l) => l.text));
      expect(kept.some((r) => r.text.includes('\x1b['))).toBe(true);
      const stripped = await exportOf(store, jobId, { step: 'build', ansi: 'strip' });
      expect(stripped.some((r) => r.text.includes('\x1b'))).toBe(false);
      expect(stripped.find((r) => r.n === 4)?.text).toBe('red warning');
      expect(stripped.flatMap((r) => r.group?.path ?? []).some((t) => t.includes('\x1b'))).toBe(false);
      expect(stripped.find((r) => r.group !== null)?.group?.path).toEqual(['Compile all']);
    });

    it(`streams a ${BIG.toLocaleString('en')}-line step page by page: reads follow the consumer, never the whole step`, async () => {
      const big = uniqueJobId('export-big');
      await store.putJob(big, {}, TOKEN);
      const BATCH = 10_000;
      for (let first = 1; first <= BIG; first += BATCH) {
        const lines: Line[] = Array.from({ length: BATCH }, (_, i) => ({ n: first + i, ts: first + i, stream: 'out', text: `line ${first + i} ${'x'.repeat(40)}` }));
        await store.append(big, 'huge', { lines });
      }
      const counting = countingStore(store);
      const job = await store.getJob(big);
      const reader = ndjsonExportStream(counting.store, job!, { ansi: 'keep' }).getReader();
      const first = await reader.read();
      await quiet(counting.reads);
      expect(first.done).toBe(false);
      // the consumer took one chunk: at most that page and the one queued behind it were read
      expect(counting.reads()).toBeLessThanOrEqual(2);
      expect(counting.lines()).toBeLessThanOrEqual(2 * STREAM_PAGE_LINES);
      expect(first.value!.byteLength).toBeLessThanOrEqual(6 * STREAM_PAGE_BYTES + STREAM_PAGE_LINES * 200);
      let text = decoder.decode(first.value!, { stream: true });
      let count = 0;
      let expected = 1;
      let maxChunk = first.value!.byteLength;
      const check = (complete: string) => {
        for (const line of complete.split('\n')) {
          const record = JSON.parse(line) as ExportRecord;
          if (record.n !== expected) throw new Error(`line ${record.n} where ${expected} was expected`);
          expected++;
          count++;
        }
      };
      for (;;) {
        const cut = text.lastIndexOf('\n');
        if (cut >= 0) {
          check(text.slice(0, cut));
          text = text.slice(cut + 1);
        }
        // reads stay one page ahead of what was consumed
        expect(counting.lines()).toBeLessThanOrEqual(count + 2 * STREAM_PAGE_LINES);
        const next = await reader.read();
        if (next.done) break;
        maxChunk = Math.max(maxChunk, next.value.byteLength);
        text += decoder.decode(next.value, { stream: true });
      }
      expect(text).toBe('');
      expect(count).toBe(BIG);
      expect(counting.lines()).toBe(BIG);
      expect(maxChunk).toBeLessThanOrEqual(2 * STREAM_PAGE_BYTES);
    });

    it('a consumer that stops early cancels the reads', async () => {
      const counting = countingStore(store);
      const job = await store.getJob(jobId);
      const stream = ndjsonExportStream(counting.store, job!, { ansi: 'keep' }, { pageLines: 2 });
      const reader = stream.getReader();
      await reader.read();
      await reader.cancel();
      await quiet(counting.reads);
      expect(counting.reads()).toBeLessThanOrEqual(2);
    });
  });
}

describeExport('file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-export-'));
  const store = await createFileStore({ dir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const gate = await backendGate(`PostgreSQL (${POSTGRES_TEST_URL})`, await postgresReachable());
if (gate === 'fail') {
  it('PostgreSQL is reachable (required on CI)', () => {
    expect.fail(`PostgreSQL at ${POSTGRES_TEST_URL} is not reachable`);
  });
}
if (gate === 'run') {
  describeExport('postgres', async () => {
    const db: TestDatabase = await createTestDatabase();
    const store = await createPostgresStore({ url: db.url });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.drop();
      },
    };
  });
}
