import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../ansi/plain';
import { SCREEN_ROWS } from '../contracts';
import type { LogStore, StoreEvent } from '../store/types';
import { forgetWriteState, swapWriteStates, writeLines, type WriteLinesInput, type WriteStates } from './line-writer';
import { storeBackends } from '../../test/support/backends';

/**
 * The write path with the terminal screen (issue 13), on every backend reachable here: producer
 * numbers vs stored rows, retries mid-redraw, gaps, raw (text/plain) producers, AppendResult.
 */
const backends = storeBackends('screen-writer');

const encoder = new TextEncoder();
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(encoder.encode(chunk));
      c.close();
    },
  });
}
const ndjson = (records: { n: number; text: string }[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** A docker-pull-like display: two layer rows, each redrawn by moving up to it. */
const PULL = [
  'layer a: waiting',
  'layer b: waiting',
  '\x1b[2A\x1b[2Klayer a: 50%',
  '\x1b[2Klayer b: 10%',
  '\x1b[2A\x1b[2Klayer a: done',
  '\x1b[2Klayer b: done',
  'pulled',
].map((text, i) => ({ n: i + 1, text }));
const PULL_ROWS = ['layer a: done', 'layer b: done', 'pulled'];

for (const backend of backends) {
  const reachable = await backend.reachable();
  describe.skipIf(!reachable)(`writeLines with the terminal screen (${backend.name})`, () => {
    let store: LogStore;
    let cleanup: () => Promise<void>;
    let seq = 0;
    beforeAll(async () => {
      ({ store, cleanup } = await backend.open());
    });
    afterAll(async () => {
      await cleanup();
    });

    const newJob = async () => {
      const id = `sw-${++seq}-${Date.now()}`;
      await store.putJob(id, {}, { tokenHash: 'x'.repeat(64) });
      return id;
    };
    const input = (jobId: string, b: ReadableStream<Uint8Array>, extra: Partial<WriteLinesInput> = {}): WriteLinesInput => ({
      jobId,
      stepId: 'pull',
      body: b,
      format: 'ndjson',
      stream: 'out',
      maxBodyBytes: 1 << 24,
      now: () => 7,
      ...extra,
    });
    const shown = async (jobId: string) => (await store.readLines(jobId, 'pull', 1, 5000)).lines.map((l) => plainText(l.text));
    const stepMeta = async (jobId: string) => (await store.getJob(jobId))?.steps.find((s) => s.id === 'pull');

    it('stores what the terminal finally showed and answers the producer number as `last`, the rows as `lines`', async () => {
      const jobId = await newJob();
      expect(await writeLines(store, input(jobId, body(ndjson(PULL))))).toEqual({ accepted: 7, duplicates: 0, last: 7, lines: 3 });
      expect(await shown(jobId)).toEqual(PULL_ROWS);
      expect(await stepMeta(jobId)).toMatchObject({ lines: 3, produced: 7 });
    });

    it('leaves a plain log numbered as produced, without `lines` in the answer or `produced` on the step', async () => {
      const jobId = await newJob();
      const plain = [1, 2, 3].map((n) => ({ n, text: `\x1b[32mline ${n}\x1b[0m\r` }));
      const result = await writeLines(store, input(jobId, body(ndjson(plain))));
      expect(result).toEqual({ accepted: 3, duplicates: 0, last: 3 });
      expect('lines' in result).toBe(false);
      expect((await stepMeta(jobId))?.produced).toBeUndefined();
    });

    it('is idempotent for a numbered producer retrying in the middle of a redraw', async () => {
      const jobId = await newJob();
      // the first request stops after the cursor went up (row 1 rewritten, row 2 not yet)
      expect(await writeLines(store, input(jobId, body(ndjson(PULL.slice(0, 3)))))).toEqual({ accepted: 3, duplicates: 0, last: 3, lines: 2 });
      expect(await shown(jobId)).toEqual(['layer a: 50%', 'layer b: waiting']);
      // the producer did not see the answer and resends from line 2, then more
      expect(await writeLines(store, input(jobId, body(ndjson(PULL.slice(1, 5)))))).toEqual({ accepted: 2, duplicates: 2, last: 5, lines: 2 });
      // a server that lost its cached state (another server, a restart) gets the whole log again
      forgetWriteState(jobId);
      expect(await writeLines(store, input(jobId, body(ndjson(PULL))))).toEqual({ accepted: 2, duplicates: 5, last: 7, lines: 3 });
      forgetWriteState(jobId);
      expect(await writeLines(store, input(jobId, body(ndjson(PULL))))).toEqual({ accepted: 0, duplicates: 7, last: 7, lines: 3 });
      expect(await shown(jobId)).toEqual(PULL_ROWS);
      // the same rows as one request of the whole log
      const once = await newJob();
      await writeLines(store, input(once, body(ndjson(PULL))));
      expect((await store.readLines(jobId, 'pull', 1, 10)).lines.map((l) => l.text)).toEqual((await store.readLines(once, 'pull', 1, 10)).lines.map((l) => l.text));
      // raw text holds every producer line once, in order
      let raw = '';
      for await (const chunk of store.readRaw(jobId, 'pull')) raw += chunk;
      expect(raw).toBe(PULL.map((l) => `${l.text}\n`).join(''));
    });

    it('checks gaps by producer number, not by row', async () => {
      const jobId = await newJob();
      await writeLines(store, input(jobId, body(ndjson(PULL.slice(0, 5)))));
      // 2 rows, 5 producer lines: line 3 is a duplicate, 7 is a gap after 5
      expect(await writeLines(store, input(jobId, body(ndjson([PULL[2]!]))))).toEqual({ accepted: 0, duplicates: 1, last: 5, lines: 2 });
      await expect(writeLines(store, input(jobId, body(ndjson([PULL[6]!]))))).rejects.toMatchObject({ code: 'line_gap', details: { expected: 6 } });
      expect(await shown(jobId)).toEqual(['layer a: done', 'layer b: 10%']);
    });

    it('lets a raw producer (text/plain without first) draw a progress display across requests', async () => {
      const jobId = await newJob();
      const up = '\x1b[1A\x1b[2K';
      const first = await writeLines(
        store,
        input(jobId, body('fetching\n', `${up}fetching 10%\n${up}fetch`, `ing 60%\n`), { format: 'text' }),
      );
      expect(first).toEqual({ accepted: 3, duplicates: 0, last: 3, lines: 1 });
      const second = await writeLines(store, input(jobId, body(`${up}fetching 100%\n`, 'unpacking\n'), { format: 'text' }));
      expect(second).toEqual({ accepted: 2, duplicates: 0, last: 5, lines: 2 });
      expect(await shown(jobId)).toEqual(['fetching 100%', 'unpacking']);
      // a numbered producer continues after the producer number, not the rows
      forgetWriteState(jobId);
      expect(await writeLines(store, input(jobId, body('done\n'), { format: 'text', first: 6 }))).toEqual({ accepted: 1, duplicates: 0, last: 6, lines: 3 });
      let raw = '';
      for await (const chunk of store.readRaw(jobId, 'pull')) raw += chunk;
      expect(raw).toBe(`fetching\n${up}fetching 10%\n${up}fetching 60%\n${up}fetching 100%\nunpacking\ndone\n`);
    });

    it('lands an `end` batch written against a producer number another server has passed', async () => {
      const jobId = await newJob();
      expect(await writeLines(store, input(jobId, body('a\nb\n'), { format: 'text' }))).toEqual({ accepted: 2, duplicates: 0, last: 2 });
      // another server appends producer line 3 meanwhile: this server's cached state says 2
      await store.append(jobId, 'pull', { mode: 'end', base: 2, lines: [{ n: 3, ts: 7, stream: 'out', text: 'elsewhere' }], produced: 3, raw: 'elsewhere\n' });
      expect(await writeLines(store, input(jobId, body('c\n'), { format: 'text' }))).toEqual({ accepted: 1, duplicates: 0, last: 4 });
      expect(await shown(jobId)).toEqual(['a', 'b', 'elsewhere', 'c']);
    });

    it('re-ingests a redraw batch a server computed from a stale cached state (two servers, one store)', async () => {
      /** Runs `write` as the other server: its own write-state cache, this server's put back after. */
      let otherCache: WriteStates = new Map();
      const onOther = async <T>(write: () => Promise<T>): Promise<T> => {
        const mine = swapWriteStates(otherCache);
        try {
          return await write();
        } finally {
          otherCache = swapWriteStates(mine);
        }
      };
      const rawText = async (jobId: string) => {
        let raw = '';
        for await (const chunk of store.readRaw(jobId, 'pull')) raw += chunk;
        return raw;
      };
      const up = '\x1b[1A\x1b[2K';

      // numbered: this server caches producer line 2; the other stores line 3 (a new row)
      const numbered = await newJob();
      await writeLines(store, input(numbered, body(ndjson(PULL.slice(0, 2)))));
      expect(await onOther(() => writeLines(store, input(numbered, body(ndjson([{ n: 3, text: 'pulling' }])))))).toEqual({ accepted: 1, duplicates: 0, last: 3 });
      // the producer resends line 3 here with line 4, which redraws row 3: computed from the
      // cached state, row 3 would be a new row (taken by the store for a duplicate) and line 4 lost
      expect(await writeLines(store, input(numbered, body(ndjson([{ n: 3, text: 'pulling' }, { n: 4, text: `${up}pulled` }]))))).toEqual({
        accepted: 1,
        duplicates: 1,
        last: 4,
        lines: 3,
      });
      expect(await shown(numbered)).toEqual(['layer a: waiting', 'layer b: waiting', 'pulled']);
      expect(await rawText(numbered)).toBe(`layer a: waiting\nlayer b: waiting\npulling\n${up}pulled\n`);
      // and the other server, whose cache is now stale, continues the redraw right
      expect(await onOther(() => writeLines(store, input(numbered, body(ndjson([{ n: 5, text: `${up}pulled!` }, { n: 6, text: 'done' }])))))).toEqual({
        accepted: 2,
        duplicates: 0,
        last: 6,
        lines: 4,
      });
      expect(await shown(numbered)).toEqual(['layer a: waiting', 'layer b: waiting', 'pulled!', 'done']);
      // this server's cache says 4: line 7 is no gap after the store's 6
      expect(await writeLines(store, input(numbered, body(ndjson([{ n: 7, text: `${up}done.` }]))))).toEqual({ accepted: 1, duplicates: 0, last: 7, lines: 4 });
      expect(await shown(numbered)).toEqual(['layer a: waiting', 'layer b: waiting', 'pulled!', 'done.']);
      await expect(writeLines(store, input(numbered, body(ndjson([{ n: 9, text: 'gap' }]))))).rejects.toMatchObject({ code: 'line_gap', details: { expected: 8 } });

      // end mode (text/plain without first): both servers append a progress display's redraws
      const atEnd = await newJob();
      const text = (chunk: string) => input(atEnd, body(chunk), { format: 'text' });
      expect(await writeLines(store, text('fetching\n'))).toEqual({ accepted: 1, duplicates: 0, last: 1 });
      expect(await onOther(() => writeLines(store, text(`${up}fetching 50%\n`)))).toEqual({ accepted: 1, duplicates: 0, last: 2, lines: 1 });
      // this server's cache says produced 1, one row: the batch is refused as stale, not dropped as a retry
      expect(await writeLines(store, text(`${up}fetching 100%\nunpacking\n`))).toEqual({ accepted: 2, duplicates: 0, last: 4, lines: 2 });
      expect(await onOther(() => writeLines(store, text(`${up}unpacked\n`)))).toEqual({ accepted: 1, duplicates: 0, last: 5, lines: 2 });
      expect(await shown(atEnd)).toEqual(['fetching 100%', 'unpacked']);
      expect(await rawText(atEnd)).toBe(`fetching\n${up}fetching 50%\n${up}fetching 100%\nunpacking\n${up}unpacked\n`);
      forgetWriteState(numbered);
      forgetWriteState(atEnd);
    });

    it('emits the rewritten rows as one `update` event after the new rows', async () => {
      const jobId = await newJob();
      await writeLines(store, input(jobId, body(ndjson(PULL.slice(0, 2)))));
      const after = (await store.getJob(jobId))!.cursor;
      await writeLines(store, input(jobId, body(ndjson(PULL.slice(2, 4)))));
      await store.complete(jobId, 'success');
      const events: StoreEvent[] = [];
      for await (const event of store.subscribe(jobId, after, new AbortController().signal)) {
        events.push(event);
        if (event.type === 'end') break;
      }
      const updates = events.filter((e) => e.type === 'update');
      expect(updates).toHaveLength(1);
      expect(updates[0]!.type === 'update' && updates[0]!.lines.map((l) => [l.n, plainText(l.text)])).toEqual([
        [1, 'layer a: 50%'],
        [2, 'layer b: 10%'],
      ]);
      expect(events.filter((e) => e.type === 'lines')).toHaveLength(0);
    });

    it('reads only the screen: a cursor far up stops at the screen top, rows above it stay final', async () => {
      const jobId = await newJob();
      const many = Array.from({ length: SCREEN_ROWS + 50 }, (_, i) => ({ n: i + 1, text: `row ${i + 1}` }));
      await writeLines(store, input(jobId, body(ndjson(many))));
      const n = many.length + 1;
      expect(await writeLines(store, input(jobId, body(ndjson([{ n, text: '\x1b[999999999A\x1b[2Ktop of screen' }]))))).toMatchObject({ last: n });
      const rows = await shown(jobId);
      expect(rows.slice(0, 50)).toEqual(many.slice(0, 50).map((l) => l.text));
      expect(rows).toContain('top of screen');
      expect(rows.indexOf('top of screen')).toBeGreaterThanOrEqual(50);
    });
  });
}
