import { describe, expect, it } from 'vitest';
import { MAX_EVENT_LINES } from '../plan';
import { expectCode, collectToEnd, atoms, lineNumbers, stepOf, TOKEN, makeLines, type Suite } from './suite';

export function describeCompletion(suite: Suite): void {
  describe('completion', () => {
    it('ends running steps, emits end last, refuses later writes, replays after completion', async () => {
      const { store } = suite;
      const id = await suite.newJob('complete', { steps: [{ id: 'later' }, { id: 'done' }] });
      await store.append(id, 'run', { lines: makeLines(1, 5) });
      await store.putStep(id, 'done', { status: 'success' });
      const job = await store.complete(id, 'failure');
      expect(job.status).toBe('failure');
      expect(job.endedAt).toEqual(expect.any(Number));
      expect(stepOf(job.steps, 'run')).toMatchObject({ status: 'cancelled' });
      expect(stepOf(job.steps, 'run').endedAt).toEqual(expect.any(Number));
      expect(stepOf(job.steps, 'later').status).toBe('cancelled');
      expect(stepOf(job.steps, 'done').status).toBe('success');

      await expectCode(store.append(id, 'run', { lines: makeLines(6, 6) }), 'job_completed');
      await expectCode(store.append(id, 'run', { lines: makeLines(1, 1) }), 'job_completed');
      await expectCode(store.putStep(id, 'run', { status: 'running' }), 'job_completed');
      await expectCode(store.complete(id, 'success'), 'job_completed');
      await expectCode(store.putJob(id, { title: 'renamed after the fact' }, TOKEN), 'job_completed');
      await expectCode(store.putJob(id, { labels: { late: 'yes' } }, TOKEN), 'job_completed');
      await expectCode(store.putJob(id, { steps: [{ id: 'late' }] }, TOKEN), 'job_completed');
      const retried = await store.putJob(id, { title: job.title, steps: [{ id: 'done' }] }, TOKEN);
      expect(retried).toMatchObject({ created: false, job: { title: job.title, labels: job.labels, status: 'failure' } });
      expect(retried.job.steps.map((s) => s.id)).toEqual(job.steps.map((s) => s.id));

      const events = await collectToEnd(store, id, null);
      const last = events[events.length - 1];
      expect(last).toMatchObject({ type: 'end', status: 'failure' });
      expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
      const jobEvents = events.filter((e) => e.type === 'job');
      expect(jobEvents[jobEvents.length - 1]).toMatchObject({ job: { id, status: 'failure' } });
      const runEnd = events.filter((e) => e.type === 'step' && e.step.id === 'run');
      expect(runEnd[runEnd.length - 1]).toMatchObject({ step: { status: 'cancelled' } });
      expect(lineNumbers(events, 'run')).toEqual([1, 2, 3, 4, 5]);

      const meta = await store.getJob(id);
      expect(meta?.cursor).toBe(last?.cursor);
      expect(await collectToEnd(store, id, meta?.cursor ?? null)).toEqual([]);
    });

    it('completes steps as success when the job succeeds', async () => {
      const { store } = suite;
      const id = await suite.newJob('success', { steps: [{ id: 'p' }] });
      await store.append(id, 'r', { lines: makeLines(1, 1) });
      const job = await store.complete(id, 'success');
      expect(job.steps.map((s) => s.status)).toEqual(['success', 'success']);
    });
  });
}

export function describeResume(suite: Suite): void {
  describe('resume from a cursor', () => {
    it('resumes from every cursor with exactly the remaining events', async () => {
      const { store } = suite;
      const id = await suite.newJob('resume', { steps: [{ id: 'one' }, { id: 'two' }] });
      await store.append(id, 'one', { lines: makeLines(1, 2500) });
      await store.putStep(id, 'two', { status: 'running' });
      await store.append(id, 'two', { lines: makeLines(1, 3), groups: [{ id: 'g', name: 'G', parent: null, start: 1, end: null, startedAt: null, endedAt: null }] });
      await store.append(id, 'one', { lines: makeLines(2501, 2600) });
      await store.append(id, 'one', { lines: makeLines(2590, 2610) });
      await store.putStep(id, 'one', { status: 'success' });
      await store.append(id, 'three', { lines: makeLines(1, 1) });
      await store.complete(id, 'success');

      const all = await collectToEnd(store, id, null);
      const allAtoms = atoms(all);
      expect(lineNumbers(all, 'one')).toEqual(makeLines(1, 2610).map((l) => l.n));
      expect(lineNumbers(all, 'two')).toEqual([1, 2, 3]);
      for (const event of all) if (event.type === 'lines') expect(event.lines.length).toBeLessThanOrEqual(MAX_EVENT_LINES);
      expect(new Set(all.map((e) => e.cursor)).size).toBe(all.length);
      expect(all[all.length - 1]?.type).toBe('end');

      for (let i = 0; i < all.length; i++) {
        const rest = await collectToEnd(store, id, all[i]?.cursor ?? null);
        const consumed = atoms(all.slice(0, i + 1)).length;
        expect(atoms(rest)).toEqual(allAtoms.slice(consumed));
      }
    });

    it('answers bad_request for a cursor it cannot parse', async () => {
      const { store } = suite;
      const id = await suite.newJob('badcursor');
      await store.append(id, 's', { lines: makeLines(1, 1) });
      for (const cursor of ['not-a-cursor', '-1', '', '1e400', '💥']) await expectCode(collectToEnd(store, id, cursor), 'bad_request');
    });

    it('answers bad_request for a cursor beyond the end of the job, instead of waiting for it forever', async () => {
      const { store } = suite;
      const id = await suite.newJob('ahead');
      await store.append(id, 's', { lines: makeLines(1, 1) });
      // a cursor from a later, longer job: past everything this job has (a store's cursors grow)
      const other = await suite.newJob('ahead-other');
      for (let from = 1; from <= 50; from += 10) await store.append(other, 's', { lines: makeLines(from, from + 9) });
      const foreign = (await store.getJob(other))?.cursor ?? null;
      expect(foreign).not.toBeNull();
      await expectCode(collectToEnd(store, id, foreign), 'bad_request');
      // its own cursor is fine, and still the end of a running job's replay
      const own = (await store.getJob(id))?.cursor ?? null;
      const controller = new AbortController();
      const iterator = store.subscribe(id, own, controller.signal)[Symbol.asyncIterator]();
      const waiting = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      expect(await waiting).toEqual({ done: true, value: undefined });
    });
  });
}
