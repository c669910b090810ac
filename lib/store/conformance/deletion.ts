import { describe, expect, it } from 'vitest';
import type { AppError } from '../../errors';
import { sweepOnce } from '../../retention/sweeper';
import type { LogStore, StoreEvent } from '../types';
import { TOKEN, collectUntil, expectCode, lineNumbers, makeLines, uniqueJobId, withPeer, type Suite } from './suite';

const codeOf = (error: unknown): string => (error as AppError).code ?? String(error);

/** Reads a live subscription until it returns (after `end` or `deleted`). */
async function untilDone(iterator: AsyncIterator<StoreEvent>): Promise<StoreEvent[]> {
  return collectUntil(iterator, () => false);
}

async function liveSubscription(store: LogStore, id: string): Promise<{ done: Promise<StoreEvent[]> }> {
  const cursor = (await store.getJob(id))?.cursor ?? null;
  const iterator = store.subscribe(id, cursor, new AbortController().signal)[Symbol.asyncIterator]();
  const done = untilDone(iterator);
  // the subscription is parked at the live edge before the test goes on
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { done };
}

export function describeDeletion(suite: Suite): void {
  describe('deleteJob', () => {
    it('removes the job, its steps, lines and listing; an unknown job is false', async () => {
      const { store } = suite;
      const id = await suite.newJob('del', { title: 't', labels: { team: 'a' } });
      await store.append(id, 's', { lines: makeLines(1, 30) });
      await store.append(id, 't', { lines: makeLines(1, 3) });
      await store.complete(id, 'success');
      expect(await store.deleteJob(id)).toBe(true);
      expect(await store.getJob(id)).toBeNull();
      expect(await store.getJobPrivate(id)).toBeNull();
      await expectCode(store.readLines(id, 's', 1, 10), 'not_found');
      await expectCode(store.append(id, 's', { lines: makeLines(31, 31) }), 'not_found');
      await expectCode(store.putStep(id, 's', { status: 'running' }), 'not_found');
      await expectCode(store.putJob(id, { title: 'x' }, null), 'not_found');
      await expectCode(store.setTokenHash(id, 'b'.repeat(64)), 'not_found');
      await expectCode(collectUntil(store.subscribe(id, null, new AbortController().signal)[Symbol.asyncIterator](), () => false), 'not_found');
      const listed = await store.listJobs({ limit: 500, q: id });
      expect(listed.jobs.map((j) => j.id)).not.toContain(id);
      expect((await store.listSizes()).map((j) => j.id)).not.toContain(id);
      expect(await store.deleteJob(id)).toBe(false);
      expect(await store.deleteJob(uniqueJobId('never'))).toBe(false);
    });

    it('lets the id be created again, empty', async () => {
      const { store } = suite;
      const id = await suite.newJob('again', { labels: { v: '1' } });
      await store.append(id, 's', { lines: makeLines(1, 5) });
      expect(await store.deleteJob(id)).toBe(true);
      const { job, created } = await store.putJob(id, { labels: { v: '2' } }, { tokenHash: 'c'.repeat(64) });
      expect(created).toBe(true);
      expect(job.labels).toEqual({ v: '2' });
      expect(job.steps).toEqual([]);
      expect((await store.getJobPrivate(id))?.tokenHash).toBe('c'.repeat(64));
      await store.append(id, 's', { lines: makeLines(1, 2, (n) => `new ${n}`) });
      expect((await store.readLines(id, 's', 1, 10)).lines.map((l) => l.text)).toEqual(['new 1', 'new 2']);
      // the new job's stream holds only its own events
      const controller = new AbortController();
      const iterator = store.subscribe(id, null, controller.signal)[Symbol.asyncIterator]();
      const replay = await collectUntil(iterator, (events) => lineNumbers(events, 's').length >= 2);
      controller.abort();
      await iterator.return?.();
      expect(lineNumbers(replay, 's')).toEqual([1, 2]);
      expect(replay.some((e) => e.type === 'deleted')).toBe(false);
    });

    it('ends a live subscriber with a `deleted` event', async () => {
      const { store } = suite;
      const id = await suite.newJob('live-del');
      await store.append(id, 's', { lines: makeLines(1, 2) });
      const { done } = await liveSubscription(store, id);
      await store.append(id, 's', { lines: makeLines(3, 3) });
      await store.deleteJob(id);
      const events = await done;
      expect(events[events.length - 1]).toMatchObject({ type: 'deleted', job: id });
      expect(events.filter((e) => e.type === 'deleted')).toHaveLength(1);
    });

    it('ends a subscriber on another instance with a `deleted` event', async (context) => {
      const { store } = suite;
      await withPeer(suite, context, async (peer) => {
        const id = await suite.newJob('peer-del');
        await store.append(id, 's', { lines: makeLines(1, 2) });
        const { done } = await liveSubscription(peer, id);
        expect(await store.deleteJob(id)).toBe(true);
        const events = await done;
        expect(events[events.length - 1]).toMatchObject({ type: 'deleted', job: id });
        expect(await peer.getJob(id)).toBeNull();
      });
    });

    it('never brings the job back while writers and readers race it', async () => {
      const { store } = suite;
      const id = await suite.newJob('race');
      await store.append(id, 's', { lines: makeLines(1, 10) });
      let n = 10;
      const writer = (async () => {
        const codes: string[] = [];
        for (let i = 0; i < 30; i++) {
          try {
            await store.append(id, 's', { lines: makeLines(n + 1, n + 5) });
            n += 5;
          } catch (error) {
            codes.push(codeOf(error));
            if (codes.length >= 3) break;
          }
        }
        return codes;
      })();
      const reader = (async () => {
        const codes: string[] = [];
        for (let i = 0; i < 30; i++) {
          try {
            await store.readLines(id, 's', 1, 100);
          } catch (error) {
            codes.push(codeOf(error));
            if (codes.length >= 3) break;
          }
        }
        return codes;
      })();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.deleteJob(id)).toBe(true);
      const [writes, reads] = await Promise.all([writer, reader]);
      // a write that lost the race is refused (a deleted job or, on NATS, its sealed steps)
      for (const code of writes) expect(['not_found', 'job_completed']).toContain(code);
      for (const code of reads) expect(code).toBe('not_found');
      expect(await store.getJob(id)).toBeNull();
      expect((await store.listJobs({ limit: 500, q: id })).jobs).toEqual([]);
    });
  });

  describe('setTokenHash', () => {
    it('replaces the hash, on a completed job too; empty revokes', async () => {
      const { store } = suite;
      const id = await suite.newJob('tok');
      expect((await store.getJobPrivate(id))?.tokenHash).toBe(TOKEN.tokenHash);
      await store.setTokenHash(id, 'd'.repeat(64));
      expect((await store.getJobPrivate(id))?.tokenHash).toBe('d'.repeat(64));
      await store.complete(id, 'success');
      await store.setTokenHash(id, '');
      expect((await store.getJobPrivate(id))?.tokenHash).toBe('');
      await expectCode(store.setTokenHash(uniqueJobId('none'), 'e'.repeat(64)), 'not_found');
    });
  });

  describe('listSizes', () => {
    it('gives every job its text bytes, status and times', async () => {
      const { store } = suite;
      const id = await suite.newJob('size', { labels: { team: 'sz' } });
      await store.append(id, 's', { lines: makeLines(1, 3, () => 'abcd') });
      await store.append(id, 't', { lines: makeLines(1, 1, () => 'é') });
      await store.complete(id, 'failure');
      const size = (await store.listSizes()).find((j) => j.id === id);
      expect(size).toMatchObject({ id, labels: { team: 'sz' }, status: 'failure', bytes: 3 * 4 + 2 });
      expect(size?.endedAt).toBeGreaterThanOrEqual(size?.createdAt ?? Infinity);
    });
  });

  describe('runExclusive', () => {
    it('runs the task, and not on a second instance while one holds it', async (context) => {
      const { store } = suite;
      const task = uniqueJobId('task');
      let ran = 0;
      expect(await store.runExclusive(task, 60_000, async () => void ran++)).toBe(true);
      expect(ran).toBe(1);
      await withPeer(suite, context, async (peer) => {
        let release = () => undefined as void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let entered = () => undefined as void;
        const inside = new Promise<void>((resolve) => (entered = resolve));
        const first = store.runExclusive(task, 60_000, async () => {
          entered();
          await held;
        });
        await inside;
        expect(await peer.runExclusive(task, 60_000, async () => void ran++)).toBe(false);
        release();
        expect(await first).toBe(true);
        // released: the other instance may run it now
        expect(await peer.runExclusive(task, 60_000, async () => void ran++)).toBe(true);
        expect(ran).toBe(2);
      });
    });
  });

  describe('retention sweep (lib/retention)', () => {
    it('deletes completed jobs of the scope past its age and size, oldest first, logging each', async () => {
      const { store } = suite;
      const scope = { ret: uniqueJobId('scope') };
      const make = async (tag: string, lines: number, complete: boolean): Promise<string> => {
        const id = await suite.newJob(tag, { labels: scope });
        await store.append(id, 's', { lines: makeLines(1, lines, () => 'x'.repeat(10)) });
        if (complete) await store.complete(id, 'success');
        await new Promise((resolve) => setTimeout(resolve, 5)); // distinct end times: an order to keep
        return id;
      };
      const oldest = await make('ret-a', 10, true);
      const middle = await make('ret-b', 10, true);
      const newest = await make('ret-c', 10, true);
      const running = await make('ret-r', 10, false);
      const outside = await suite.newJob('ret-out', { labels: { ret: 'elsewhere' } });
      await store.complete(outside, 'success');

      // 400 bytes in the scope, at most 250: the two oldest completed jobs go; the running one stays
      const log: string[] = [];
      const bySize = await sweepOnce(store, [{ labels: scope, maxBytes: 250 }], Date.now(), (m) => log.push(m));
      expect(bySize.ran).toBe(true);
      expect(bySize.deleted.map((d) => d.id)).toEqual([oldest, middle]);
      expect(await store.getJob(oldest)).toBeNull();
      expect(await store.getJob(middle)).toBeNull();
      expect(await store.getJob(newest)).not.toBeNull();
      expect(log.join('\n')).toContain(`deleted job ${oldest} (100 bytes)`);

      // 40 days later, a 30-day rule: the completed job goes, the running one and other scopes stay
      const byAge = await sweepOnce(store, [{ labels: scope, maxAgeDays: 30 }], Date.now() + 40 * 24 * 3600_000, () => undefined);
      expect(byAge.deleted.map((d) => d.id)).toEqual([newest]);
      expect(await store.getJob(running)).not.toBeNull();
      expect(await store.getJob(outside)).not.toBeNull();
    });
  });
}
