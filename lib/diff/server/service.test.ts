import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendGate, uniqueJobId } from '../../../test/support';
import type { JobMeta } from '../../contracts';
import { TooManyRequestsError } from '../../errors';
import type { LogStore } from '../../store/types';
import { writeLines } from '../../writes/line-writer';
import { NORMALISE_RULE_IDS } from '../normalise';
import { DiffCache } from './cache';
import { DiffPool, inThreadRunner, type DiffRunner } from './pool';
import { DiffService, type DiffTarget } from './service';
import { storeBackends } from '../../../test/support/backends';

/**
 * The diff service on stores (file, PostgreSQL and NATS): both steps read from the store page by
 * page, the diff's counts, the per-step summary with added error lines, 202-style "computing"
 * when it may not wait, a live step's older diff while the grown one is computed, and the 429.
 */

const TOKEN = { tokenHash: 'e'.repeat(64) };
const encoder = new TextEncoder();

/** A build log of `n` lines; every line carries run-to-run noise (time, duration, hash); `run` varies it. */
function buildLog(run: number, n = 60): string[] {
  return Array.from({ length: n }, (_, i) => {
    const ts = `2026-11-${10 + run}T0${run}:0${i % 10}:1${i % 10}.${run}23Z`;
    return `${ts} [${i + 1}/${n}] compiling module_${i}.ts in ${run * 7 + i}ms (${(run * 0x9e3779b1 + i * 7919).toString(16).padStart(8, 'a')}f00)`;
  });
}

async function putRun(store: LogStore, prefix: string, steps: Record<string, string[]>, status: 'success' | 'failure' | null, names: Record<string, string> = {}): Promise<JobMeta> {
  const jobId = uniqueJobId(prefix);
  await store.putJob(jobId, { title: prefix, steps: Object.keys(steps).map((id) => ({ id, name: names[id] ?? id })) }, TOKEN);
  for (const [stepId, texts] of Object.entries(steps)) {
    if (texts.length === 0) continue;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode(texts.join('\n') + '\n'));
        c.close();
      },
    });
    await writeLines(store, { jobId, stepId, body, format: 'text', stream: 'out', maxBodyBytes: 1 << 24 });
  }
  if (status) await store.complete(jobId, status);
  return (await store.getJob(jobId))!;
}

const target = (job: JobMeta, base: JobMeta, step: string, baseStep = step): DiffTarget => ({
  job,
  base,
  headStep: job.steps.find((s) => s.id === step)!,
  baseStep: base.steps.find((s) => s.id === baseStep)!,
  rules: NORMALISE_RULE_IDS,
});

