import { describe, expect, it } from 'vitest';
import type { Line } from '../../contracts';
import { eachTempFileStore } from '../../../test/support/temp-file-store';
import type { LogStore, StoreEvent } from '../types';
import { RecentEvents } from './subscribe';
import type { JournalRecord } from './journal';

let store: LogStore;
eachTempFileStore('subscribe', (opened) => (store = opened));

const lines = (from: number, count: number): Line[] =>
  Array.from({ length: count }, (_, i) => ({ n: from + i, ts: 1000 + from + i, stream: 'out' as const, text: `line ${from + i} \u001b[31mred\u001b[0m` }));

describe('file store live hand-off (RecentEvents)', () => {
  it('gives a live subscriber exactly the events a replay from the files gives', async () => {
    await store.putJob('j', { title: 'j' }, { tokenHash: 'x' });
    const start = (await store.getJob('j'))?.cursor ?? null;
    const controller = new AbortController();
    const live: StoreEvent[] = [];
    const reading = (async () => {
      for await (const event of store.subscribe('j', start, controller.signal)) {
        live.push(event);
        if (event.type === 'end') break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 10; i++) await store.append('j', i % 2 ? 'a' : 'b', { lines: lines(Math.floor(i / 2) * 3 + 1, 3) });
    await store.complete('j', 'success');
    await reading;
    const replayed: StoreEvent[] = [];
    for await (const event of store.subscribe('j', start, controller.signal)) replayed.push(event);
    expect(live).toEqual(replayed);
    expect(live.at(-1)?.type).toBe('end');
  });

  it('keeps events only for jobs with a subscriber, within its byte budget, and forgets them when the last one leaves', () => {
    const recent = new RecentEvents(4096, 100);
    const record = (from: number, to: number): JournalRecord => ({ t: 'lines', step: 's', from, to });
    const batch = lines(1, 10);
    recent.add('a', 0, [record(1, 10)], ['x'.repeat(40)], batch);
    expect(recent.take('a', 0)).toBeUndefined();
    const leave = recent.subscribe('a');
    recent.add('a', 0, [record(1, 5), record(6, 10)], ['x'.repeat(40), 'y'.repeat(40)], batch);
    expect(recent.take('a', 0)?.next).toBe(40);
    const second = recent.take('a', 40);
    expect(second?.event).toMatchObject({ type: 'lines', cursor: '80', step: 's' });
    expect(second?.event.type === 'lines' && second.event.lines.map((l) => l.n)).toEqual([6, 7, 8, 9, 10]);
    // past the budget the oldest go
    for (let i = 0; i < 100; i++) recent.add('a', 80 + i * 40, [record(1, 10)], ['z'.repeat(40)], batch);
    expect(recent.size).toBeLessThanOrEqual(4096);
    expect(recent.take('a', 0)).toBeUndefined();
    leave();
    expect(recent.size).toBe(0);
  });
});
