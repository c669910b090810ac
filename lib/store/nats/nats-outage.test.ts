import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors';
import { backendGate, natsServerAvailable, startPrivateNats, uniqueJobId, uniqueNatsPrefix, withPrefix, type PrivateNats } from '../../../test/support';
import { makeLines } from '../conformance';
import type { LogStore, StoreEvent } from '../types';
import { createNatsStore } from './index';

/**
 * A private server (port 14225) stopped, or frozen, while a subscription waits: the
 * subscription fails with `unavailable` (the live hub then tells viewers to reconnect), new
 * calls fail instead of hanging, and after the restart a resubscription by cursor goes on
 * with exactly the remaining lines. The bounds only say "does not wait through the outage".
 */
const PORT = 14225;
const TOKEN = { tokenHash: 'f'.repeat(64) };
/** A waiting subscription must fail well within this (target: 2-5 s). */
const DETECT_BOUND_MS = 15_000;
/** Longer than one pull expiry (5 s): a healthy idle subscription survives renewals. */
const IDLE_MS = 6_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads a subscription in the background, remembering lines and the last cursor. */
function follow(store: LogStore, jobId: string, after: string | null, signal: AbortSignal) {
  const state = { lines: [] as number[], cursor: after, ended: false };
  const done = (async () => {
    for await (const e of store.subscribe(jobId, after, signal) as AsyncIterable<StoreEvent>) {
      state.cursor = e.cursor;
      if (e.type === 'lines') state.lines.push(...e.lines.map((l) => l.n));
      if (e.type === 'end') state.ended = true;
    }
  })();
  done.catch(() => undefined); // awaited by the test; this only avoids an unhandled rejection
  return { state, done };
}

/** Retries `fn` while it answers `unavailable` (the store reconnecting), bounded. */
async function retryUnavailable<T>(fn: () => Promise<T>, attempts = 80): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'unavailable') || i >= attempts) throw error;
      await sleep(250);
    }
  }
}

const gate = await backendGate('nats-server binary (outage test)', natsServerAvailable());
if (gate === 'fail') it('nats-server is installed (required on CI)', () => expect.fail('nats-server not found'));

describe.runIf(gate === 'run')('nats store when its server goes away', () => {
  let server: PrivateNats;
  let store: LogStore;
  beforeAll(async () => {
    server = await startPrivateNats(PORT);
    store = await createNatsStore({ url: withPrefix(server.url, uniqueNatsPrefix()) });
  }, 30_000);
  afterAll(async () => {
    server?.thaw();
    await store?.close();
    await server?.destroy();
  });

  it('fails a waiting subscription when the server stops, fails new calls, resumes by cursor after', async () => {
    const id = uniqueJobId('outage-stop');
    await store.putJob(id, {}, TOKEN);
    const controller = new AbortController();
    const first = follow(store, id, (await store.getJob(id))?.cursor ?? null, controller.signal);
    await store.append(id, 's', { lines: makeLines(1, 5) });
    await expect.poll(() => first.state.lines.length, { timeout: 10_000 }).toBe(5);
    // idle past a pull renewal: a healthy subscription neither fails nor misses a line
    await sleep(IDLE_MS);
    await store.append(id, 's', { lines: makeLines(6, 7) });
    await expect.poll(() => first.state.lines.length, { timeout: 10_000 }).toBe(7);

    const stoppedAt = Date.now();
    await server.stop();
    await expect(within(first.done, DETECT_BOUND_MS, 'waiting subscription')).rejects.toMatchObject({ code: 'unavailable' });
    console.info(`[nats-outage] subscription failed ${Date.now() - stoppedAt} ms after the server stopped`);

    // while down: a new subscription, a read and a write all answer `unavailable`, bounded
    const downAt = Date.now();
    const again = follow(store, id, first.state.cursor, controller.signal);
    await expect(within(again.done, DETECT_BOUND_MS, 'new subscription')).rejects.toMatchObject({ code: 'unavailable' });
    await expect(within(store.getJob(id), DETECT_BOUND_MS, 'getJob')).rejects.toMatchObject({ code: 'unavailable' });
    await expect(within(store.append(id, 's', { lines: makeLines(8, 9) }), DETECT_BOUND_MS, 'append')).rejects.toMatchObject({ code: 'unavailable' });
    console.info(`[nats-outage] subscribe + getJob + append refused in ${Date.now() - downAt} ms while down`);

    await server.start();
    // the store reconnects by itself; resume by cursor
    await retryUnavailable(() => store.getJob(id));
    const resumed = follow(store, id, first.state.cursor, controller.signal);
    await retryUnavailable(() => store.append(id, 's', { lines: makeLines(8, 12) }));
    await store.complete(id, 'success');
    await within(resumed.done, DETECT_BOUND_MS, 'resumed subscription');
    expect(resumed.state.ended).toBe(true);
    expect([...first.state.lines, ...resumed.state.lines]).toEqual(makeLines(1, 12).map((l) => l.n));
  }, 90_000);

  it('fails a waiting subscription when the server stops answering (missed heartbeats)', async () => {
    const id = uniqueJobId('outage-freeze');
    await retryUnavailable(() => store.putJob(id, {}, TOKEN));
    const controller = new AbortController();
    const sub = follow(store, id, (await store.getJob(id))?.cursor ?? null, controller.signal);
    await store.append(id, 's', { lines: makeLines(1, 3) });
    await expect.poll(() => sub.state.lines.length, { timeout: 10_000 }).toBe(3);
    const frozenAt = Date.now();
    server.freeze();
    try {
      await expect(within(sub.done, DETECT_BOUND_MS, 'subscription on a frozen server')).rejects.toMatchObject({ code: 'unavailable' });
      console.info(`[nats-outage] subscription failed ${Date.now() - frozenAt} ms after the server froze`);
    } finally {
      server.thaw();
    }
    // thawed: the same connection carries on
    const resumed = follow(store, id, sub.state.cursor, controller.signal);
    await retryUnavailable(() => store.append(id, 's', { lines: makeLines(4, 6) }));
    await expect.poll(() => resumed.state.lines, { timeout: 15_000 }).toEqual([4, 5, 6]);
    controller.abort();
    await within(resumed.done, DETECT_BOUND_MS, 'aborted subscription');
  }, 90_000);

  it('watchJobs says resync once it listens again after the server restarts, then names jobs again', async () => {
    await retryUnavailable(() => store.listJobs({ limit: 1 }));
    const controller = new AbortController();
    const changes = store.watchJobs(controller.signal)[Symbol.asyncIterator]();
    expect((await within(changes.next(), DETECT_BOUND_MS, 'first resync')).value).toEqual({ type: 'resync' });
    await server.stop();
    await server.start();
    // what was published while it was away was not seen: the watch must say so once it listens again
    for (;;) {
      const next = await within(changes.next(), 30_000, 'resync after the restart');
      if (next.done) throw new Error('watchJobs ended');
      if (next.value.type === 'resync') break;
    }
    const id = uniqueJobId('outage-watch');
    await retryUnavailable(() => store.putJob(id, {}, TOKEN));
    for (;;) {
      const next = await within(changes.next(), DETECT_BOUND_MS, 'the new job');
      if (next.done) throw new Error('watchJobs ended');
      if (next.value.type === 'changed' && next.value.jobs.includes(id)) break;
    }
    controller.abort();
  }, 90_000);
});
