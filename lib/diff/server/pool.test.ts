import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { TooManyRequestsError } from '../../errors';
import { NORMALISE_RULE_IDS } from '../normalise';
import { DIFF_RETRY_AFTER_S, DiffPool } from './pool';

/** A stand-in worker: answers every request `more: true`, and records the kinds it was sent (posted back as `{log}` on `finish`). */
function fakeWorker(): Worker {
  return new Worker(
    `const { parentPort } = require('node:worker_threads');
     const kinds = [];
     parentPort.on('message', (m) => {
       kinds.push(m.kind);
       if (m.kind === 'finish') parentPort.postMessage({ id: m.id, ok: true, parts: { starts: new Int32Array(0), summary: { counts: { added: 0, removed: 0, unchanged: 0 }, baseLines: kinds.length, headLines: 0, hunks: 0, truncated: { base: false, head: false }, replacedRegions: 0 } } });
       else parentPort.postMessage({ id: m.id, ok: true, more: true });
     });`,
    { eval: true },
  );
}

const pools: DiffPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('DiffPool', () => {
  it('runs one diff per worker, queues up to maxQueued more, and refuses the next with 429', async () => {
    const pool = new DiffPool({ size: 1, maxQueued: 1, spawn: fakeWorker });
    pools.push(pool);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = pool.run(NORMALISE_RULE_IDS, async (sink) => {
      order.push('first');
      await sink.addBase(['a']);
      await gate;
      return sink.finish();
    });
    const second = pool.run(NORMALISE_RULE_IDS, async (sink) => {
      order.push('second');
      return sink.finish();
    });
    expect(pool.full()).toBe(true);
    const third = pool.run(NORMALISE_RULE_IDS, (sink) => sink.finish());
    await expect(third).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(third).rejects.toMatchObject({ retryAfter: DIFF_RETRY_AFTER_S });
    release();
    // the fake worker numbers what it was sent: start, page, finish for the first; start, finish for the second
    expect((await first).summary.baseLines).toBe(3);
    expect((await second).summary.baseLines).toBe(5);
    expect(order).toEqual(['first', 'second']);
    expect(pool.full()).toBe(false);
  });

  it('a diff whose reading fails tells its worker to drop it, and the worker serves the next one', async () => {
    const pool = new DiffPool({ size: 1, maxQueued: 0, spawn: fakeWorker });
    pools.push(pool);
    await expect(
      pool.run(NORMALISE_RULE_IDS, async (sink) => {
        await sink.addBase(['a']);
        throw new Error('store read failed');
      }),
    ).rejects.toThrow('store read failed');
    // start, page, reset, then start and finish of this one
    expect((await pool.run(NORMALISE_RULE_IDS, (sink) => sink.finish())).summary.baseLines).toBe(5);
  });

  it('stops a diff that runs past its time with a 503, and a fresh worker takes the next one', async () => {
    const pool = new DiffPool({ size: 1, maxQueued: 0, maxMs: 1000, spawn: fakeWorker });
    pools.push(pool);
    const stuck = pool.run(NORMALISE_RULE_IDS, async (sink) => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      return sink.finish();
    });
    await expect(stuck).rejects.toMatchObject({ code: 'unavailable' });
    expect((await pool.run(NORMALISE_RULE_IDS, (sink) => sink.finish())).summary.baseLines).toBe(2);
  });
});
