import { describe, expect, it } from 'vitest';
import type { Line } from '../contracts';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import type { LogStore, StoreEvent } from '../store/types';
import { LiveHub } from './hub';
import { sseEvents, watch } from './test-sse-events';

let store: LogStore;
let seq = 0;
eachTempFileStore('hub-fanout', (opened) => (store = opened));

const KiB = 1024;
const lines = (from: number, count: number, size = 20): Line[] =>
  Array.from({ length: count }, (_, i) => ({ n: from + i, ts: 1000 + from + i, stream: 'out' as const, text: `line ${from + i} `.padEnd(size, 'x') }));
const lineNumbers = (events: StoreEvent[]) => events.flatMap((e) => (e.type === 'lines' ? e.lines.map((l) => l.n) : []));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

async function newJob(): Promise<string> {
  const id = `fanout-${++seq}`;
  await store.putJob(id, { title: id }, { tokenHash: 'x' });
  return id;
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await tick();
  expect(check()).toBe(true);
}

/** Reads a body chunk by chunk, skipping the opening `retry:` and comment. */
async function nextData(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array> {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error('stream ended');
    if (!new TextDecoder().decode(value).startsWith('retry:')) return value;
  }
}

describe('LiveHub fan-out', () => {
  it('hands every viewer at the live edge the very same bytes, encoded once', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store);
    const controller = new AbortController();
    const cursor = (await store.getJob(jobId))?.cursor ?? null;
    const readers = Array.from({ length: 5 }, () => hub.open({ jobId, after: cursor, signal: controller.signal }).body!.getReader());
    await eventually(() => hub.viewerCount(jobId) === 5);
    const chunks = readers.map((reader) => nextData(reader));
    await store.append(jobId, 'build', { lines: lines(1, 3) });
    const got = await Promise.all(chunks);
    // one object: written to each viewer as it is, not copied or serialised per viewer
    for (const chunk of got) expect(chunk).toBe(got[0]);
    expect(new TextDecoder().decode(got[0])).toContain('"n":3');
    controller.abort();
  });

  it('sends a viewer that lagged everything it missed at once when it reads again, then cuts it at its budget; it resumes exactly', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store, { queueBytes: 32 * KiB });
    const controller = new AbortController();
    const cursor = (await store.getJob(jobId))?.cursor ?? null;
    const reader = hub.open({ jobId, after: cursor, signal: controller.signal }).body!.getReader();
    await eventually(() => hub.viewerCount(jobId) === 1);
    // the viewer does not read: three events pile up behind the chunk it has not taken
    for (let i = 0; i < 4; i++) {
      await store.append(jobId, 'build', { lines: lines(i * 2 + 1, 2, 1000) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(() => (hub.feedStats(jobId)?.queueBytes[0] ?? 0) > 0);
    expect(hub.viewerCount(jobId)).toBe(1);
    // it reads again: all it missed comes now, without any new event
    const received: StoreEvent[] = [];
    const events = sseEvents(new Response(new ReadableStream<Uint8Array>({ pull: async (c) => {
      const { done, value } = await reader.read();
      if (done) c.close();
      else c.enqueue(value);
    } })))[Symbol.asyncIterator]();
    while (lineNumbers(received).length < 8) {
      const next = await events.next();
      if (next.done) break;
      received.push(next.value);
    }
    expect(lineNumbers(received)).toEqual(range(1, 8));
    await eventually(() => (hub.feedStats(jobId)?.queueBytes[0] ?? -1) === 0);

    // now it stops reading for good: past 32 KiB of backlog its stream ends
    for (let i = 0; i < 40; i++) await store.append(jobId, 'build', { lines: lines(9 + i * 2, 2, 1000) });
    await eventually(() => hub.viewerCount(jobId) === 0);
    for (;;) {
      const next = await events.next();
      if (next.done) break;
      received.push(next.value);
    }
    const got = lineNumbers(received);
    expect(got.length).toBeLessThan(88);
    // resuming from the last id it saw loses nothing and repeats nothing
    await store.complete(jobId, 'success');
    const rest: StoreEvent[] = [];
    for await (const event of watch(hub, jobId, received.at(-1)?.cursor ?? null, controller.signal)) rest.push(event);
    expect([...got, ...lineNumbers(rest)]).toEqual(range(1, 88));
    expect(rest.at(-1)?.type).toBe('end');
    controller.abort();
  });

  it('narrows a viewer to one step with ?step=, job and end events included', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store);
    const controller = new AbortController();
    const cursor = (await store.getJob(jobId))?.cursor ?? null;
    const events: StoreEvent[] = [];
    const reading = (async () => {
      for await (const event of watch(hub, jobId, cursor, controller.signal, { step: 'b' })) events.push(event);
    })();
    await eventually(() => hub.viewerCount(jobId) === 1);
    await store.append(jobId, 'a', { lines: lines(1, 2) });
    await store.append(jobId, 'b', { lines: lines(1, 3) });
    await store.append(jobId, 'a', { lines: lines(3, 1) });
    await store.complete(jobId, 'success');
    await reading;
    expect(events.every((e) => (e.type === 'lines' ? e.step === 'b' : e.type === 'step' ? e.step.id === 'b' : true))).toBe(true);
    expect(lineNumbers(events)).toEqual([1, 2, 3]);
    expect(events.at(-1)?.type).toBe('end');
    controller.abort();
  });

  it('keeps 300 viewers of one job on one subscription and delivers each line once to each', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store);
    const controller = new AbortController();
    const cursor = (await store.getJob(jobId))?.cursor ?? null;
    const counts = await (async () => {
      const viewers = Array.from({ length: 300 }, async () => {
        const got: number[] = [];
        for await (const event of watch(hub, jobId, cursor, controller.signal)) got.push(...lineNumbers([event]));
        return got;
      });
      await eventually(() => hub.viewerCount(jobId) === 300);
      for (let i = 0; i < 20; i++) await store.append(jobId, 'build', { lines: lines(i * 5 + 1, 5) });
      await store.complete(jobId, 'success');
      return Promise.all(viewers);
    })();
    expect(hub.feedCount).toBeLessThanOrEqual(1);
    for (const got of counts) expect(got).toEqual(range(1, 100));
    controller.abort();
  });
});
