import { describe, expect, it } from 'vitest';
import { SCREEN_ROWS, type Line } from '../../contracts';
import { RAW_CHUNK_BYTES, type LogStore, type StoreEvent } from '../types';
import { collectToEnd, collectUntil, expectCode, makeLines, stepOf, uniqueJobId, withPeer, type Suite } from './suite';

/**
 * The terminal screen's store contract (issue 13; types.ts AppendBatch `updates`, `produced`,
 * `raw`; lib/store/plan/screen.ts): updates replace stored text within the step's last
 * SCREEN_ROWS lines and come as one `update` event after the batch's `lines` events; `produced`
 * makes a batch that merged lines idempotent and shows in StepMeta while it differs from the
 * line count; `raw` is kept in order and read back in chunks. A backend that ignores these
 * fields fails here.
 */

const line = (n: number, text: string, stream: Line['stream'] = 'out'): Line => ({ n, ts: 1_700_000_100_000 + n, stream, text });

async function texts(store: LogStore, id: string, step: string, from = 1, limit = 1000): Promise<string[]> {
  return (await store.readLines(id, step, from, limit)).lines.map((l) => l.text);
}

async function stepMeta(store: LogStore, id: string, step: string) {
  return stepOf((await store.getJob(id))?.steps ?? [], step);
}

async function rawOf(store: LogStore, id: string, step: string): Promise<{ text: string; chunks: string[] }> {
  const chunks: string[] = [];
  for await (const chunk of store.readRaw(id, step)) chunks.push(chunk);
  return { text: chunks.join(''), chunks };
}

/** What a viewer holds after applying `events` in order (a `lines` or `update` line replaces line `n`). */
function applyEvents(view: Map<number, string>, events: readonly StoreEvent[], step: string): Map<number, string> {
  for (const event of events) {
    if ((event.type === 'lines' || event.type === 'update') && event.step === step) for (const l of event.lines) view.set(l.n, l.text);
  }
  return view;
}

