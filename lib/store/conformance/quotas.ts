import { describe, expect, it } from 'vitest';
import type { Line } from '../../contracts';
import { MAX_GROUPS_PER_STEP, MAX_STEPS_PER_JOB } from '../plan';
import type { LogStore } from '../types';
import { collectToEnd, expectCode, lineNumbers, makeLines, stepOf, withPeer, type Suite } from './suite';

/** `count` lines of one writer, told apart by their text (`n` is 0: the store numbers them). */
function writerLines(writer: string, batch: number, count: number): Line[] {
  return Array.from({ length: count }, (_, i) => ({ n: 0, ts: 1, stream: 'out' as const, text: `${writer} ${batch * count + i}` }));
}

/** Two writers each appending `batches` batches at the end of one step, interleaved in time. */
async function raceAtEnd(a: LogStore, b: LogStore, id: string, batches: number, size: number): Promise<void> {
  const write = async (store: LogStore, writer: string) => {
    for (let i = 0; i < batches; i++) {
      const result = await store.append(id, 's', { mode: 'end', lines: writerLines(writer, i, size) });
      expect(result).toMatchObject({ accepted: size, duplicates: 0 });
    }
  };
  await Promise.all([write(a, 'a'), write(b, 'b')]);
}

/** Every line of both writers stored once, dense, each writer's lines in its own order. */
async function expectBothLanded(store: LogStore, id: string, perWriter: number): Promise<void> {
  const { lines, last } = await store.readLines(id, 's', 1, 5000);
  expect(last).toBe(2 * perWriter);
  expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 2 * perWriter }, (_, i) => i + 1));
  for (const writer of ['a', 'b']) {
    const mine = lines.filter((l) => l.text.startsWith(`${writer} `)).map((l) => l.text);
    expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => `${writer} ${i}`));
  }
}

export function describeAppendAtEnd(suite: Suite): void {
  describe('appends at the end (mode end)', () => {
    it('numbers each batch after the last line, whatever n its lines carry', async () => {
      const { store } = suite;
      const id = await suite.newJob('end');
      await store.append(id, 's', { lines: makeLines(1, 3) });
      expect(await store.append(id, 's', { mode: 'end', lines: makeLines(1, 2, (n) => `again ${n}`) })).toEqual({ accepted: 2, duplicates: 0, last: 5 });
      expect((await store.readLines(id, 's', 4, 10)).lines.map((l) => [l.n, l.text])).toEqual([[4, 'again 1'], [5, 'again 2']]);
      await store.complete(id, 'success');
      expect(lineNumbers(await collectToEnd(store, id, null), 's')).toEqual([1, 2, 3, 4, 5]);
    });

    it('lands every line of two concurrent writers, each in its own order', async () => {
      const { store } = suite;
      const id = await suite.newJob('end-race');
      await raceAtEnd(store, store, id, 20, 25);
      await expectBothLanded(store, id, 500);
    });

    it('lands every line of two writers on two instances', async (context) => {
      await withPeer(suite, context, async (peer) => {
        const id = await suite.newJob('end-peer');
        await raceAtEnd(suite.store, peer, id, 20, 25);
        await expectBothLanded(peer, id, 500);
      });
    });

    it('refuses a stale base with the last line, storing nothing', async () => {
      const { store } = suite;
      const id = await suite.newJob('end-base');
      await store.append(id, 's', { lines: makeLines(1, 4) });
      const stale = await expectCode(store.append(id, 's', { mode: 'end', base: 2, lines: makeLines(3, 3), state: { x: 1 } }), 'conflict');
      expect(stale.details).toMatchObject({ last: 4 });
      expect((await store.readLines(id, 's', 1, 10)).last).toBe(4);
      expect(await store.getStepState(id, 's')).toBeNull();
      expect(await store.append(id, 's', { mode: 'end', base: 4, lines: makeLines(1, 1) })).toEqual({ accepted: 1, duplicates: 0, last: 5 });
    });
  });
}

export function describeQuotas(suite: Suite): void {
  describe('per-job quotas', () => {
    it(`refuses step ${MAX_STEPS_PER_JOB + 1} of a job however it would be created, storing nothing`, async () => {
      const { store } = suite;
      const steps = Array.from({ length: MAX_STEPS_PER_JOB }, (_, i) => ({ id: `s${i}` }));
      const id = await suite.newJob('steps', { steps });
      const quota = { limit: 'steps_per_job', max: MAX_STEPS_PER_JOB };
      expect((await expectCode(store.putStep(id, 'extra', {}), 'quota_exceeded')).details).toEqual(quota);
      expect((await expectCode(store.append(id, 'extra', { lines: makeLines(1, 1) }), 'quota_exceeded')).details).toEqual(quota);
      expect((await expectCode(store.putJob(id, { steps: [{ id: 'extra' }] }, { tokenHash: 'x' }), 'quota_exceeded')).details).toEqual(quota);
      const job = await store.getJob(id);
      expect(job?.steps).toHaveLength(MAX_STEPS_PER_JOB);
      expect(job?.steps.some((s) => s.id === 'extra')).toBe(false);
      // known steps still take writes
      expect(await store.append(id, 's7', { lines: makeLines(1, 1) })).toMatchObject({ accepted: 1 });
    });

    it(`refuses more than ${MAX_GROUPS_PER_STEP} groups in a step, storing nothing of the batch`, async () => {
      const { store } = suite;
      const id = await suite.newJob('groups');
      await store.append(id, 's', { lines: makeLines(1, 2) });
      const groups = Array.from({ length: MAX_GROUPS_PER_STEP + 1 }, (_, i) => ({ id: `g${i}`, name: `G${i}`, parent: null, start: 1, end: 1, startedAt: null, endedAt: null }));
      const error = await expectCode(store.append(id, 's', { lines: makeLines(3, 4), groups }), 'quota_exceeded');
      expect(error.details).toEqual({ limit: 'groups_per_step', max: MAX_GROUPS_PER_STEP });
      const step = stepOf((await store.getJob(id))?.steps ?? [], 's');
      expect(step).toMatchObject({ lines: 2, groups: [] });
      expect(await store.append(id, 's', { lines: makeLines(3, 4), groups: groups.slice(1) })).toMatchObject({ accepted: 2 });
    });
  });
}
