import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Line } from '../contracts';
import type { LogStore } from '../store/types';
import { searchAll } from './global-search';
import { searchJob } from './job-search';
import { inThreadRunner } from './pool';
import { storeBackends } from '../../test/support/backends';

/**
 * Search sees each line's current text (issue 13): lines a terminal redraw rewrote (AppendBatch
 * updates, as lib/writes/line-writer.ts appends them) match by what they show now, on every
 * backend reachable here: the file store's sidecars, PostgreSQL's index (global literal search)
 * and the range scan (NATS, and every regex).
 */
const backends = storeBackends('screen-search');

const line = (n: number, text: string): Line => ({ n, ts: 1_700_000_000_000 + n, stream: 'out', text });
const opts = (q: string, regex = false) => ({ q, regex, caseSensitive: false, limit: 200 });

for (const backend of backends) {
  const reachable = await backend.reachable();
  describe.skipIf(!reachable)(`search after line updates (${backend.name})`, () => {
    let store: LogStore;
    let cleanup: () => Promise<void>;
    const job = `screen-search-${Date.now()}`;
    beforeAll(async () => {
      ({ store, cleanup } = await backend.open());
      await store.putJob(job, { title: 'pull' }, { tokenHash: 'e'.repeat(64) });
      // 300 filler lines, then a two-row progress display
      await store.append(job, 'pull', { lines: Array.from({ length: 300 }, (_, i) => line(i + 1, `filler ${i + 1}`)) });
      await store.append(job, 'pull', { lines: [line(301, 'layer a: waiting'), line(302, 'layer b: waiting')], produced: 302, raw: 'layer a: waiting\nlayer b: waiting\n' });
    });
    afterAll(async () => {
      await cleanup();
    });

    it('a live search asked again counts the rewritten lines anew', async () => {
      const before = await searchJob(store, job, opts('waiting'), undefined, inThreadRunner);
      expect(before.matches.map((m) => m.n)).toEqual([301, 302]);
      expect(before.total).toBe(2);
      // the producer moves up two rows and redraws both (no new row)
      await store.append(job, 'pull', {
        lines: [],
        updates: [line(301, '\x1b[32mlayer a: done\x1b[0m'), line(302, 'layer b: 40%')],
        produced: 304,
        raw: '\x1b[2A\x1b[2K\x1b[32mlayer a: done\x1b[0m\n\x1b[2Klayer b: 40%\n',
      });
      const after = await searchJob(store, job, opts('waiting'), undefined, inThreadRunner);
      expect(after.total).toBe(0);
      expect(after.matches).toEqual([]);
      const done = await searchJob(store, job, { ...opts('a: done'), lines: true }, undefined, inThreadRunner);
      expect(done.matches.map((m) => [m.n, m.ranges])).toEqual([[301, [[6, 13]]]]);
      expect(done.matches[0]?.line?.text).toContain('layer a: done');
      const regex = await searchJob(store, job, opts('layer [ab]: \\d+%', true), undefined, inThreadRunner);
      expect(regex.matches.map((m) => m.n)).toEqual([302]);
    });

    it('global search (the index on PostgreSQL, the scan elsewhere) sees the current text too', async () => {
      await store.append(job, 'pull', { lines: [], updates: [line(302, 'layer b: extracted')], produced: 305, raw: '\x1b[1A\x1b[2Klayer b: extracted\n' });
      const current = await searchAll(store, opts('extracted'), undefined, inThreadRunner);
      expect(current.matches.map((m) => [m.job, m.n])).toEqual([[job, 302]]);
      const gone = await searchAll(store, opts('layer b: 40%'), undefined, inThreadRunner);
      expect(gone.matches).toEqual([]);
      const stale = await searchAll(store, opts('waiting'), undefined, inThreadRunner);
      expect(stale.total).toBe(0);
    });
  });
}
