import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREEN_ROWS } from '../../contracts';
import { AppError } from '../../errors';
import { backendGate, createTestDatabase, POSTGRES_TEST_URL, postgresReachable, sql, uniqueJobId, type TestDatabase } from '../../../test/support';
import { makeLines } from '../conformance';
import { RAW_CHUNK_BYTES, type LogStore, type StoreEvent } from '../types';
import { createPostgresStore } from './index';
import type { PostgresStore } from './store';

/** Issue 13 on PostgreSQL: line updates, `produced`, the `update` event and the raw text. */
const TOKEN = { tokenHash: 'd'.repeat(64) };
const gate = await backendGate(`PostgreSQL (${POSTGRES_TEST_URL})`, await postgresReachable());

async function collect(store: LogStore, jobId: string, after: string | null): Promise<StoreEvent[]> {
  const controller = new AbortController();
  const events: StoreEvent[] = [];
  for await (const event of store.subscribe(jobId, after, controller.signal)) events.push(event);
  return events;
}

async function rawText(store: LogStore, jobId: string, stepId: string): Promise<{ text: string; chunks: string[] }> {
  const chunks: string[] = [];
  for await (const chunk of store.readRaw(jobId, stepId)) chunks.push(chunk);
  return { text: chunks.join(''), chunks };
}

