import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Line } from '../contracts';
import { lineBytes } from '../limits';
import { readLinesWithin } from './read-range';
import type { LogStore } from './types';
import { storeBackends } from '../../test/support/backends';

const KiB = 1024;
/** `size` characters: multi-byte in the big lines (bytes, not characters, are counted), ASCII in the small ones */
const line = (n: number, size: number, pad = 'ü'): Line => ({ n, ts: 1000 + n, stream: 'out', text: `${String(n).padStart(5, '0')} `.padEnd(size, pad) });

/** The byte-budgeted range read, against each backend that can be reached here. */
const backends = storeBackends('range');

for (const backend of backends) {
  const reachable = await backend.reachable();
  describe.skipIf(!reachable)(`readLinesWithin (${backend.name})`, () => {
    let store: LogStore;
    let cleanup: () => Promise<void>;
    const job = `range-${Date.now()}`;
    beforeAll(async () => {
      ({ store, cleanup } = await backend.open());
      await store.putJob(job, { title: 'range' }, { tokenHash: 'e'.repeat(64) });
      await store.append(job, 'big', { lines: Array.from({ length: 30 }, (_, i) => line(i + 1, 10 * KiB)) });
      await store.append(job, 'small', { lines: Array.from({ length: 1200 }, (_, i) => line(i + 1, 40, '.')) });
    });
    afterAll(async () => cleanup?.());

    it('shrinks the range to the byte budget and says where to go on', async () => {
      const per = lineBytes(line(1, 10 * KiB).text);
      const range = await readLinesWithin(store, job, 'big', 3, 100, per * 4 + 10);
      expect(range.lines.map((l) => l.n)).toEqual([3, 4, 5, 6]);
      expect(range).toMatchObject({ last: 30, truncated: true, next: 7 });
      const rest = await readLinesWithin(store, job, 'big', 27, 100, per * 4 + 10);
      expect(rest.lines.map((l) => l.n)).toEqual([27, 28, 29, 30]);
      expect(rest.truncated).toBeUndefined();
      expect(rest.next).toBeUndefined();
    });

    it('always sends one line, even larger than the budget', async () => {
      const range = await readLinesWithin(store, job, 'big', 30, 5, 100);
      expect(range.lines.map((l) => l.n)).toEqual([30]);
      expect(range.truncated).toBeUndefined();
      const cut = await readLinesWithin(store, job, 'big', 1, 5, 100);
      expect(cut.lines.map((l) => l.n)).toEqual([1]);
      expect(cut).toMatchObject({ truncated: true, next: 2 });
    });

    it('stops mid-range across index blocks, and a range that fits is whole', async () => {
      const per = lineBytes(line(1, 40, '.').text);
      const range = await readLinesWithin(store, job, 'small', 950, 300, per * 120);
      expect(range.lines.map((l) => l.n)).toEqual(Array.from({ length: 120 }, (_, i) => 950 + i));
      expect(range).toMatchObject({ truncated: true, next: 1070 });
      const whole = await readLinesWithin(store, job, 'small', 1, 1200, 4 * 1024 * KiB);
      expect(whole.lines).toHaveLength(1200);
      expect(whole.truncated).toBeUndefined();
    });
  });
}
