import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { SCREEN_ROWS, type Line } from '../../contracts';
import { AppError } from '../../errors';
import { backendGate, deleteNatsStreams, NATS_TEST_URL, natsReachable, uniqueJobId, uniqueNatsPrefix, withPrefix } from '../../../test/support';
import { makeLines } from '../conformance';
import { RAW_CHUNK_BYTES, type LogStore, type StoreEvent } from '../types';
import { INDEX_BLOCK } from './append';
import { createNatsStore } from './index';
import { Subjects } from './subjects';

/** Issue 13 on NATS: line updates (update messages), `produced`, the `update` event, the raw subject. */
const TOKEN = { tokenHash: 'e'.repeat(64) };
const gate = await backendGate(`NATS JetStream (${NATS_TEST_URL})`, await natsReachable());

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

/** Every line of a step by ranges of `size` (each a separate readLines), with or without a byte budget. */
async function readAll(store: LogStore, jobId: string, stepId: string, size: number, maxBytes?: number): Promise<string[]> {
  const texts: string[] = [];
  for (let from = 1; ; ) {
    const range = await store.readLines(jobId, stepId, from, size, maxBytes);
    texts.push(...range.lines.map((l) => l.text));
    from += range.lines.length;
    if (from > range.last || range.lines.length === 0) return texts;
  }
}

