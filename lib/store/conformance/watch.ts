import { describe, expect, it } from 'vitest';
import type { JobChanges } from '../job-changes';
import type { LogStore } from '../types';
import { makeLines, TOKEN, uniqueJobId, withPeer, type Suite } from './suite';

/** Reads changes until one names `jobId` (resyncs and other jobs skipped; the test timeout bounds a hang). */
async function until(iterator: AsyncIterator<JobChanges>, jobId: string): Promise<void> {
  for (;;) {
    const next = await iterator.next();
    if (next.done) throw new Error(`watchJobs ended before ${jobId} changed`);
    if (next.value.type === 'changed' && next.value.jobs.includes(jobId)) return;
  }
}

/** A watch that has said it listens (its first item is `resync`). */
async function listening(store: LogStore, signal: AbortSignal): Promise<AsyncIterator<JobChanges>> {
  const iterator = store.watchJobs(signal)[Symbol.asyncIterator]();
  const first = await iterator.next();
  expect(first.value).toEqual({ type: 'resync' });
  return iterator;
}

export function describeWatchJobs(suite: Suite): void {
  describe('watchJobs', () => {
    it('starts with resync, then names every job created, written, completed or deleted', async () => {
      const { store } = suite;
      const controller = new AbortController();
      try {
        const changes = await listening(store, controller.signal);
        const id = uniqueJobId('watch');
        await store.putJob(id, { title: 'Watched' }, TOKEN); // no steps: no event of its own
        await until(changes, id);
        await store.append(id, 'a', { lines: makeLines(1, 3) });
        await until(changes, id);
        await store.putStep(id, 'a', { status: 'failure' });
        await until(changes, id);
        await store.complete(id, 'failure');
        await until(changes, id);
        await store.deleteJob(id);
        await until(changes, id);
      } finally {
        controller.abort();
      }
    });

    it('ends when aborted', async () => {
      const controller = new AbortController();
      const changes = await listening(suite.store, controller.signal);
      const pending = changes.next();
      controller.abort();
      expect((await pending).done).toBe(true);
    });

    it('names jobs written through another server', async (context) => {
      await withPeer(suite, context, async (peer) => {
        const controller = new AbortController();
        try {
          const changes = await listening(suite.store, controller.signal);
          const id = uniqueJobId('watch-peer');
          await peer.putJob(id, { title: 'On the peer' }, TOKEN);
          await until(changes, id);
          await peer.complete(id, 'success');
          await until(changes, id);
          expect((await suite.store.listJobs({ limit: 1, visible: { jobs: [id] } })).jobs.map((j) => [j.id, j.status])).toEqual([[id, 'success']]);
        } finally {
          controller.abort();
        }
      });
    });
  });
}
