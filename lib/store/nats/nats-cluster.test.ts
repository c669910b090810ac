import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { AppError } from '../../errors';
import { makeLines, uniqueJobId } from '../conformance';
import { backendGate } from '../postgres/test-db';
import type { LogStore } from '../types';
import { createNatsStore } from './index';
import { Subjects } from './subjects';
import { natsServerAvailable, startCluster, type TestCluster } from './test-cluster';
import { uniquePrefix, withPrefix } from './test-nats';

/**
 * Smoke subset against a real 3-node cluster with replicas 3, including losing the stream
 * leader mid-stream: appends continue (after retries), nothing acknowledged is lost.
 */
const TOKEN = { tokenHash: 'e'.repeat(64) };
const BATCHES = 40;
const LINES_PER_BATCH = 250;
const KILL_AT_BATCH = 15;
const RETRIES_PER_BATCH = 60;

const gate = await backendGate('nats-server binary (3-node cluster test)', natsServerAvailable());
if (gate === 'fail') it('nats-server is installed (required on CI)', () => expect.fail('nats-server not found'));

describe.runIf(gate === 'run')('nats store on a 3-node JetStream cluster (replicas 3)', () => {
  let cluster: TestCluster;
  let store: LogStore;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    cluster = await startCluster();
    store = await createNatsStore({ url: withPrefix(`${cluster.url}?replicas=3`, prefix) });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
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

  it('keeps appending when the stream leader is killed, losing nothing acknowledged', async () => {
    const id = uniqueJobId('cluster-kill');
    await store.putJob(id, {}, TOKEN);
    let acked = 0;
    let killed = '';
    for (let batch = 0; batch < BATCHES; batch++) {
      if (batch === KILL_AT_BATCH) killed = await killStreamLeader(cluster, prefix);
      const from = batch * LINES_PER_BATCH + 1;
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await store.append(id, 's', { lines: makeLines(from, from + LINES_PER_BATCH - 1) });
          acked = result.last;
          break;
        } catch (error) {
          // during the election the store answers 503 (UnavailableError); anything else is a bug
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('unavailable');
          if (attempt >= RETRIES_PER_BATCH) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
    expect(killed).not.toBe('');
    expect(acked).toBe(BATCHES * LINES_PER_BATCH);
    const read = await store.readLines(id, 's', 1, 5000);
    expect(read.last).toBe(acked);
    expect(read.lines.map((l) => l.n)).toEqual(makeLines(1, Math.min(acked, 5000)).map((l) => l.n));
    const tail = await store.readLines(id, 's', acked - 2, 10);
    expect(tail.lines.map((l) => l.n)).toEqual([acked - 2, acked - 1, acked]);
  }, 120_000);
});

async function killStreamLeader(cluster: TestCluster, prefix: string): Promise<string> {
  const nc = await connect({ servers: cluster.url.slice('nats://'.length).split(','), timeout: 2_000 });
  try {
    const info = await (await jetstreamManager(nc, { timeout: 5_000 })).streams.info(new Subjects(prefix).logStream);
    const leader = info.cluster?.leader ?? '';
    expect(cluster.names).toContain(leader);
    cluster.kill(leader);
    return leader;
  } finally {
    await nc.close();
  }
}
