/**
 * The one conformance suite every LogStore backend runs (docs/style.md §3). A backend's test file
 * calls `describeLogStoreConformance('file', factory)`; the factory gives a ready store over
 * fresh or shared data. Every test uses its own unique job ids, so a shared store is fine.
 *
 * Contract points this suite pins down beyond types.ts (backends must agree):
 * - a `lines` event carries at most MAX_EVENT_LINES (lib/store/plan) lines;
 * - `getJob().cursor` is the cursor of the last stored event, so subscribing after it yields
 *   only later events, and after a completed job's cursor yields nothing and returns;
 * - a step created by `append` gets its `step` event before its first `lines` event;
 * - a batch with a gap stores nothing of that batch;
 * - `getStepState` of an unknown step (of a known job) is null;
 * - `readLines` caps `limit` at MAX_RANGE_LIMIT;
 * - once `addMasks` resolves, an append with a lower `masksVersion` stores nothing (StaleMasksError);
 * - an `end`-mode batch is numbered after the step's true last line, on any instance;
 * - a completed job refuses every change (job_completed); a write past a per-job quota
 *   (lib/store/plan/quotas.ts) is quota_exceeded and stores nothing;
 * - `watchJobs` starts with `resync`, then names every job created (steps or not), written,
 *   completed or deleted, on any instance;
 * - a deleted job is gone for every read and write, live subscribers (on any instance) end with
 *   a `deleted` event, a racing writer never brings it back, and its id can be created again;
 * - `updates` within the screen replace text (one `update` event after the batch's lines), a
 *   batch whose `produced` is not above the step's stores nothing, and `raw` reads back in order
 *   (conformance/screen.ts).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { LogStore } from './types';
import { describeListJobs, describeReopen } from './conformance/catalog';
import { describeDeletion } from './conformance/deletion';
import { describeErrors } from './conformance/errors';
import { describeCompletion, describeResume } from './conformance/events';
import { describeAbort, describeLiveTail } from './conformance/live';
import { describeMasks } from './conformance/masks';
import { describeAppendAtEnd, describeQuotas } from './conformance/quotas';
import { describeScreen } from './conformance/screen';
import { describeSearch } from './conformance/search';
import { describeWatchJobs } from './conformance/watch';
import { TOKEN, uniqueJobId, type ConformanceFactory, type ConformanceHandle, type Suite } from './conformance/suite';
import { describeIdempotentRetries, describeJobsAndSteps, describeOrderingAndRanges, describeStepData } from './conformance/writes';

export { makeLines, type ConformanceFactory, type ConformanceHandle } from './conformance/suite';

/** Runs every concern of the suite (conformance/*.ts, one `describe` each) against one backend. */
export function describeLogStoreConformance(name: string, factory: ConformanceFactory): void {
  describe(`LogStore conformance: ${name}`, () => {
    let handle: ConformanceHandle | undefined;
    const ready = (): ConformanceHandle => {
      if (!handle) throw new Error('conformance: the store is not ready (beforeAll failed?)');
      return handle;
    };
    beforeAll(async () => {
      handle = await factory();
    });
    afterAll(async () => {
      await handle?.cleanup();
    });

    const suite: Suite = {
      get store() {
        return ready().store;
      },
      get handle() {
        return ready();
      },
      factory,
      async newJob(tag: string, body: Parameters<LogStore['putJob']>[1] = {}): Promise<string> {
        const id = uniqueJobId(tag);
        const { created } = await ready().store.putJob(id, body, TOKEN);
        expect(created).toBe(true);
        return id;
      },
    };

    describeJobsAndSteps(suite);
    describeOrderingAndRanges(suite);
    describeIdempotentRetries(suite);
    describeAppendAtEnd(suite);
    describeQuotas(suite);
    describeStepData(suite);
    describeMasks(suite);
    describeCompletion(suite);
    describeResume(suite);
    describeLiveTail(suite);
    describeAbort(suite);
    describeListJobs(suite);
    describeWatchJobs(suite);
    describeReopen(suite);
    describeScreen(suite);
    describeSearch(suite);
    describeDeletion(suite);
    describeErrors(suite);
  });
}
