import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors';
import { collectUntil, lineNumbers, makeLines, withPeer, type Suite } from './suite';

export function describeLiveTail(suite: Suite): void {
  describe('live tail', () => {
    it('delivers lines appended after subscribing, from the job cursor on', async () => {
      const { store } = suite;
      const id = await suite.newJob('live');
      await store.append(id, 's', { lines: makeLines(1, 3) });
      const cursor = (await store.getJob(id))?.cursor ?? null;
      const controller = new AbortController();
      const iterator = store.subscribe(id, cursor, controller.signal)[Symbol.asyncIterator]();
      const pending = collectUntil(iterator, (events) => lineNumbers(events, 's').length >= 4 || events.some((e) => e.type === 'end'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await store.append(id, 's', { lines: makeLines(4, 5) });
      await store.append(id, 's', { lines: makeLines(6, 7) });
      const events = await pending;
      expect(lineNumbers(events, 's')).toEqual([4, 5, 6, 7]);
      controller.abort();
      expect(await iterator.next()).toEqual({ done: true, value: undefined });

      const tail = store.subscribe(id, cursor, new AbortController().signal)[Symbol.asyncIterator]();
      const ended = collectUntil(tail, () => false);
      await store.complete(id, 'success');
      const rest = await ended;
      expect(lineNumbers(rest, 's')).toEqual([4, 5, 6, 7]);
      expect(rest[rest.length - 1]?.type).toBe('end');
    });

    it('delivers to a subscriber on another instance what is written through this one', async (context) => {
      const { store } = suite;
      await withPeer(suite, context, async (peer) => {
        const id = await suite.newJob('peer');
        await store.append(id, 's', { lines: makeLines(1, 2) });
        const cursor = (await peer.getJob(id))?.cursor ?? null;
        const iterator = peer.subscribe(id, cursor, new AbortController().signal)[Symbol.asyncIterator]();
        const pending = collectUntil(iterator, () => false);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await store.append(id, 's', { lines: makeLines(3, 5) });
        await store.complete(id, 'success');
        const events = await pending;
        expect(lineNumbers(events, 's')).toEqual([3, 4, 5]);
        expect(events[events.length - 1]).toMatchObject({ type: 'end', status: 'success' });
        expect((await peer.readLines(id, 's', 1, 10)).lines).toEqual(makeLines(1, 5));
        expect(await peer.append(id, 's', { lines: makeLines(6, 6) }).catch((error: unknown) => (error as AppError).code)).toBe('job_completed');
      });
    });
  });
}

export function describeAbort(suite: Suite): void {
  describe('abort', () => {
    it('returns promptly on abort and leaves no listener behind', async () => {
      const { store, handle } = suite;
      const id = await suite.newJob('abort');
      await store.append(id, 's', { lines: makeLines(1, 2) });
      const baseline = handle.listenerCount?.();

      const controller = new AbortController();
      const iterator = store.subscribe(id, null, controller.signal)[Symbol.asyncIterator]();
      const replay = await collectUntil(iterator, (events) => lineNumbers(events, 's').length >= 2);
      expect(lineNumbers(replay, 's')).toEqual([1, 2]);
      const waiting = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 30));
      controller.abort();
      expect(await waiting).toEqual({ done: true, value: undefined });
      if (baseline !== undefined) expect(handle.listenerCount?.()).toBe(baseline);

      const broken = new AbortController();
      for await (const event of store.subscribe(id, null, broken.signal)) {
        expect(event.type).toBeDefined();
        break;
      }
      if (baseline !== undefined) expect(handle.listenerCount?.()).toBe(baseline);

      const early = new AbortController();
      early.abort();
      const preAborted = store.subscribe(id, null, early.signal)[Symbol.asyncIterator]();
      expect((await preAborted.next()).done).toBe(true);
      if (baseline !== undefined) expect(handle.listenerCount?.()).toBe(baseline);
    });
  });
}
