import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../../../test/support';
import { makeLines } from '../conformance';
import type { LogStore, StoreEvent } from '../types';
import { createPostgresStore } from './index';

/**
 * A database that goes away while viewers wait: their subscriptions must fail (so the
 * browser shows "reconnecting" and resumes by cursor), not hang silently. Runs against a
 * private cluster that it stops and starts, never the machine's shared PostgreSQL.
 */
const PORT = 55438;
let pg: PrivatePostgres | null = null;
let store: LogStore | null = null;
const canRun = process.getuid?.() === 0;

describe.runIf(canRun)('postgres store when the database goes away', () => {
  beforeAll(() => {
    pg = startPrivatePostgres(PORT);
  }, 60_000);
  afterAll(async () => {
    await store?.close().catch(() => undefined);
    pg?.destroy();
  });

  it('fails waiting subscriptions with unavailable, then serves again after a restart', async () => {
    store = await createPostgresStore({ url: pg!.url() });
    const jobId = `outage-${Date.now()}`;
    await store.putJob(jobId, {}, { tokenHash: 'c'.repeat(64) });
    await store.append(jobId, 's', { lines: makeLines(1, 3) });

    const seen: StoreEvent[] = [];
    const controller = new AbortController();
    const watching = (async () => {
      for await (const event of store!.subscribe(jobId, null, controller.signal)) seen.push(event);
    })();
    await expect.poll(() => seen.some((e) => e.type === 'lines'), { timeout: 10_000 }).toBe(true);

    pg!.stop();
    const started = Date.now();
    await expect(watching).rejects.toMatchObject({ code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect(store.append(jobId, 's', { lines: makeLines(4, 4) })).rejects.toMatchObject({ code: 'unavailable' });

    pg!.start();
    // Back: the acknowledged lines are there, the refused one is not, and writing resumes.
    await expect.poll(async () => (await store!.readLines(jobId, 's', 1, 10).catch(() => null))?.last, { timeout: 20_000 }).toBe(3);
    expect((await store.append(jobId, 's', { lines: makeLines(4, 4) })).accepted).toBe(1);
    controller.abort();
  }, 90_000);
});
