import { describe, expect, it } from 'vitest';
import type { Line } from '../contracts';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import type { LogStore, StoreEvent } from '../store/types';
import { LiveHub } from './hub';
import { watch } from './test-sse-events';

let store: LogStore;
let seq = 0;
eachTempFileStore('hub', (opened) => (store = opened));

const lines = (from: number, count: number): Line[] =>
  Array.from({ length: count }, (_, i) => ({ n: from + i, ts: 1000 + from + i, stream: 'out' as const, text: `line ${from + i}` }));

async function newJob(): Promise<string> {
  const id = `hub-${++seq}`;
  await store.putJob(id, { title: id }, { tokenHash: 'x' });
  return id;
}

/** Collects events until `until` says stop, or the iterator ends. */
async function collect(iter: AsyncIterable<StoreEvent>, until: (events: StoreEvent[]) => boolean = () => false) {
  const events: StoreEvent[] = [];
  for await (const event of iter) {
    events.push(event);
    if (until(events)) break;
  }
  return events;
}

const lineNumbers = (events: StoreEvent[]) => events.flatMap((e) => (e.type === 'lines' ? e.lines.map((l) => l.n) : []));
const until = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LiveHub', () => {
  it('serves many viewers of a live job from one store subscription', async () => {
    const jobId = await newJob();
    await store.append(jobId, 'build', { lines: lines(1, 3) });
    const hub = new LiveHub(store);
    const controller = new AbortController();
    const viewers = Array.from({ length: 5 }, () => collect(watch(hub, jobId, null, controller.signal), (e) => e.some((x) => x.type === 'end')));
    await until(50);
    expect(hub.feedCount).toBe(1);
    expect(hub.viewerCount(jobId)).toBe(5);
    await store.append(jobId, 'build', { lines: lines(4, 2) });
    await store.complete(jobId, 'success');
    for (const events of await Promise.all(viewers)) {
      expect(lineNumbers(events)).toEqual([1, 2, 3, 4, 5]);
      expect(events.at(-1)?.type).toBe('end');
    }
    controller.abort();
  });

  it('resumes from every cursor with nothing lost or repeated, live and after completion', async () => {
    const jobId = await newJob();
    for (let i = 0; i < 6; i++) await store.append(jobId, 'build', { lines: lines(i * 2 + 1, 2) });
    const hub = new LiveHub(store);
    const controller = new AbortController();
    const all = collect(watch(hub, jobId, null, controller.signal), (e) => e.some((x) => x.type === 'end'));
    await until(20);
    await store.append(jobId, 'build', { lines: lines(13, 2) });
    await store.complete(jobId, 'failure');
    const events = await all;
    expect(lineNumbers(events)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    for (let k = 0; k < events.length; k++) {
      const rest = await collect(watch(hub, jobId, events[k]!.cursor, controller.signal));
      expect(rest.map((e) => e.cursor)).toEqual(events.slice(k + 1).map((e) => e.cursor).concat(k === events.length - 1 ? [events[k]!.cursor] : []));
      expect(rest.at(-1)?.type).toBe('end');
    }
    controller.abort();
  });

  it('lets a viewer that starts far behind catch up and then follow live', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store);
    const controller = new AbortController();
    // A first viewer starts the feed at the job's current cursor.
    const first = collect(watch(hub, jobId, null, controller.signal), (e) => e.some((x) => x.type === 'end'));
    await until(20);
    for (let i = 0; i < 50; i++) await store.append(jobId, 'build', { lines: lines(i * 10 + 1, 10) });
    const late = collect(watch(hub, jobId, null, controller.signal), (e) => e.some((x) => x.type === 'end'));
    for (let i = 50; i < 60; i++) await store.append(jobId, 'build', { lines: lines(i * 10 + 1, 10) });
    await store.complete(jobId, 'success');
    const expected = Array.from({ length: 600 }, (_, i) => i + 1);
    expect(lineNumbers(await first)).toEqual(expected);
    expect(lineNumbers(await late)).toEqual(expected);
    expect(hub.feedCount).toBeLessThanOrEqual(1);
    controller.abort();
  });

  it('releases the viewer when the browser goes away', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store);
    const controller = new AbortController();
    const watching = collect(watch(hub, jobId, null, controller.signal));
    await until(30);
    expect(hub.viewerCount(jobId)).toBe(1);
    controller.abort();
    await watching;
    expect(hub.viewerCount(jobId)).toBe(0);
  });

  it('throws not_found for an unknown job', async () => {
    const hub = new LiveHub(store);
    await expect(collect(watch(hub, 'no-such-job', null, new AbortController().signal))).rejects.toMatchObject({ code: 'not_found' });
  });
});
