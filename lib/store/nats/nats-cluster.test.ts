import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors';
import { backendGate, natsServerAvailable, startNatsCluster, uniqueJobId, uniqueNatsPrefix, withPrefix, type NatsCluster } from '../../../test/support';
import { makeLines } from '../conformance';
import type { LogStore } from '../types';
import { createNatsStore } from './index';

/**
 * Smoke subset against a real 3-node cluster with replicas 3, including losing the stream
 * leader mid-stream: appends continue (after retries), nothing acknowledged is lost, a live
 * subscriber follows to the end (resuming by cursor if its connection was the one cut), and
 * range reads spanning many messages are all served at once, none a 503 after a timeout.
 */
const TOKEN = { tokenHash: 'e'.repeat(64) };
/** The run: small batches (one message each, so a range read spans many messages), the leader killed part-way. */
const RUN = { batches: 80, linesPerBatch: 25, killAtBatch: 30, retriesPerBatch: 60, resubscribes: 20, rangeReads: 10, rangeLimit: 300 } as const;

const gate = await backendGate('nats-server binary (3-node cluster test)', natsServerAvailable());
if (gate === 'fail') it('nats-server is installed (required on CI)', () => expect.fail('nats-server not found'));

describe.runIf(gate === 'run')('nats store on a 3-node JetStream cluster (replicas 3)', () => {
  let cluster: NatsCluster;
  let store: LogStore;
  const prefix = uniqueNatsPrefix();
  beforeAll(async () => {
    cluster = await startNatsCluster();
    // A fresh cluster can answer JetStream before all three peers can hold a replicas-3 stream
    // (slower on a loaded machine): creating the streams is retried for a bounded time.
    const deadline = Date.now() + 45_000;
    for (;;) {
      try {
        store = await createNatsStore({ url: withPrefix(`${cluster.url}?replicas=3`, prefix) });
        break;
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'unavailable') || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }, 90_000);
  afterAll(async () => {
    await store?.close();
    await cluster?.destroy();
  });

  it('appends, reads and subscribes with replicas 3', async () => {
    const id = uniqueJobId('cluster-smoke');
    await store.putJob(id, { title: 'cluster' }, TOKEN);
    expect(await store.append(id, 's', { lines: makeLines(1, 1500) })).toEqual({ accepted: 1500, duplicates: 0, last: 1500 });
    expect((await store.readLines(id, 's', 1200, 3)).lines).toEqual(makeLines(1200, 1202));
    await store.complete(id, 'success');
    const seen: number[] = [];
    for await (const e of store.subscribe(id, null, new AbortController().signal)) {
      if (e.type === 'lines') seen.push(...e.lines.map((l) => l.n));
    }
    expect(seen).toHaveLength(1500);
  });

  it('keeps appending, following and reading when the stream leader is killed, losing nothing acknowledged', async () => {
    const id = uniqueJobId('cluster-kill');
    await store.putJob(id, {}, TOKEN);
    const follower = followWithResume(store, id, (await store.getJob(id))?.cursor ?? null);
    let acked = 0;
    let killed = '';
    for (let batch = 0; batch < RUN.batches; batch++) {
      if (batch === RUN.killAtBatch) killed = await killStreamLeader(cluster, prefix);
      const from = batch * RUN.linesPerBatch + 1;
      acked = (await retryUnavailable(() => store.append(id, 's', { lines: makeLines(from, from + RUN.linesPerBatch - 1) }))).last;
    }
    expect(killed).not.toBe('');
    expect(acked).toBe(RUN.batches * RUN.linesPerBatch);
    await retryUnavailable(() => store.complete(id, 'success'));

    // range reads spanning 12 messages each, from fresh positions: every one answers
    const started = Date.now();
    for (let i = 0; i < RUN.rangeReads; i++) {
      const from = 1 + i * 170;
      const range = await store.readLines(id, 's', from, RUN.rangeLimit);
      expect(range.lines.map((l) => l.n)).toEqual(makeLines(from, from + RUN.rangeLimit - 1).map((l) => l.n));
      expect(range.last).toBe(acked);
    }
    console.info(`[nats-cluster] ${RUN.rangeReads} range reads after the leader kill in ${Date.now() - started} ms`);
    const read = await store.readLines(id, 's', 1, 5000);
    expect(read.last).toBe(acked);
    expect(read.lines.map((l) => l.n)).toEqual(makeLines(1, acked).map((l) => l.n));
    const tail = await store.readLines(id, 's', acked - 2, 10);
    expect(tail.lines.map((l) => l.n)).toEqual([acked - 2, acked - 1, acked]);

    // the live subscriber reached the end with every line once, in order
    const followed = await follower;
    expect(followed.ended).toBe(true);
    expect(followed.lines).toEqual(makeLines(1, acked).map((l) => l.n));
    console.info(`[nats-cluster] live subscriber resumed ${followed.resumes} time(s) across the kill`);
    // and a replay started now (a new consumer, after the kill) is whole too
    const replay: number[] = [];
    for await (const e of store.subscribe(id, null, new AbortController().signal)) if (e.type === 'lines') replay.push(...e.lines.map((l) => l.n));
    expect(replay).toHaveLength(acked);
  }, 120_000);
});

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** During the election the store answers 503 (UnavailableError); anything else is a bug. */
async function retryUnavailable<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('unavailable');
      if (attempt >= RUN.retriesPerBatch) throw error;
      await sleep(250);
    }
  }
}

/** What the live hub and a viewer do together: follow, and on `unavailable` resume by cursor. */
async function followWithResume(store: LogStore, jobId: string, after: string | null): Promise<{ lines: number[]; ended: boolean; resumes: number }> {
  const out = { lines: [] as number[], ended: false, resumes: 0 };
  let cursor = after;
  for (;;) {
    try {
      for await (const e of store.subscribe(jobId, cursor, new AbortController().signal)) {
        cursor = e.cursor;
        if (e.type === 'lines') out.lines.push(...e.lines.map((l) => l.n));
        if (e.type === 'end') out.ended = true;
      }
      return out;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'unavailable') || out.resumes >= RUN.resubscribes) throw error;
      out.resumes++;
      await sleep(250);
    }
  }
}

async function killStreamLeader(cluster: NatsCluster, prefix: string): Promise<string> {
  const leader = await cluster.streamLeader(prefix);
  expect(cluster.names).toContain(leader);
  cluster.kill(leader);
  return leader;
}
