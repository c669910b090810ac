import { describe, expect, it } from 'vitest';
import { QuotaError, StaleMasksError } from '../../errors';
import { MAX_MASK_CHARS, MAX_MASKS_PER_JOB } from '../../ingest/masks';
import type { LogStore } from '../types';
import { expectCode, makeLines, stepOf, withPeer, type Suite } from './suite';

/**
 * The masks version (lib/store/plan/masks.ts): once addMasks resolves, an append masked with
 * fewer masks stores nothing and throws StaleMasksError, whatever step it targets (with lines,
 * pending, new) and whichever instance wrote before.
 */
export function describeMasks(suite: Suite): void {
  const linesOf = async (store: LogStore, id: string, step: string) => (await store.getJob(id))?.steps.find((s) => s.id === step)?.lines ?? 0;

  describe('masks', () => {
    it('addMasks appends distinct values in order and answers the list (its length is the version)', async () => {
      const { store } = suite;
      const id = await suite.newJob('mask-list');
      expect((await store.getJobPrivate(id))?.masks).toEqual([]);
      expect(await store.addMasks(id, ['s3cr3t', 'hunter2', 's3cr3t'])).toEqual(['s3cr3t', 'hunter2']);
      expect(await store.addMasks(id, ['hunter2', 'tok_abc'])).toEqual(['s3cr3t', 'hunter2', 'tok_abc']);
      expect(await store.addMasks(id, ['tok_abc'])).toEqual(['s3cr3t', 'hunter2', 'tok_abc']);
      expect((await store.getJobPrivate(id))?.masks).toEqual(['s3cr3t', 'hunter2', 'tok_abc']);
    });

    it('refuses an append masked with an older version, on every kind of step; stores nothing', async () => {
      const { store } = suite;
      const id = await suite.newJob('mask-stale', { steps: [{ id: 'declared' }] });
      await store.append(id, 'busy', { lines: makeLines(1, 3), masksVersion: 0 });
      await store.addMasks(id, ['s3cr3t']);
      for (const step of ['busy', 'declared', 'fresh']) {
        const before = await linesOf(store, id, step);
        const error = await expectCode(store.append(id, step, { lines: makeLines(before + 1, before + 2), masksVersion: 0 }), 'conflict');
        expect(error).toBeInstanceOf(StaleMasksError);
        expect(await linesOf(store, id, step)).toBe(before);
      }
      expect(stepOf((await store.getJob(id))?.steps ?? [], 'declared').status).toBe('pending');
      // the current version, or none (a write with nothing to mask), is taken
      expect((await store.append(id, 'busy', { lines: makeLines(4, 5), masksVersion: 1 })).accepted).toBe(2);
      expect((await store.append(id, 'declared', { lines: makeLines(1, 1), masksVersion: 2 })).accepted).toBe(1);
      expect((await store.append(id, 'busy', { lines: makeLines(6, 6) })).accepted).toBe(1);
      expect((await store.readLines(id, 'busy', 1, 10)).lines.map((l) => l.n)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('a mask added by another instance refuses this one’s stale append at once', async (context) => {
      await withPeer(suite, context, async (peer) => {
        const { store } = suite;
        const id = await suite.newJob('mask-peer');
        // this instance has the step's tail cached
        await store.append(id, 's', { lines: makeLines(1, 2), masksVersion: 0 });
        await peer.addMasks(id, ['from-the-peer']);
        await expectCode(store.append(id, 's', { lines: makeLines(3, 4), masksVersion: 0 }), 'conflict');
        expect((await store.append(id, 's', { lines: makeLines(3, 4), masksVersion: 1 })).accepted).toBe(2);
        expect((await peer.readLines(id, 's', 1, 10)).lines.map((l) => l.n)).toEqual([1, 2, 3, 4]);
      });
    });

    it('appends racing addMasks: every one that starts after it resolved is refused', async () => {
      const { store } = suite;
      const id = await suite.newJob('mask-race');
      const steps = ['a', 'b', 'c'];
      for (const step of steps) await store.append(id, step, { lines: makeLines(1, 1), masksVersion: 0 });
      let acknowledged = false;
      const adding = store.addMasks(id, ['raced-secret']).then(() => {
        acknowledged = true;
      });
      const outcomes = await Promise.all(
        steps.map(async (step) => {
          const results: Array<{ late: boolean; ok: boolean }> = [];
          for (let n = 2; n <= 6; n++) {
            const late = acknowledged;
            const ok = await store.append(id, step, { lines: makeLines(n, n), masksVersion: 0 }).then(
              () => true,
              (error: unknown) => {
                if (error instanceof StaleMasksError) return false;
                throw error;
              },
            );
            results.push({ late, ok });
            if (!ok) break;
          }
          return results;
        }),
      );
      await adding;
      for (const result of outcomes.flat()) if (result.late) expect(result.ok).toBe(false);
    });

    it(`caps a job at MAX_MASKS_PER_JOB (${MAX_MASKS_PER_JOB}) values and MAX_MASK_CHARS chars each, adding nothing`, async () => {
      const { store } = suite;
      const id = await suite.newJob('mask-cap');
      const values = Array.from({ length: MAX_MASKS_PER_JOB - 1 }, (_, i) => `secret-${i}`);
      expect(await store.addMasks(id, values)).toHaveLength(MAX_MASKS_PER_JOB - 1);
      const refused = await expectCode(store.addMasks(id, ['one-more', 'and-another']), 'quota_exceeded');
      expect(refused).toBeInstanceOf(QuotaError);
      expect(refused.details).toEqual({ limit: 'masks_per_job', max: MAX_MASKS_PER_JOB });
      expect(await store.addMasks(id, ['secret-0', 'the-last-one'])).toHaveLength(MAX_MASKS_PER_JOB);
      expect((await expectCode(store.addMasks(id, ['x'.repeat(MAX_MASK_CHARS + 1)]), 'quota_exceeded')).details).toEqual({ limit: 'mask_chars', max: MAX_MASK_CHARS });
      expect(await store.addMasks(id, ['secret-1'])).toHaveLength(MAX_MASKS_PER_JOB);
      expect((await store.getJobPrivate(id))?.masks).toHaveLength(MAX_MASKS_PER_JOB);
    });
  });
}