if (gate === 'run') {
  describe('nats store: terminal screen (issue 13)', () => {
    const prefix = uniqueNatsPrefix();
    let a: LogStore;
    let b: LogStore;
    beforeAll(async () => {
      const url = withPrefix(NATS_TEST_URL, prefix);
      a = await createNatsStore({ url });
      b = await createNatsStore({ url });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await deleteNatsStreams(NATS_TEST_URL, prefix);
    });

    it('updates lines with the batch: current text, produced, answer, events in order', async () => {
      const id = uniqueJobId('nats-upd');
      await a.putJob(id, {}, TOKEN);
      expect(await a.append(id, 's', { lines: makeLines(1, 3), produced: 3 })).toEqual({ accepted: 3, duplicates: 0, last: 3 });
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
      expect((await b.getJob(id))?.steps[0]).toMatchObject({ lines: 4, produced: 5, status: 'success' });
      const events = await collect(b, id, null);
      const kinds = events.filter((e) => e.type === 'lines' || e.type === 'update').map((e) => e.type);
      expect(kinds).toEqual(['lines', 'lines', 'update']);
      const update = events.find((e) => e.type === 'update');
      expect(update).toMatchObject({ step: 's', lines: [{ n: 2, ts: 5, stream: 'err', text: 'two, redrawn' }] });
      const lastLines = events.filter((e) => e.type === 'lines').at(-1);
      expect(Number(update?.cursor)).toBeGreaterThan(Number(lastLines?.cursor));
      const resumed = await collect(b, id, lastLines?.cursor ?? null);
      expect(resumed.filter((e) => e.type === 'update' || e.type === 'lines').map((e) => e.type)).toEqual(['update']);
    });

    it('delivers update events live to a subscriber on another server', async () => {
      const id = uniqueJobId('nats-upd-live');
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
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await a.append(id, 's', { lines: [], updates: [{ n: 2, ts: 9, stream: 'out', text: '50%' }], produced: 3 })).toEqual({ accepted: 0, duplicates: 0, last: 3, lines: 2 });
      await reading;
      expect(seen.at(-1)).toMatchObject({ type: 'update', step: 's', lines: [{ n: 2, text: '50%' }] });
    });

    it('treats a batch whose produced is not above the stored one as a retry: nothing stored', async () => {
      const id = uniqueJobId('nats-retry');
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 's', { lines: makeLines(1, 2), produced: 2 });
      const batch = { lines: makeLines(3, 3), updates: [{ n: 1, ts: 1, stream: 'out' as const, text: 'first' }], produced: 4, raw: 'x\ny\n', state: { v: 1 } };
      expect(await a.append(id, 's', batch)).toEqual({ accepted: 1, duplicates: 0, last: 4, lines: 3 });
      const cursor = (await a.getJob(id))?.cursor;
      // the same producer lines again, on the other server (its tail is not cached), other text
      const retry = await b.append(id, 's', { ...batch, updates: [{ n: 1, ts: 1, stream: 'out', text: 'other' }], state: { v: 9 } });
      expect(retry).toEqual({ accepted: 0, duplicates: 1, last: 4, lines: 3 });
      // and on the server that wrote it (a cached tail)
      expect(await a.append(id, 's', { ...batch, state: { v: 8 } })).toEqual({ accepted: 0, duplicates: 1, last: 4, lines: 3 });
      expect((await a.readLines(id, 's', 1, 5)).lines.map((l) => l.text)).toEqual(['first', 'line 2', 'line 3']);
      expect(await a.getStepState(id, 's')).toEqual({ v: 1 });
      expect((await rawText(a, id, 's')).text).toBe('x\ny\n');
      expect((await a.getJob(id))?.cursor).toBe(cursor);
    });

    it('refuses updates outside the screen, storing nothing of the batch', async () => {
      const id = uniqueJobId('nats-outside');
      await a.putJob(id, {}, TOKEN);
      const last = SCREEN_ROWS + 5;
      await a.append(id, 's', { lines: makeLines(1, last) });
      for (const n of [5, last + 1, 0]) {
        const error = await b.append(id, 's', { lines: makeLines(last + 1, last + 1), updates: [{ n, ts: 1, stream: 'out', text: 'x' }], produced: last + 2, raw: 'r\n' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('bad_request');
      }
      expect((await a.readLines(id, 's', last - 1, 5)).last).toBe(last);
      expect((await a.getJob(id))?.steps[0]?.produced).toBeUndefined();
      expect((await rawText(a, id, 's')).chunks).toEqual([]);
      await a.append(id, 's', { lines: [], updates: [{ n: last - SCREEN_ROWS + 1, ts: 1, stream: 'out', text: 'ok' }], produced: last + 1 });
      expect((await b.readLines(id, 's', last - SCREEN_ROWS + 1, 1)).lines[0]?.text).toBe('ok');
    });

    it('range reads apply every rewrite, across index blocks, redraw runs and lines that left the screen', async () => {
      const id = uniqueJobId('nats-ranges');
      await a.putJob(id, {}, TOKEN);
      const expected = new Map<number, string>();
      let last = 0;
      let produced = 0;
      const put = (lines: Line[]) => lines.forEach((l) => expected.set(l.n, l.text));
      const update = (n: number, text: string): Line => ({ n, ts: 1, stream: 'out', text });
      // batches of new lines (some split into several messages) each rewriting lines of the screen,
      // with runs of update-only batches (a progress bar) between them
      for (let round = 0; round < 6; round++) {
        const count = round % 2 === 0 ? 700 : 90;
        const lines = makeLines(last + 1, last + count, (n) => `r${round} line ${n}`);
        const updates = last === 0 ? [] : [update(last - SCREEN_ROWS + 1, `r${round} oldest`), update(last, `r${round} rewrote ${last}`)];
        produced += count + updates.length;
        await (round % 2 ? b : a).append(id, 's', { lines, updates, produced });
        put(lines);
        put(updates);
        last += count;
        for (let redraw = 0; redraw < 4; redraw++) {
          // ascending, one per line (plan/screen.ts checkUpdates): the tick wins where both fall
          const byLine = new Map([update(last - 1, `r${round} bar ${redraw}`), update(last - (redraw % 3), `r${round} tick ${redraw}`)].map((l) => [l.n, l]));
          const bar = [...byLine.values()].sort((x, y) => x.n - y.n);
          produced += 1;
          await a.append(id, 's', { lines: [], updates: bar, produced });
          put(bar);
        }
      }
      const want = [...Array(last).keys()].map((i) => expected.get(i + 1));
      expect(last).toBeGreaterThan(2 * INDEX_BLOCK);
      expect((await b.getJob(id))?.steps[0]).toMatchObject({ lines: last, produced });
      for (const size of [5000, 333, 97]) expect(await readAll(b, id, 's', size)).toEqual(want);
      // a byte budget that cuts ranges mid-way still reads the rewritten text
      expect(await readAll(b, id, 's', 5000, 20_000)).toEqual(want);
      // a replay leaves every line with its final text (update events of a run repeat lines: idempotent)
      const final = new Map<number, string>();
      await a.complete(id, 'success');
      for (const e of await collect(b, id, null)) if (e.type === 'lines' || e.type === 'update') for (const l of e.lines) final.set(l.n, l.text);
      expect([...Array(last).keys()].map((i) => final.get(i + 1))).toEqual(want);
    });

    it('keeps one update message between two lines messages: a run of redraws deletes the one before', async () => {
      const id = uniqueJobId('nats-run');
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 's', { lines: makeLines(1, 3), produced: 3 });
      for (let i = 1; i <= 20; i++) await a.append(id, 's', { lines: [], updates: [{ n: 3, ts: i, stream: 'out', text: `${i * 5}%` }], produced: 3 + i });
      await a.append(id, 's', { lines: [], updates: [{ n: 1, ts: 1, stream: 'out', text: 'header' }], produced: 24 });
      const subjects = new Subjects(prefix);
      const nc = await connect({ servers: NATS_TEST_URL.replace(/^nats:\/\//, ''), timeout: 5_000 });
      try {
        const jsm = await jetstreamManager(nc, { timeout: 5_000 });
        await expect.poll(async () => (await jsm.streams.info(subjects.logStream, { subjects_filter: subjects.lines(id, 's') })).state.subjects?.[subjects.lines(id, 's')]).toBe(2);
      } finally {
        await nc.close();
      }
      expect((await b.readLines(id, 's', 1, 10)).lines.map((l) => l.text)).toEqual(['header', 'line 2', '100%']);
      // a replay from the start gets the run's one update message: every rewrite of the run
      await a.complete(id, 'success');
      const updates = (await collect(b, id, null)).filter((e) => e.type === 'update');
      expect(updates).toHaveLength(1);
      expect(updates[0]?.lines.map((l) => l.text)).toEqual(['header', '100%']);
    });

    it('stores the raw text in order, in chunks under RAW_CHUNK_BYTES, removed with the job', async () => {
      const id = uniqueJobId('nats-raw');
      await a.putJob(id, {}, TOKEN);
      const big = 'é'.repeat(RAW_CHUNK_BYTES) + '\n';
      const parts = ['one\r\x1b[1A\n', big, 'three\u0000\n'];
      let n = 0;
      for (const raw of parts) {
        n++;
        await (n === 2 ? b : a).append(id, 's', { lines: makeLines(n, n), raw, produced: n });
      }
      const { text, chunks } = await rawText(b, id, 's');
      expect(text).toBe(parts.join(''));
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(RAW_CHUNK_BYTES);
      expect(await rawText(b, id, 'nothing-yet').catch((e: unknown) => e)).toMatchObject({ code: 'not_found' });
      expect(await a.deleteJob(id)).toBe(true);
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 's', { lines: makeLines(1, 1) });
      expect((await rawText(b, id, 's')).chunks).toEqual([]);
    });
  });
}