function asList(view: Map<number, string>): string[] {
  return [...view.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
}

/**
 * A redraw sequence: three lines, then rounds that each rewrite the last two lines (a two-line
 * progress display) and every third round add a line under them; the producer's count grows by
 * one line per round more than the stored one. Returns the final text the store must show.
 */
async function redraw(store: LogStore, id: string, step: string, rounds: number): Promise<string[]> {
  const expected = ['build', 'progress a 0%', 'progress b 0%'];
  await store.append(id, step, { lines: expected.map((text, i) => line(i + 1, text)), produced: 3, raw: `${expected.join('\n')}\n` });
  let produced = 3;
  for (let round = 1; round <= rounds; round++) {
    const last = expected.length;
    const fresh: Line[] = round % 3 === 0 ? [line(last + 1, `done ${round}`, 'err')] : [];
    const updates = [line(last - 1, `progress a ${round * 5}%`), line(last, `progress b ${round * 5}%`)];
    expected[last - 2] = updates[0]!.text;
    expected[last - 1] = updates[1]!.text;
    for (const l of fresh) expected.push(l.text);
    produced += 2 + fresh.length;
    const result = await store.append(id, step, { lines: fresh, updates, produced, raw: `\u001b[2A${updates.map((u) => u.text).join('\n')}\n` });
    expect(result).toEqual({ accepted: fresh.length, duplicates: 0, last: produced, lines: expected.length });
  }
  return expected;
}

export function describeScreen(suite: Suite): void {
  describe('terminal screen: updates, produced, raw', () => {
    it('replaces stored text with updates; readLines and StepMeta show it; one update event follows the lines events', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-update');
      await store.append(id, 's', { lines: makeLines(1, 5), produced: 5 });
      const result = await store.append(id, 's', {
        lines: [line(6, 'six'), line(7, 'seven')],
        updates: [line(3, 'three, redrawn', 'err'), line(5, '\u001b[32mfive, redrawn\u001b[0m')],
        produced: 10,
      });
      expect(result).toEqual({ accepted: 2, duplicates: 0, last: 10, lines: 7 });
      expect(await texts(store, id, 's')).toEqual(['line 1', 'line 2', 'three, redrawn', 'line 4', '\u001b[32mfive, redrawn\u001b[0m', 'six', 'seven']);
      expect((await store.readLines(id, 's', 3, 1)).lines).toEqual([line(3, 'three, redrawn', 'err')]);
      expect(await stepMeta(store, id, 's')).toMatchObject({ lines: 7, produced: 10 });

      await store.complete(id, 'success');
      const events = await collectToEnd(store, id, null);
      const updates = events.filter((e) => e.type === 'update');
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({ type: 'update', step: 's', lines: [line(3, 'three, redrawn', 'err'), line(5, '\u001b[32mfive, redrawn\u001b[0m')] });
      const at = events.indexOf(updates[0]!);
      const linesOfBatch = events.findIndex((e) => e.type === 'lines' && e.lines.some((l) => l.n === 7));
      expect(linesOfBatch).toBeGreaterThanOrEqual(0);
      expect(linesOfBatch).toBeLessThan(at);
      expect(new Set(events.map((e) => e.cursor)).size).toBe(events.length);
    });

    it('takes an update-only batch (no new line): text, produced and ingest state move', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-only');
      await store.append(id, 's', { lines: makeLines(1, 2), produced: 2, state: { v: 1 } });
      const result = await store.append(id, 's', { lines: [], updates: [line(2, 'two again')], produced: 3, state: { v: 2 }, raw: '\rtwo again\n' });
      expect(result).toEqual({ accepted: 0, duplicates: 0, last: 3, lines: 2 });
      expect(await texts(store, id, 's')).toEqual(['line 1', 'two again']);
      expect(await store.getStepState(id, 's')).toEqual({ v: 2 });
      expect(await stepMeta(store, id, 's')).toMatchObject({ lines: 2, produced: 3 });
      // a batch that only moved the producer's count (a cursor move, no text) is stored too
      expect(await store.append(id, 's', { lines: [], produced: 4, state: { v: 3 } })).toEqual({ accepted: 0, duplicates: 0, last: 4, lines: 2 });
      expect(await store.getStepState(id, 's')).toEqual({ v: 3 });
    });

    it('stores nothing of a retry with the same (or an older) produced: lines, updates, state, raw', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-retry');
      await store.append(id, 's', { lines: makeLines(1, 3), produced: 3, state: { v: 1 }, raw: 'a\nb\nc\n' });
      const batch = { lines: [line(4, 'four')], updates: [line(2, 'two, redrawn')], produced: 6, state: { v: 2 }, raw: 'x\u001b[1Ay\nz\n' };
      expect(await store.append(id, 's', batch)).toEqual({ accepted: 1, duplicates: 0, last: 6, lines: 4 });
      const cursor = (await store.getJob(id))?.cursor;
      // the same batch again (its answer was lost), then one with different text and the same produced
      expect(await store.append(id, 's', batch)).toEqual({ accepted: 0, duplicates: 1, last: 6, lines: 4 });
      const changed = { lines: [line(5, 'other')], updates: [line(3, 'other')], produced: 6, state: { v: 9 }, raw: 'other\n' };
      expect(await store.append(id, 's', changed)).toEqual({ accepted: 0, duplicates: 1, last: 6, lines: 4 });
      expect(await store.append(id, 's', { ...changed, produced: 5 })).toEqual({ accepted: 0, duplicates: 1, last: 6, lines: 4 });
      expect((await store.getJob(id))?.cursor).toBe(cursor);
      expect(await texts(store, id, 's')).toEqual(['line 1', 'two, redrawn', 'line 3', 'four']);
      expect(await store.getStepState(id, 's')).toEqual({ v: 2 });
      expect(await stepMeta(store, id, 's')).toMatchObject({ lines: 4, produced: 6 });
      expect((await rawOf(store, id, 's')).text).toBe('a\nb\nc\nx\u001b[1Ay\nz\n');
      await store.complete(id, 'success');
      const events = await collectToEnd(store, id, null);
      expect(events.filter((e) => e.type === 'update')).toHaveLength(1);
    });

    it('refuses a batch whose base is stale, in either mode, before the retry test: nothing of it stored', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-base');
      await store.append(id, 's', { lines: makeLines(1, 3), produced: 3, state: { v: 1 }, raw: 'a\nb\nc\n' });
      // another writer computed from produced 3 and stored first: produced 5, four rows
      expect(await store.append(id, 's', { base: 3, lines: [line(4, 'four')], updates: [line(3, 'three, redrawn')], produced: 5, state: { v: 2 }, raw: 'x\ny\n' })).toEqual({
        accepted: 1,
        duplicates: 0,
        last: 5,
        lines: 4,
      });
      const cursor = (await store.getJob(id))?.cursor;
      const stale = [
        // a redraw batch computed from produced 3: its row 4 is not the stored row 4
        { base: 3, lines: [line(4, 'stale four'), line(5, 'stale five')], updates: [line(3, 'stale three')], produced: 7, state: { v: 9 }, raw: 'stale\n' },
        // its produced not above the step's: a retry by that rule, but computed from another state
        { base: 2, lines: [line(3, 'stale')], produced: 4, state: { v: 9 }, raw: 'stale\n' },
        { mode: 'end' as const, base: 3, lines: [line(0, 'stale end')], updates: [line(4, 'stale four')], produced: 6, state: { v: 9 }, raw: 'stale\n' },
        { mode: 'end' as const, base: 4, lines: [line(0, 'stale end')], produced: 5, state: { v: 9 }, raw: 'stale\n' },
        // without produced, base names the line count
        { base: 5, lines: [line(5, 'stale five')], state: { v: 9 } },
      ];
      for (const batch of stale) {
        const error = await expectCode(store.append(id, 's', batch), 'conflict');
        expect(error.details).toMatchObject({ last: batch.produced === undefined ? 4 : 5 });
      }
      expect((await store.getJob(id))?.cursor).toBe(cursor);
      expect(await texts(store, id, 's')).toEqual(['line 1', 'line 2', 'three, redrawn', 'four']);
      expect(await store.getStepState(id, 's')).toEqual({ v: 2 });
      expect(await stepMeta(store, id, 's')).toMatchObject({ lines: 4, produced: 5 });
      expect((await rawOf(store, id, 's')).text).toBe('a\nb\nc\nx\ny\n');
      // the fresh base is taken, in either mode
      expect(await store.append(id, 's', { base: 5, lines: [line(5, 'five')], updates: [line(4, 'four, redrawn')], produced: 7, state: { v: 3 }, raw: 'z\n' })).toEqual({
        accepted: 1,
        duplicates: 0,
        last: 7,
        lines: 5,
      });
      expect(await store.append(id, 's', { mode: 'end', base: 7, lines: [line(0, 'six')], produced: 8, state: { v: 4 }, raw: 'six\n' })).toEqual({ accepted: 1, duplicates: 0, last: 8, lines: 6 });
      expect(await store.append(id, 's', { base: 6, lines: [line(7, 'seven')], state: { v: 5 } })).toEqual({ accepted: 1, duplicates: 0, last: 9, lines: 7 });
      expect(await texts(store, id, 's')).toEqual(['line 1', 'line 2', 'three, redrawn', 'four, redrawn', 'five', 'six', 'seven']);
      expect(await store.getStepState(id, 's')).toEqual({ v: 5 });
    });

    it('keeps produced idempotent across instances', async (context) => {
      await withPeer(suite, context, async (peer) => {
        const { store } = suite;
        const id = await suite.newJob('screen-peer');
        await store.append(id, 's', { lines: makeLines(1, 3), produced: 3 });
        const batch = { lines: [line(4, 'four')], updates: [line(3, 'three, redrawn')], produced: 7 };
        const results = await Promise.all([store.append(id, 's', batch), peer.append(id, 's', batch)]);
        expect(results.map((r) => r.accepted).sort()).toEqual([0, 1]);
        expect(await texts(peer, id, 's')).toEqual(['line 1', 'line 2', 'three, redrawn', 'four']);
        expect(await stepMeta(peer, id, 's')).toMatchObject({ lines: 4, produced: 7 });
      });
    });

    it('refuses updates outside the screen, out of order or malformed: bad_request, nothing of the batch stored', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-bounds');
      const last = SCREEN_ROWS + 50;
      await store.append(id, 's', { lines: makeLines(1, last), produced: last, state: { v: 1 }, raw: 'r\n' });
      await expectCode(store.append(id, 'empty', { lines: [], updates: [line(1, 'x')], produced: 1 }), 'bad_request');
      const bad: Line[][] = [
        [line(last - SCREEN_ROWS, 'just above the screen')],
        [line(1, 'far above')],
        [line(last + 1, 'not stored yet')],
        [line(last, 'b'), line(last - 1, 'a')],
        [line(last, 'twice'), line(last, 'twice')],
        [{ n: 0, ts: 1, stream: 'out', text: 'zero' }],
        [{ n: last, ts: 1, stream: 'nope', text: 'bad stream' } as unknown as Line],
        [{ n: last, ts: 1, stream: 'out', text: 42 } as unknown as Line],
      ];
      for (const updates of bad) {
        await expectCode(store.append(id, 's', { lines: [line(last + 1, 'new')], updates, produced: last + 2, state: { v: 2 }, raw: 'bad\n' }), 'bad_request');
      }
      const range = await store.readLines(id, 's', 1, 5000);
      expect(range.last).toBe(last);
      expect(range.lines).toEqual(makeLines(1, last));
      expect(await store.getStepState(id, 's')).toEqual({ v: 1 });
      expect((await stepMeta(store, id, 's')).produced).toBeUndefined();
      expect((await rawOf(store, id, 's')).text).toBe('r\n');
      // the screen's first line is taken
      const low = last - SCREEN_ROWS + 1;
      expect(await store.append(id, 's', { lines: [], updates: [line(low, 'top of the screen'), line(last, 'bottom')], produced: last + 1 })).toEqual({ accepted: 0, duplicates: 0, last: last + 1, lines: last });
      expect(await texts(store, id, 's', low - 1, 2)).toEqual([`line ${low - 1}`, 'top of the screen']);
      expect(await texts(store, id, 's', last, 1)).toEqual(['bottom']);
    });

    it('shows produced in StepMeta only while it differs from the line count', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-produced');
      await store.append(id, 's', { lines: makeLines(1, 4), produced: 4 });
      expect('produced' in (await stepMeta(store, id, 's'))).toBe(false);
      await store.append(id, 's', { lines: [line(5, 'five')], updates: [line(4, 'four!')], produced: 7 });
      expect(await stepMeta(store, id, 's')).toMatchObject({ lines: 5, produced: 7 });
      // the counts meet again: produced is dropped
      await store.append(id, 's', { lines: makeLines(6, 9), produced: 9 });
      expect('produced' in (await stepMeta(store, id, 's'))).toBe(false);
      // a batch without produced keeps the producer's numbering as it was
      await store.append(id, 's', { lines: [line(10, 'ten')], updates: [line(9, 'nine!')], produced: 12 });
      await store.append(id, 's', { lines: makeLines(11, 12) });
      expect(await stepMeta(store, id, 's')).toMatchObject({ lines: 12, produced: 14 });
    });

    it('replays updates from every cursor of a redraw sequence to the live watcher\'s final text', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-resume');
      const controller = new AbortController();
      const live = store.subscribe(id, null, controller.signal)[Symbol.asyncIterator]();
      const watched = collectUntil(live, (events) => events[events.length - 1]?.type === 'end');
      const expected = await redraw(store, id, 'p', 24);
      await store.complete(id, 'success');
      const liveEvents = await watched;
      controller.abort();

      expect(await texts(store, id, 'p')).toEqual(expected);
      expect(asList(applyEvents(new Map(), liveEvents, 'p'))).toEqual(expected);
      expect(liveEvents.filter((e) => e.type === 'update')).toHaveLength(24);

      const all = await collectToEnd(store, id, null);
      expect(asList(applyEvents(new Map(), all, 'p'))).toEqual(expected);
      // an update names only lines already delivered before it
      let delivered = 0;
      for (const event of all) {
        if (event.type === 'lines') delivered = Math.max(delivered, ...event.lines.map((l) => l.n));
        if (event.type === 'update') for (const l of event.lines) expect(l.n).toBeLessThanOrEqual(delivered);
      }
      for (let i = 0; i < all.length; i++) {
        const view = applyEvents(new Map(), all.slice(0, i + 1), 'p');
        const rest = await collectToEnd(store, id, all[i]?.cursor ?? null);
        expect(asList(applyEvents(view, rest, 'p'))).toEqual(expected);
      }
    });

    it('stores an update\'s text as given (masking is ingest\'s job)', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-mask');
      await store.append(id, 's', { lines: makeLines(1, 2), produced: 2, masksVersion: 0 });
      await store.addMasks(id, ['s3cr3t']);
      await store.append(id, 's', { lines: [], updates: [line(2, 'token ***')], produced: 3, masksVersion: 1 });
      expect(await texts(store, id, 's')).toEqual(['line 1', 'token ***']);
      // an update masked with fewer masks than the job has is refused like any stale append
      await expectCode(store.append(id, 's', { lines: [], updates: [line(2, 'token s3cr3t')], produced: 4, masksVersion: 0 }), 'conflict');
      expect(await texts(store, id, 's')).toEqual(['line 1', 'token ***']);
    });

    it('round-trips raw text in order across many batches, in bounded chunks; deletion removes it', async () => {
      const { store } = suite;
      const id = await suite.newJob('screen-raw');
      await store.append(id, 'none', { lines: makeLines(1, 2) });
      expect((await rawOf(store, id, 'none')).chunks).toEqual([]);
      const parts: string[] = [];
      let n = 0;
      for (let batch = 0; batch < 60; batch++) {
        const texts = Array.from({ length: 40 }, (_, i) => `b${batch} l${i} ${'✓ ünï \u001b[1A\r'.repeat(batch % 5)}${'x'.repeat(120)}`);
        const raw = `${texts.join('\n')}\n`;
        parts.push(raw);
        const lines = texts.map((text) => line(++n, text));
        await store.append(id, 's', { lines, produced: n, raw });
      }
      const expected = parts.join('');
      expect(expected.length).toBeGreaterThan(RAW_CHUNK_BYTES);
      const { text, chunks } = await rawOf(store, id, 's');
      expect(text.length).toBe(expected.length); // a short message before the long diff
      expect(text === expected).toBe(true);
      expect(chunks.length).toBeGreaterThan(1);
      for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(RAW_CHUNK_BYTES * 2);
      // a consumer may stop early
      for await (const chunk of store.readRaw(id, 's')) {
        expect(expected.startsWith(chunk)).toBe(true);
        break;
      }
      expect((await store.readLines(id, 's', 1, 1)).lines[0]?.text).toBe(parts[0]?.split('\n')[0]);

      await store.deleteJob(id);
      const again = await store.putJob(id, {}, { tokenHash: 'c'.repeat(64) });
      expect(again.created).toBe(true);
      await store.append(id, 's', { lines: [line(1, 'new')], produced: 1 });
      expect((await rawOf(store, id, 's')).text).toBe('');
    });

    it('keeps raw text separate per step and across a retry without produced', async () => {
      const { store } = suite;
      const id = uniqueJobId('screen-raw-steps');
      await store.putJob(id, {}, { tokenHash: 'd'.repeat(64) });
      await store.append(id, 'a', { lines: makeLines(1, 2), raw: 'line 1\nline 2\n' });
      await store.append(id, 'b', { lines: makeLines(1, 1), raw: 'B\n' });
      // a retry by line number (no produced) stores no raw text either
      await store.append(id, 'a', { lines: makeLines(1, 2), raw: 'line 1\nline 2\n' });
      await store.append(id, 'a', { lines: makeLines(3, 3), raw: 'line 3\n' });
      expect((await rawOf(store, id, 'a')).text).toBe('line 1\nline 2\nline 3\n');
      expect((await rawOf(store, id, 'b')).text).toBe('B\n');
    });
  });
}