async function untilDone(service: DiffService, store: LogStore, t: DiffTarget) {
  for (;;) {
    const outcome = await service.stepDiff(store, t);
    if (outcome.state === 'done') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const backends = storeBackends('diffsvc');

for (const backend of backends) {
  const gate = await backendGate(backend.name, await backend.reachable());
  describe.skipIf(gate === 'skip')(`diff service (${backend.name})`, () => {
    let store: LogStore;
    let cleanup: () => Promise<void>;
    let green: JobMeta;
    let red: JobMeta;
    beforeAll(async () => {
      ({ store, cleanup } = await backend.open());
      const log = buildLog(1);
      green = await putRun(store, 'diff-green', { setup: ['install', 'ok'], build: log, docs: ['docs ok'] }, 'success');
      const changed = buildLog(2);
      changed.splice(30, 1, 'src/app.ts:12:5 - error TS2322: Type string is not assignable to type number');
      changed.push('ERROR build failed');
      red = await putRun(store, 'diff-red', { setup: ['install', 'ok'], build: changed, lint: ['lint ok'] }, 'failure');
    });
    afterAll(async () => cleanup?.());

    it('normalised, two runs differ only in the real change; raw, in every line', async () => {
      const service = new DiffService(inThreadRunner, new DiffCache(), 60_000);
      const outcome = await service.stepDiff(store, target(red, green, 'build'));
      expect(outcome.state).toBe('done');
      if (outcome.state !== 'done') return;
      expect(outcome.complete).toBe(true);
      expect(outcome.diff.summary).toMatchObject({ counts: { added: 2, removed: 1, unchanged: 59 }, baseLines: 60, headLines: 61 });
      expect(outcome.diff.page(0, 10).hunks).toEqual([
        { kind: 'equal', baseFrom: 1, baseTo: 31, headFrom: 1, headTo: 31 },
        { kind: 'changed', baseFrom: 31, baseTo: 32, headFrom: 31, headTo: 32 },
        { kind: 'equal', baseFrom: 32, baseTo: 61, headFrom: 32, headTo: 61 },
        { kind: 'added', baseFrom: 61, baseTo: 61, headFrom: 61, headTo: 62 },
      ]);
      const raw = await service.stepDiff(store, { ...target(red, green, 'build'), rules: [] });
      if (raw.state !== 'done') throw new Error('raw diff not done');
      expect(raw.diff.summary.counts.unchanged).toBe(0);
    });

    it('lists the steps that differ first, with their added error lines', async () => {
      const service = new DiffService(inThreadRunner, new DiffCache(), 60_000);
      const { rows, complete } = await service.stepRows(store, red, green, NORMALISE_RULE_IDS);
      expect(complete).toBe(true);
      expect(rows.map((r) => [r.step, r.baseStep, r.status, r.added, r.removed, r.addedErrors, r.errors])).toEqual([
        ['build', 'build', 'differs', 2, 1, 2, 2],
        ['lint', null, 'unmatched', 1, 0, 0, 0],
        ['setup', 'setup', 'equal', 0, 0, 0, 0],
        [null, 'docs', 'unmatched', 0, 1, 0, 0],
      ]);
    });

    it('answers "computing" when it may not wait, then the diff from the cache', async () => {
      const service = new DiffService(inThreadRunner, new DiffCache(), 0);
      const first = await service.stepDiff(store, target(red, green, 'build'));
      expect(first).toMatchObject({ state: 'computing', progress: { total: 121 } });
      const done = await untilDone(service, store, target(red, green, 'build'));
      expect(done.diff.summary.counts.added).toBe(2);
      expect(service.cache.size).toBe(1);
    });

    it('a live step: the older diff (incomplete) while the grown one is computed, then the grown one', async () => {
      const service = new DiffService(inThreadRunner, new DiffCache(), 0);
      const live = await putRun(store, 'diff-live', { build: buildLog(3).slice(0, 20) }, null);
      const before = await untilDone(service, store, target(live, green, 'build'));
      expect(before).toMatchObject({ complete: false, diff: { summary: { headLines: 20, counts: { removed: 40 } } } });
      await store.append(live.id, 'build', { lines: buildLog(3).slice(20, 30).map((text, i) => ({ n: 21 + i, ts: 1, stream: 'out' as const, text })) });
      const grown = (await store.getJob(live.id))!;
      const meanwhile = await service.stepDiff(store, target(grown, green, 'build'));
      expect(meanwhile).toMatchObject({ state: 'done', complete: false, diff: { summary: { headLines: 20 } } });
      for (;;) {
        const outcome = await untilDone(service, store, target(grown, green, 'build'));
        if (outcome.diff.summary.headLines === 30) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(service.cache.size).toBe(1); // the shorter diff was superseded
    });

    it('reads both steps through a real diff worker', async () => {
      const pool = new DiffPool({ size: 1, maxQueued: 0 });
      try {
        const service = new DiffService(pool, new DiffCache(), 60_000);
        const outcome = await service.stepDiff(store, target(red, green, 'build'));
        expect(outcome).toMatchObject({ state: 'done', diff: { summary: { counts: { added: 2, removed: 1, unchanged: 59 }, hunks: 4 } } });
      } finally {
        await pool.close();
      }
    });
  });
}

describe('diff service limits', () => {
  it('a new diff when the pool is full is a 429', async () => {
    const full: DiffRunner = { run: () => Promise.reject(new Error('not called')), full: () => true };
    const service = new DiffService(full, new DiffCache(), 0);
    const job = { id: 'j', createdAt: 1, status: 'success', steps: [{ id: 's', name: 's', lines: 3 }] } as unknown as JobMeta;
    await expect(service.stepDiff({} as LogStore, target(job, { ...job, id: 'b' }, 's'))).rejects.toBeInstanceOf(TooManyRequestsError);
  });
});
