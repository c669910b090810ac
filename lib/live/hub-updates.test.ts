import { describe, expect, it } from 'vitest';
import type { Line } from '../contracts';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import type { LogStore, StoreEvent } from '../store/types';
import { LiveHub } from './hub';
import { watch } from './test-sse-events';

let store: LogStore;
let seq = 0;
eachTempFileStore('hub-updates', (opened) => (store = opened));

const line = (n: number, text: string): Line => ({ n, ts: 1000 + n, stream: 'out', text });
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

async function newJob(): Promise<string> {
  const id = `updates-${++seq}`;
  await store.putJob(id, { title: id }, { tokenHash: 'x' });
  return id;
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await tick();
  expect(check()).toBe(true);
}

/** The step's text per line number as a viewer holds it after applying `lines` and `update` events in order. */
function apply(events: StoreEvent[], step: string): Map<number, string> {
  const held = new Map<number, string>();
  for (const event of events) {
    if ((event.type === 'lines' || event.type === 'update') && event.step === step) for (const l of event.lines) held.set(l.n, l.text);
  }
  return held;
}

/**
 * A redrawing step `a` (3 rows, row 2 rewritten twice, row 3 once) and a plain step `b`: the
 * appends as lib/writes/line-writer.ts makes them (updates, produced, raw).
 */
async function redraw(jobId: string): Promise<void> {
  await store.append(jobId, 'a', { lines: [line(1, 'pull'), line(2, 'layer 0%')], produced: 2, raw: 'pull\nlayer 0%\n' });
  await store.append(jobId, 'b', { lines: [line(1, 'b one')] });
  await store.append(jobId, 'a', { lines: [], updates: [line(2, 'layer 50%')], produced: 3, raw: '\x1b[1A\x1b[2Klayer 50%\n' });
  await store.append(jobId, 'a', { lines: [line(3, 'done')], updates: [line(2, 'layer 100%')], produced: 5, raw: '\x1b[1A\x1b[2Klayer 100%\ndone\n' });
  await store.append(jobId, 'b', { lines: [line(2, 'b two')] });
}

describe('LiveHub update events', () => {
  it('fans `update` events out live, after their batch\'s `lines`, to every viewer, and a step filter keeps only its own', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store);
    const controller = new AbortController();
    const cursor = (await store.getJob(jobId))!.cursor;
    const read = (step?: string) =>
      (async () => {
        const events: StoreEvent[] = [];
        for await (const event of watch(hub, jobId, cursor, controller.signal, step ? { step } : {})) events.push(event);
        return events;
      })();
    const all = [read(), read()];
    const onlyA = read('a');
    const onlyB = read('b');
    await eventually(() => hub.viewerCount(jobId) === 4);
    await redraw(jobId);
    await store.complete(jobId, 'success');
    const [first, second] = await Promise.all(all);
    for (const events of [first!, second!]) {
      expect(events.filter((e) => e.type === 'update').map((e) => (e.type === 'update' ? e.lines.map((l) => l.text) : []))).toEqual([['layer 50%'], ['layer 100%']]);
      // the batch's new row comes before its update
      const done = events.findIndex((e) => e.type === 'lines' && e.lines.some((l) => l.text === 'done'));
      expect(done).toBeLessThan(events.findIndex((e) => e.type === 'update' && e.lines[0]?.text === 'layer 100%'));
      expect([...apply(events, 'a')]).toEqual([[1, 'pull'], [2, 'layer 100%'], [3, 'done']]);
    }
    const a = await onlyA;
    expect(a.filter((e) => e.type === 'update')).toHaveLength(2);
    expect(a.every((e) => (e.type === 'lines' || e.type === 'update' ? e.step === 'a' : e.type === 'step' ? e.step.id === 'a' : true))).toBe(true);
    const b = await onlyB;
    expect(b.some((e) => e.type === 'update')).toBe(false);
    expect([...apply(b, 'b')]).toEqual([[1, 'b one'], [2, 'b two']]);
    controller.abort();
  });

  it('resumes by cursor (Last-Event-ID) right after an update with nothing lost or repeated, live and after completion', async () => {
    const jobId = await newJob();
    const hub = new LiveHub(store);
    const controller = new AbortController();
    const live = (async () => {
      const events: StoreEvent[] = [];
      for await (const event of watch(hub, jobId, null, controller.signal)) events.push(event);
      return events;
    })();
    await eventually(() => hub.viewerCount(jobId) === 1);
    await redraw(jobId);
    await store.complete(jobId, 'failure');
    const events = await live;
    const updates = events.map((e, i) => [e, i] as const).filter(([e]) => e.type === 'update');
    expect(updates).toHaveLength(2);
    for (const [event, i] of updates) {
      const rest: StoreEvent[] = [];
      for await (const next of watch(hub, jobId, event.cursor, controller.signal)) rest.push(next);
      expect(rest.map((e) => e.cursor)).toEqual(events.slice(i + 1).map((e) => e.cursor));
      // what the viewer held at the cursor, with the rest applied, is the step's current text
      expect([...apply([...events.slice(0, i + 1), ...rest], 'a')]).toEqual([[1, 'pull'], [2, 'layer 100%'], [3, 'done']]);
    }
    controller.abort();
  });
});
