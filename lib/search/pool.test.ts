import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { TooManyRequestsError } from '../errors';
import type { CompiledQuery } from './pattern';
import { SEARCH_RETRY_AFTER_S, SearchPool, type BlockMatcher } from './pool';

/** A stand-in worker: answers every block with `scanned = texts.length`, or spins forever when told to hang. */
function fakeWorker(hang: boolean): Worker {
  return new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => {
       if (${hang}) for (;;) {}
       parentPort.postMessage({ id: m.id, ok: true, result: { scanned: m.texts.length, hits: [] } });
     });`,
    { eval: true },
  );
}

const QUERY: CompiledQuery = { kind: 'regex', source: '(a|aa)+$' };
const pools: SearchPool[] = [];

function pool(options: ConstructorParameters<typeof SearchPool>[0]): SearchPool {
  const p = new SearchPool(options);
  pools.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('SearchPool', () => {
  it('terminates a worker that runs past the deadline, answers null, and replaces the worker', async () => {
    const spawned: boolean[] = [];
    const p = pool({
      size: 1,
      maxQueued: 0,
      graceMs: 50,
      spawn: () => {
        const hang = spawned.length === 0; // the first worker hangs, its replacement answers
        spawned.push(hang);
        return fakeWorker(hang);
      },
    });
    const started = Date.now();
    const stopped = await p.run(QUERY, (m) => m.match(['a'], Date.now() + 100));
    const took = Date.now() - started;
    expect(stopped).toBeNull();
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(2_000);
    expect(p.terminated).toBe(1);
    expect(await p.run(QUERY, (m) => m.match(['a', 'b'], Date.now() + 5_000))).toEqual({ scanned: 2, hits: [] });
    expect(spawned).toEqual([true, false]);
  });

  it('queues up to maxQueued searches, answers 429 with Retry-After past that, and serves the queue in order', async () => {
    const p = pool({ size: 1, maxQueued: 1, spawn: () => fakeWorker(false) });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = p.run(QUERY, async () => {
      await held;
      order.push('first');
    });
    const second = p.run(QUERY, async () => {
      order.push('second');
    });
    let refused: unknown;
    try {
      await p.run(QUERY, async () => undefined);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).status).toBe(429);
    expect((refused as TooManyRequestsError).code).toBe('too_many_requests');
    expect((refused as TooManyRequestsError).retryAfter).toBe(SEARCH_RETRY_AFTER_S);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });

  it('releases the worker when a search throws', async () => {
    const p = pool({ size: 1, maxQueued: 0, spawn: () => fakeWorker(false) });
    await expect(p.run(QUERY, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await p.run(QUERY, (m: BlockMatcher) => m.match(['x'], Date.now() + 1_000))).toEqual({ scanned: 1, hits: [] });
  });

  it('the real search worker matches the worst pattern on hostile lines at once', async () => {
    const p = pool({ size: 1, maxQueued: 0 });
    const texts = Array.from({ length: 100 }, (_, i) => (i === 50 ? 'aaa' : 'a'.repeat(5000) + 'b'));
    const started = Date.now();
    const result = await p.run(QUERY, (m) => m.match(texts, Date.now() + 10_000));
    expect(result).toEqual({ scanned: 100, hits: [[50, [[0, 3]]]] });
    // backtracking would never end; 10 s absorbs the worker's boot on a loaded 2-core CI box
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(p.terminated).toBe(0);
  }, 20_000);
});
