import { describe, expect, it } from 'vitest';
import type { StepErrors } from '../../contracts';
import { StaleAppendError } from '../../errors';
import { ingestLines, stepErrorIndex, type RawLine } from '../../ingest';
import { createErrorIndex, errorsPage, MAX_ERRORS_PER_STEP } from '../../triage';
import { forgetWriteState, writeLines } from '../../writes/line-writer';
import type { LogStore } from '../types';
import { collectToEnd, makeLines, stepOf, TOKEN, uniqueJobId, withPeer, type Suite } from './suite';

/**
 * Error lines (issue 11, docs/triage.md): the write path classifies every stored line on its
 * masked text into the step's error index, kept in the ingest state; the store keeps the
 * summary (StepMeta.errors) with the step, emits it in a `step` event when it changes, never
 * counts a line twice and never moves it back.
 */
export function describeErrors(suite: Suite): void {
  const encoder = new TextEncoder();
  const body = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode(text));
        c.close();
      },
    });
  /** POST lines as the route does: NDJSON numbered from `first`, or text at the end. */
  const post = (store: LogStore, jobId: string, stepId: string, texts: string[], first?: number) =>
    writeLines(store, {
      jobId,
      stepId,
      format: first === undefined ? 'text' : 'ndjson',
      body: body(
        first === undefined
          ? texts.map((t) => `${t}\n`).join('')
          : texts.map((text, i) => `${JSON.stringify({ n: first + i, text, ts: 1_700_000_000_000 + i, stream: text.startsWith('E!') ? 'err' : 'out' })}\n`).join(''),
      ),
      stream: 'out',
      maxBodyBytes: 16 * 1024 * 1024,
      now: () => 1_700_000_000_000,
    });
  const summary = async (store: LogStore, id: string, step = 's'): Promise<StepErrors | undefined> => stepOf((await store.getJob(id))?.steps ?? [], step).errors;
  const indexOf = async (store: LogStore, id: string, step = 's') => stepErrorIndex(await store.getStepState(id, step));
  /** error lines of a log: every 5th line from 3 on is a compiler error (line 5k+3) */
  const log = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ((from + i) % 5 === 3 ? `src/a.ts:${from + i}:1: error TS2322: bad` : `ok ${from + i}`));

  describe('error lines (StepMeta.errors, the step error index)', () => {
    it('counts the error lines of appends and keeps their index with the ingest state', async () => {
      const { store } = suite;
      const id = await suite.newJob('errors');
      await post(store, id, 's', log(1, 4), 1);
      expect(await summary(store, id)).toEqual({ count: 1, first: 3, truncated: false });
      await post(store, id, 's', ['fine', 'Traceback (most recent call last):', '  File "x.py", line 1', 'ValueError: x', 'done'], 5);
      expect(await summary(store, id)).toEqual({ count: 2, first: 3, truncated: false });
      const page = errorsPage('s', await indexOf(store, id), 0, 10);
      expect(page).toEqual({ step: 's', count: 2, truncated: false, errors: [{ n: 3, rule: 'compiler' }, { n: 6, rule: 'traceback' }], next: null });
      // a step without error lines has no summary
      await post(store, id, 'clean', ['all good', 'PASS x'], 1);
      expect(await summary(store, id, 'clean')).toBeUndefined();
      expect(errorsPage('clean', await indexOf(store, id, 'clean'), 0, 10).count).toBe(0);
    });

    it('a retried batch does not count its errors twice (numbered lines, any instance, from an older state)', async () => {
      const { store } = suite;
      const id = await suite.newJob('errors-retry');
      expect(await post(store, id, 's', log(1, 20), 1)).toMatchObject({ accepted: 20 });
      const after = await summary(store, id);
      expect(after).toEqual({ count: 4, first: 3, truncated: false });
      // the same request again, and a part of it, as another server with no cached state would
      forgetWriteState(id);
      expect(await post(store, id, 's', log(1, 20), 1)).toMatchObject({ accepted: 0, duplicates: 20 });
      forgetWriteState(id);
      expect(await post(store, id, 's', log(11, 25), 11)).toMatchObject({ accepted: 5, duplicates: 10 });
      expect(await summary(store, id)).toEqual({ count: 5, first: 3, truncated: false });
      expect(errorsPage('s', await indexOf(store, id), 0, 10).errors.map((e) => e.n)).toEqual([3, 8, 13, 18, 23]);
      // a summary from an older state (fewer errors) never moves the step's back
      await store.append(id, 's', { lines: makeLines(26, 26), errors: { count: 1, first: 3, truncated: false } });
      expect(await summary(store, id)).toEqual({ count: 5, first: 3, truncated: false });
      // a batch that stores nothing changes nothing either
      await store.append(id, 's', { lines: makeLines(1, 2), errors: { count: 9, first: 1, truncated: false } });
      expect(await summary(store, id)).toEqual({ count: 5, first: 3, truncated: false });
    });

    /**
     * Two servers' writers without a shared lock or cache: each ingests a batch against the
     * step's last line and appends it with that `base`; on a stale base it reads the step again.
     */
    const raceWriters = async (a: LogStore, b: LogStore, id: string) => {
      const lastOf = async (store: LogStore) => (await store.getJob(id))?.steps.find((s) => s.id === 's')?.lines ?? 0;
      const writer = async (store: LogStore, tag: string) => {
        for (let batch = 0; batch < 8; batch++) {
          const texts = [`${tag} ${batch} ok`, `E!${tag} ${batch} error: failed`, `${tag} ${batch} done`];
          for (;;) {
            const last = await lastOf(store);
            const raw: RawLine[] = texts.map((text, i) => ({ n: last + 1 + i, ts: 1, stream: text.startsWith('E!') ? 'err' : 'out', text }));
            const out = ingestLines(await store.getStepState(id, 's'), raw, []);
            try {
              await store.append(id, 's', { mode: 'end', base: last, lines: out.lines, state: out.state, ...(out.errors ? { errors: out.errors } : {}) });
              break;
            } catch (error) {
              if (!(error instanceof StaleAppendError)) throw error;
            }
          }
        }
      };
      await Promise.all([writer(a, 'a'), writer(b, 'b')]);
      const lines = (await b.readLines(id, 's', 1, 100)).lines;
      expect(lines).toHaveLength(48);
      const expected = lines.filter((l) => l.text.startsWith('E!')).map((l) => l.n);
      expect(expected).toHaveLength(16);
      for (const store of [a, b]) {
        expect(await summary(store, id)).toEqual({ count: 16, first: expected[0], truncated: false });
        expect(errorsPage('s', await indexOf(store, id), 0, 100).errors.map((e) => e.n)).toEqual(expected);
      }
    };

    it('`end`-mode writers racing: every error line counted once, at its stored number', async () => {
      await raceWriters(suite.store, suite.store, await suite.newJob('errors-end'));
    });

    it('`end`-mode writers racing on two instances: the same', async (context) => {
      await withPeer(suite, context, async (peer) => {
        await raceWriters(suite.store, peer, await suite.newJob('errors-end-peer'));
      });
    });

    it('classifies the masked text: a secret that reads as an error is no error once masked', async () => {
      const { store } = suite;
      const id = await suite.newJob('errors-mask');
      const secret = 'panic: zebra42';
      // unmasked, the line would be an error (so this test can fail)
      expect(createErrorIndex().add(2, secret)).not.toBeNull();
      await post(store, id, 's', [`::add-mask::${secret}`, secret, `token=${secret}`, 'error: real failure']);
      expect((await store.readLines(id, 's', 2, 1)).lines[0]?.text).toBe('***');
      expect(await summary(store, id)).toEqual({ count: 1, first: 4, truncated: false });
      expect(errorsPage('s', await indexOf(store, id), 0, 10).errors).toEqual([{ n: 4, rule: 'level' }]);
    });

    it('emits a step event carrying the summary whenever it changes, and none when it does not', async () => {
      const { store } = suite;
      const id = await suite.newJob('errors-event');
      await post(store, id, 's', ['one', 'error: first'], 1);
      await post(store, id, 's', ['three', 'four'], 3);
      await post(store, id, 's', ['FAIL src/x.test.ts'], 5);
      await store.complete(id, 'failure');
      const events = await collectToEnd(store, id, null);
      const counts = events.flatMap((e) => (e.type === 'step' && e.step.errors ? [e.step.errors.count] : []));
      // first error, second error, then the completion's step event keeps it
      expect(counts).toEqual([1, 2, 2]);
      const last = events.filter((e) => e.type === 'step').at(-1);
      expect(last?.type === 'step' && last.step.errors).toEqual({ count: 2, first: 2, truncated: false });
    });

    it(`keeps the first ${MAX_ERRORS_PER_STEP} error lines and counts the rest (truncated)`, async () => {
      const { store } = suite;
      const id = await suite.newJob('errors-cap');
      const texts = Array.from({ length: MAX_ERRORS_PER_STEP + 5 }, (_, i) => `error: number ${i + 1}`);
      await post(store, id, 's', texts, 1);
      expect(await summary(store, id)).toEqual({ count: MAX_ERRORS_PER_STEP + 5, first: 1, truncated: true });
      const page = errorsPage('s', await indexOf(store, id), 990, 1000);
      expect(page.errors.map((e) => e.n)).toEqual([991, 992, 993, 994, 995, 996, 997, 998, 999, 1000]);
      expect(page).toMatchObject({ count: MAX_ERRORS_PER_STEP + 5, truncated: true, next: null });
    });

    it('lists the first error of the first failed step as the job’s firstError', async () => {
      const { store } = suite;
      const tag = uniqueJobId('errors-list');
      const failed = `${tag}-f`;
      await store.putJob(failed, { title: tag, steps: [{ id: 'a' }, { id: 'b' }] }, TOKEN);
      await post(store, failed, 'a', ['warning only', 'error: in a passing step'], 1);
      await post(store, failed, 'b', ['x', 'y', 'FAIL src/y.test.ts'], 1);
      await store.putStep(failed, 'a', { status: 'success' });
      await store.putStep(failed, 'b', { status: 'failure' });
      await store.complete(failed, 'failure');
      const passed = `${tag}-p`;
      await store.putJob(passed, { title: tag }, TOKEN);
      await post(store, passed, 'a', ['error: noise in a passing job'], 1);
      await store.complete(passed, 'success');
      const listed = await store.listJobs({ q: tag, limit: 5 });
      expect(Object.fromEntries(listed.jobs.map((j) => [j.id, j.firstError]))).toEqual({ [failed]: { step: 'b', n: 3 }, [passed]: null });
    });

    it('a fresh store instance sees the summary and the index, and goes on counting from them', async (context) => {
      const own = await suite.factory();
      if (!own.reopen) {
        await own.cleanup();
        context.skip();
        return;
      }
      try {
        const id = uniqueJobId('errors-reopen');
        await own.store.putJob(id, {}, TOKEN);
        await post(own.store, id, 's', log(1, 10), 1);
        const before = await summary(own.store, id);
        expect(before).toEqual({ count: 2, first: 3, truncated: false });
        await own.store.close();
        forgetWriteState(id);
        const second = await own.reopen();
        try {
          expect(await summary(second, id)).toEqual(before);
          expect(errorsPage('s', await indexOf(second, id), 0, 10).errors.map((e) => e.n)).toEqual([3, 8]);
          await post(second, id, 's', log(11, 15), 11);
          expect(await summary(second, id)).toEqual({ count: 3, first: 3, truncated: false });
          expect(errorsPage('s', await indexOf(second, id), 3, 10).errors.map((e) => e.n)).toEqual([8, 13]);
        } finally {
          await second.close();
        }
      } finally {
        await own.cleanup();
      }
    });
  });
}
