import { describe, expect, it } from 'vitest';
import type { Line } from '../contracts';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import type { LogStore, StoreEvent } from '../store/types';
import { LiveHub } from './hub';
import { watch } from './test-sse-events';
import { encodeStoreEvent } from './event-frames';

let store: LogStore;
let seq = 0;
eachTempFileStore('hub-budgets', (opened) => (store = opened));

const KiB = 1024;
const MiB = 1024 * KiB;

const lineOf = (n: number, size: number): Line => ({ n, ts: 1000 + n, stream: 'out', text: `${n} `.padEnd(size, 'x') });

async function newJob(): Promise<string> {
  const id = `budget-${++seq}`;
  await store.putJob(id, { title: id }, { tokenHash: 'x' });
  return id;
}

const lineNumbers = (events: StoreEvent[]) => events.flatMap((e) => (e.type === 'lines' ? e.lines.map((l) => l.n) : []));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Waits (bounded) until `check` holds. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await tick();
  expect(check()).toBe(true);
}

/** Reads a viewer's events into `into` until `end`; resolves then. */
async function readToEnd(events: AsyncIterable<StoreEvent>, into: StoreEvent[]): Promise<void> {
  for await (const event of events) {
    into.push(event);
    if (event.type === 'end') break;
  }
}

describe('LiveHub byte budgets', () => {
  it('cuts off a viewer that never reads once its backlog passes queueBytes, and it resumes from its cursor losing nothing', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store, { queueBytes: 64 * KiB });
    const controller = new AbortController();
    const job = await store.getJob(jobId);
    const iterator = watch(hub, jobId, job?.cursor ?? null, controller.signal)[Symbol.asyncIterator]();
    const first = iterator.next();
    await eventually(() => hub.viewerCount(jobId) === 1);
    // one 8 KiB line per append: every event is its own, in two steps
    let most = 0;
    for (let n = 1; n <= 40; n++) {
      await store.append(jobId, n % 2 ? 'a' : 'b', { lines: [lineOf(Math.ceil(n / 2), 8 * KiB)] });
      await new Promise((resolve) => setImmediate(resolve));
      most = Math.max(most, ...(hub.feedStats(jobId)?.queueBytes ?? []));
    }
    // it fell behind, never held more than its budget, and was let go
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(64 * KiB);
    await eventually(() => hub.viewerCount(jobId) === 0);

    const received: StoreEvent[] = [];
    const head = await first;
    if (!head.done) received.push(head.value);
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      received.push(next.value);
    }
    // cut off: the stream ended early, well before the 40 events
    expect(received.length).toBeLessThan(20);
    const cursor = received.at(-1)?.cursor ?? null;

    await store.complete(jobId, 'success');
    const rest: StoreEvent[] = [];
    for await (const event of watch(hub, jobId, cursor, controller.signal)) rest.push(event);
    const all = [...received, ...rest];
    const perStep = (step: string) => all.flatMap((e) => (e.type === 'lines' && e.step === step ? e.lines.map((l) => l.n) : []));
    expect(perStep('a')).toEqual(range(1, 20));
    expect(perStep('b')).toEqual(range(1, 20));
    expect(all.at(-1)?.type).toBe('end');
    controller.abort();
  });

  it('still delivers an event larger than the whole queue budget to a viewer that keeps up', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store, { queueBytes: 16 * KiB, ringBytes: 16 * KiB });
    const controller = new AbortController();
    const job = await store.getJob(jobId);
    const events: StoreEvent[] = [];
    const reading = readToEnd(watch(hub, jobId, job?.cursor ?? null, controller.signal), events);
    await eventually(() => hub.viewerCount(jobId) === 1);
    await store.append(jobId, 'a', { lines: [lineOf(1, 100 * KiB), lineOf(2, 100 * KiB)] });
    await eventually(() => lineNumbers(events).length === 2);
    await store.complete(jobId, 'success');
    await reading;
    expect(lineNumbers(events)).toEqual([1, 2]);
    controller.abort();
  });

  it('keeps a ring of 1 MiB lines under ringBytes, and a late joiner catches up from the store', async () => {
    const jobId = await newJob();
    const ringBytes = 4 * MiB;
    const hub = new LiveHub(store, { ringBytes });
    const controller = new AbortController();
    const job = await store.getJob(jobId);
    const events: StoreEvent[] = [];
    const reading = readToEnd(watch(hub, jobId, job?.cursor ?? null, controller.signal), events);
    await eventually(() => hub.viewerCount(jobId) === 1);
    for (let n = 1; n <= 12; n++) {
      await store.append(jobId, 'a', { lines: [lineOf(n, MiB - 100)] });
      await eventually(() => lineNumbers(events).length === n);
      const stats = hub.feedStats(jobId);
      expect(stats?.ringBytes ?? 0).toBeLessThanOrEqual(ringBytes);
    }
    expect(hub.feedStats(jobId)?.ringEvents).toBeLessThanOrEqual(4);

    // a viewer resuming after line 2: older than the ring, so it replays from the store first
    const second = events.find((e) => e.type === 'lines' && e.lines[0]?.n === 2);
    const late: StoreEvent[] = [];
    const lateReading = readToEnd(watch(hub, jobId, second?.cursor ?? null, controller.signal), late);
    await eventually(() => lineNumbers(late).length === 10);
    await store.append(jobId, 'a', { lines: [lineOf(13, 10)] });
    await store.complete(jobId, 'success');
    await Promise.all([reading, lateReading]);
    expect(lineNumbers(events)).toEqual(range(1, 13));
    expect(lineNumbers(late)).toEqual(range(3, 13));
    controller.abort();
  });

  it('measures an event once: every viewer gets the same encoded frames', () => {
    const event: StoreEvent = { type: 'lines', cursor: '7', step: 's', lines: [lineOf(1, 10)] };
    const a = encodeStoreEvent(event, 256 * KiB);
    const b = encodeStoreEvent(event, 256 * KiB);
    expect(b).toBe(a);
    expect(a.bytes).toBe(Buffer.concat(a.frames).byteLength);
  });
});