if (gate === 'run') {
  describe('postgres store: terminal screen (issue 13)', () => {
    let db: TestDatabase;
    let a: LogStore;
    let b: LogStore;
    beforeAll(async () => {
      db = await createTestDatabase();
      [a, b] = await Promise.all([createPostgresStore({ url: db.url }), createPostgresStore({ url: db.url })]);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await db?.drop();
    });

    it('updates lines in place with the batch: current text, produced, answer, events in order', async () => {
      const id = uniqueJobId('pg-upd');
      await a.putJob(id, {}, TOKEN);
      expect(await a.append(id, 's', { lines: makeLines(1, 3), produced: 3 })).toEqual({ accepted: 3, duplicates: 0, last: 3 });
      // producer lines 4 and 5: one rewrote line 2 (cursor up), the other is the new line 4
      const result = await a.append(id, 's', {
        lines: [{ n: 4, ts: 4, stream: 'out', text: 'four' }],
        updates: [{ n: 2, ts: 5, stream: 'err', text: 'two, redrawn' }],
        produced: 5,
        state: { v: 2 },
      });
      expect(result).toEqual({ accepted: 1, duplicates: 0, last: 5, lines: 4 });
      const range = await b.readLines(id, 's', 1, 10);
      expect(range.last).toBe(4);
      expect(range.lines.map((l) => l.text)).toEqual(['line 1', 'two, redrawn', 'line 3', 'four']);
      expect(range.lines[1]).toMatchObject({ n: 2, ts: 5, stream: 'err' });
      expect((await b.getJob(id))?.steps[0]).toMatchObject({ lines: 4, produced: 5 });
      expect(await b.getStepState(id, 's')).toEqual({ v: 2 });

      await a.complete(id, 'success');
      const events = await collect(b, id, null);
      const kinds = events.filter((e) => e.type === 'lines' || e.type === 'update').map((e) => e.type);
      expect(kinds).toEqual(['lines', 'lines', 'update']);
      const update = events.find((e) => e.type === 'update');
      expect(update).toMatchObject({ step: 's', lines: [{ n: 2, ts: 5, stream: 'err', text: 'two, redrawn' }] });
      const lastLines = events.filter((e) => e.type === 'lines').at(-1);
      expect(BigInt(update?.cursor ?? '0')).toBeGreaterThan(BigInt(lastLines?.cursor ?? '0'));
      // resuming after the lines events replays the update alone
      const resumed = await collect(b, id, lastLines?.cursor ?? null);
      expect(resumed.filter((e) => e.type === 'update' || e.type === 'lines').map((e) => e.type)).toEqual(['update']);
    });

    it('delivers update events live to a subscriber on another server', async () => {
      const id = uniqueJobId('pg-upd-live');
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 's', { lines: makeLines(1, 2) });
      const controller = new AbortController();
      const seen: StoreEvent[] = [];
      const reading = (async () => {
        for await (const e of b.subscribe(id, null, controller.signal)) {
          seen.push(e);
          if (e.type === 'update') controller.abort();
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // an update-only batch: the producer redrew line 2 (its `produced` moves on, no new line)
      expect(await a.append(id, 's', { lines: [], updates: [{ n: 2, ts: 9, stream: 'out', text: '50%' }], produced: 3 })).toEqual({ accepted: 0, duplicates: 0, last: 3, lines: 2 });
      await reading;
      expect(seen.at(-1)).toMatchObject({ type: 'update', step: 's', lines: [{ n: 2, text: '50%' }] });
    });

    it('treats a batch whose produced is not above the stored one as a retry: nothing stored', async () => {
      const id = uniqueJobId('pg-retry');
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 's', { lines: makeLines(1, 2), produced: 2 });
      const batch = { lines: makeLines(3, 3), updates: [{ n: 1, ts: 1, stream: 'out' as const, text: 'first' }], produced: 4, raw: 'x\ny\n', state: { v: 1 } };
      expect(await a.append(id, 's', batch)).toEqual({ accepted: 1, duplicates: 0, last: 4, lines: 3 });
      const cursor = (await a.getJob(id))?.cursor;
      // the same producer lines again, as a retry that computed other text: nothing changes
      const retry = await b.append(id, 's', { ...batch, updates: [{ n: 1, ts: 1, stream: 'out', text: 'other' }], raw: 'x\ny\n', state: { v: 9 } });
      expect(retry).toEqual({ accepted: 0, duplicates: 1, last: 4, lines: 3 });
      expect((await a.readLines(id, 's', 1, 5)).lines.map((l) => l.text)).toEqual(['first', 'line 2', 'line 3']);
      expect(await a.getStepState(id, 's')).toEqual({ v: 1 });
      expect((await rawText(a, id, 's')).text).toBe('x\ny\n');
      expect((await a.getJob(id))?.cursor).toBe(cursor);
    });

    it('refuses updates outside the screen, storing nothing of the batch', async () => {
      const id = uniqueJobId('pg-outside');
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 's', { lines: makeLines(1, SCREEN_ROWS + 5) });
      const last = SCREEN_ROWS + 5;
      for (const n of [5, last + 1, 0]) {
        const error = await a.append(id, 's', { lines: makeLines(last + 1, last + 1), updates: [{ n, ts: 1, stream: 'out', text: 'x' }], produced: last + 2, raw: 'r\n' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('bad_request');
      }
      const range = await a.readLines(id, 's', last - 1, 5);
      expect(range.last).toBe(last);
      expect((await a.getJob(id))?.steps[0]?.produced).toBeUndefined();
      expect((await rawText(a, id, 's')).chunks).toEqual([]);
      // the oldest line within the screen may be updated
      await a.append(id, 's', { lines: [], updates: [{ n: last - SCREEN_ROWS + 1, ts: 1, stream: 'out', text: 'ok' }], produced: last + 1 });
      expect((await a.readLines(id, 's', last - SCREEN_ROWS + 1, 1)).lines[0]?.text).toBe('ok');
    });

    it('keeps the search index and the job byte count on the current text', async () => {
      const id = uniqueJobId('pg-search');
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 's', { lines: makeLines(1, 2, (n) => `downloading ${n} zzqqold`) });
      await a.append(id, 's', { lines: [], updates: [{ n: 2, ts: 1, stream: 'out', text: 'done zzqqnew' }], produced: 3 });
      const store = a as PostgresStore;
      const find = async (needle: string) => {
        const found = await store.searchCandidates({ needle, caseSensitive: false, label: null, since: null, after: null, limit: 10, timeoutMs: 5_000 } as Parameters<PostgresStore['searchCandidates']>[0]);
        expect(Array.isArray(found)).toBe(true);
        return (found as { job: string; line: { n: number } }[]).filter((c) => c.job === id).map((c) => c.line.n);
      };
      expect(await find('zzqqnew')).toEqual([2]);
      expect(await find('zzqqold')).toEqual([1]);
      const [row] = await sql<{ bytes: string }>(db.url, 'SELECT bytes::text AS bytes FROM jobs WHERE id = $1', [id]);
      expect(Number(row?.bytes)).toBe(Buffer.byteLength('downloading 1 zzqqold' + 'done zzqqnew'));
    });

    it('stores the raw text in order, reads it in chunks of at most RAW_CHUNK_BYTES, deletes it with the job', async () => {
      const id = uniqueJobId('pg-raw');
      await a.putJob(id, {}, TOKEN);
      const big = 'é'.repeat(RAW_CHUNK_BYTES) + '\n'; // 2 bytes a character: the batch spans chunks
      const parts = ['one\r\x1b[1A\n', big, 'three\u0000\n'];
      let n = 0;
      for (const raw of parts) {
        n++;
        await a.append(id, 's', { lines: makeLines(n, n), raw, produced: n });
      }
      const { text, chunks } = await rawText(b, id, 's');
      expect(text).toBe(parts.join(''));
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(RAW_CHUNK_BYTES);
      expect((await rawText(b, id, 'nothing-yet').catch((e: unknown) => e)) as AppError).toMatchObject({ code: 'not_found' });
      await a.putStep(id, 'empty', {});
      expect((await rawText(b, id, 'empty')).chunks).toEqual([]);
      expect(await a.deleteJob(id)).toBe(true);
      expect(await sql(db.url, 'SELECT 1 FROM raw WHERE job_id = $1', [id])).toEqual([]);
    });

    it('applies migration 8 (produced, raw) once', async () => {
      const versions = await sql<{ version: number }>(db.url, 'SELECT version FROM schema_version ORDER BY version');
      expect(versions.map((v) => v.version)).toContain(8);
      expect(await sql(db.url, "SELECT 1 FROM information_schema.columns WHERE table_name = 'steps' AND column_name = 'produced'")).toHaveLength(1);
    });
  });
}
