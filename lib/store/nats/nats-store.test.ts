import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { UnavailableError } from '../../errors';
import { backendGate, deleteNatsStreams, NATS_TEST_URL, natsReachable, sharedDataHandle, uniqueJobId, uniqueNatsPrefix, withPrefix } from '../../../test/support';
import { describeLogStoreConformance, makeLines } from '../conformance';
import type { LogStore } from '../types';
import { createNatsStore, parseNatsUrl } from './index';
import type { NatsStore } from './store';
import { decodeToken, encodeToken, Subjects } from './subjects';

const TOKEN = { tokenHash: 'd'.repeat(64) };

/** Consumers on the log stream of the store at `url` (its prefix). */
async function consumerCount(url: string): Promise<number> {
  const { servers, prefix } = parseNatsUrl(url);
  const nc = await connect({ servers, timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    return (await jsm.streams.info(new Subjects(prefix).logStream)).state.consumer_count;
  } finally {
    await nc.close();
  }
}

describe('subject tokens', () => {
  it.each(['build', 'a.b', 'v1.2.3', 'x_y', '_', 'a*b', 'a>b', 'sp ace', 'ünï', 'a_2e_b'])('round-trips %j to a safe token', (id) => {
    const token = encodeToken(id);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeToken(token)).toBe(id);
  });
  it('never maps two ids to one token', () => {
    expect(encodeToken('a.b')).not.toBe(encodeToken('a_b'));
    expect(encodeToken('a_2e_b')).not.toBe(encodeToken('a.b'));
  });
  it('parses servers, replicas and prefix from the URL', () => {
    expect(parseNatsUrl('nats://h1:1,h2:2?replicas=3&prefix=p1')).toEqual({ servers: ['h1:1', 'h2:2'], replicas: 3, prefix: 'p1' });
    expect(parseNatsUrl('nats://127.0.0.1:4222')).toEqual({ servers: ['127.0.0.1:4222'], replicas: 1, prefix: 'logscope' });
    expect(() => parseNatsUrl('nats://h?replicas=2')).toThrow();
    expect(() => parseNatsUrl('nats://h?prefix=a.b')).toThrow();
  });
});

const gate = await backendGate(`NATS JetStream (${NATS_TEST_URL})`, await natsReachable());

if (gate === 'fail') {
  it('NATS JetStream is reachable (required on CI)', () => {
    expect.fail(`NATS at ${NATS_TEST_URL} is not reachable`);
  });
}

if (gate === 'run') {
  describeLogStoreConformance('nats', async () => {
    const prefix = uniqueNatsPrefix();
    const url = withPrefix(NATS_TEST_URL, prefix);
    return sharedDataHandle(
      () => createNatsStore({ url }),
      (store) => (store as NatsStore).listenerCount(),
      () => deleteNatsStreams(NATS_TEST_URL, prefix),
    );
  });

  describe('nats store specifics', () => {
    const prefix = uniqueNatsPrefix();
    const url = withPrefix(NATS_TEST_URL, prefix);
    let a: LogStore;
    let b: LogStore;
    beforeAll(async () => {
      [a, b] = await Promise.all([createNatsStore({ url }), createNatsStore({ url })]);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await deleteNatsStreams(NATS_TEST_URL, prefix);
    });

    it('fences an append racing completion: nothing lands after the end sentinel', async () => {
      const id = uniqueJobId('nats-fence');
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 's', { lines: makeLines(1, 10) });
      const outcomes = await Promise.allSettled([
        b.append(id, 's', { lines: makeLines(11, 20) }),
        a.complete(id, 'success'),
        b.append(id, 's', { lines: makeLines(11, 30) }),
      ]);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'job_completed' });
      const events: string[] = [];
      for await (const e of a.subscribe(id, null, new AbortController().signal)) events.push(e.type);
      expect(events.at(-1)).toBe('end');
      expect(events.filter((t) => t === 'end')).toHaveLength(1);
      const last = (await a.readLines(id, 's', 1, 100)).last;
      expect((await a.getJob(id))?.steps[0]?.lines).toBe(last);
    });

    it('keeps job and step ids with dots apart', async () => {
      const id = `nats.dots.${Date.now()}`;
      await a.putJob(id, {}, TOKEN);
      await a.append(id, 'v1.2', { lines: makeLines(1, 2) });
      await a.append(id, 'v1_2', { lines: makeLines(1, 3) });
      const job = await a.getJob(id);
      expect(job?.steps.map((s) => [s.id, s.lines])).toEqual([['v1.2', 2], ['v1_2', 3]]);
    });

    it('leaves no consumer behind after replays, live tails and range reads', async () => {
      const id = uniqueJobId('nats-consumers');
      await a.putJob(id, {}, TOKEN);
      for (let from = 1; from <= 300; from += 10) await a.append(id, 's', { lines: makeLines(from, from + 9) });
      // a range over 30 small messages: message gets only
      expect((await a.readLines(id, 's', 5, 290)).lines).toEqual(makeLines(5, 294));
      const controller = new AbortController();
      const iterator = b.subscribe(id, null, controller.signal)[Symbol.asyncIterator]();
      await iterator.next();
      controller.abort();
      await iterator.next();
      await a.complete(id, 'success');
      for await (const e of a.subscribe(id, null, new AbortController().signal)) expect(e.type).toBeDefined();
      // deletes are sent without waiting for the answer: poll, bounded
      await expect.poll(() => consumerCount(url), { timeout: 10_000 }).toBe(0);
    });

    it('rejects with UnavailableError, promptly, when no server answers', async () => {
      const started = Date.now();
      await expect(createNatsStore({ url: 'nats://127.0.0.1:1' })).rejects.toBeInstanceOf(UnavailableError);
      expect(Date.now() - started).toBeLessThan(20_000);
    });
  });
}
