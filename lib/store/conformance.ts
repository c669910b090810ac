/**
 * The one conformance suite every LogStore backend runs (STYLE.md §3). A backend's test file
 * calls `describeLogStoreConformance('file', factory)`; the factory gives a ready store over
 * fresh or shared data. Every test uses its own unique job ids, so a shared store is fine.
 *
 * Contract points this suite pins down beyond types.ts (backends must agree):
 * - a `lines` event carries at most MAX_EVENT_LINES lines;
 * - `getJob().cursor` is the cursor of the last stored event, so subscribing after it yields
 *   only later events, and after a completed job's cursor yields nothing and returns;
 * - a step created by `append` gets its `step` event before its first `lines` event;
 * - a batch with a gap stores nothing of that batch;
 * - `getStepState` of an unknown step (of a known job) is null;
 * - `readLines` caps `limit` at MAX_RANGE_LIMIT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueJobId } from '../../test/support/ids';
import { MAX_RANGE_LIMIT, type Line, type StepMeta } from '../contracts';
import { AppError, LineGapError } from '../errors';
import type { LogStore, StoreEvent } from './types';

/** Largest `lines` event a backend may emit: keeps SSE frames and client batches bounded. */
export const MAX_EVENT_LINES = 1000;

export interface ConformanceHandle {
  store: LogStore;
  /** Closes the store(s) and removes the data. `close()` must be idempotent: it may run twice. */
  cleanup: () => Promise<void>;
  /**
   * A fresh store instance over the same data, as after a restart. The suite closes `store`
   * first. Omit it when the backend cannot reopen; the reopen test is then skipped.
   */
  reopen?: () => Promise<LogStore>;
  /**
   * Live listeners/waiters the store holds for subscribers (of any job). When given, the suite
   * checks it returns to its earlier value after a subscription is aborted or broken out of.
   */
  listenerCount?: () => number;
  /**
   * A second store instance live at the same time over the same data, as a second server
   * behind a load balancer (postgres, nats). The suite closes it. Omit it for single-process
   * backends (file); the cross-instance test is then skipped.
   */
  peer?: () => Promise<LogStore>;
}

export type ConformanceFactory = () => Promise<ConformanceHandle>;

export function makeLines(from: number, to: number, text: (n: number) => string = (n) => `line ${n}`): Line[] {
  const lines: Line[] = [];
  for (let n = from; n <= to; n++) lines.push({ n, ts: 1_700_000_000_000 + n, stream: n % 7 === 0 ? 'err' : 'out', text: text(n) });
  return lines;
}

const TOKEN = { tokenHash: 'a'.repeat(64) };

async function expectCode(promise: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    return error as AppError;
  }
  throw new Error(`expected an AppError ${code}, but the call resolved`);
}

/** Reads a subscription until its `end` event (the test timeout bounds a hang). */
async function collectToEnd(store: LogStore, jobId: string, after: string | null): Promise<StoreEvent[]> {
  const controller = new AbortController();
  const events: StoreEvent[] = [];
  try {
    for await (const event of store.subscribe(jobId, after, controller.signal)) events.push(event);
  } finally {
    controller.abort();
  }
  return events;
}

/** Reads a live subscription until `done(events)` holds, then aborts it. */
async function collectUntil(
  iterator: AsyncIterator<StoreEvent>,
  done: (events: StoreEvent[]) => boolean,
): Promise<StoreEvent[]> {
  const events: StoreEvent[] = [];
  while (!done(events)) {
    const next = await iterator.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

/** Backend-neutral view of a stream: one atom per line, step change, job change, end. */
function atoms(events: StoreEvent[]): string[] {
  const out: string[] = [];
  for (const event of events) {
    if (event.type === 'lines') for (const line of event.lines) out.push(`L ${event.step} ${line.n} ${line.text}`);
    else if (event.type === 'step') out.push(`S ${event.step.id} ${event.step.status} ${event.step.groups.length}`);
    else if (event.type === 'job') out.push(`J ${event.job.status}`);
    else out.push(`E ${event.status}`);
  }
  return out;
}

function lineNumbers(events: StoreEvent[], step: string): number[] {
  return events.flatMap((e) => (e.type === 'lines' && e.step === step ? e.lines.map((l) => l.n) : []));
}

function stepOf(steps: StepMeta[], id: string): StepMeta {
  const step = steps.find((s) => s.id === id);
  if (!step) throw new Error(`step ${id} missing`);
  return step;
}

export function describeLogStoreConformance(name: string, factory: ConformanceFactory): void {
  describe(`LogStore conformance: ${name}`, () => {
    let handle: ConformanceHandle;
    let store: LogStore;
    beforeAll(async () => {
      handle = await factory();
      store = handle.store;
    });
    afterAll(async () => {
      await handle.cleanup();
    });

    async function newJob(tag: string, body: Parameters<LogStore['putJob']>[1] = {}): Promise<string> {
      const id = uniqueJobId(tag);
      const { created } = await store.putJob(id, body, TOKEN);
      expect(created).toBe(true);
      return id;
    }

    describe('jobs and steps', () => {
      it('creates a job, then merges updates without recreating it', async () => {
        const id = uniqueJobId('create');
        const before = Date.now();
        const first = await store.putJob(id, { title: 'Build #1', labels: { repo: 'acme/web' }, steps: [{ id: 'build', name: 'Build' }] }, TOKEN);
        expect(first.created).toBe(true);
        expect(first.job).toMatchObject({ id, title: 'Build #1', labels: { repo: 'acme/web' }, status: 'running', endedAt: null });
        expect(first.job.createdAt).toBeGreaterThanOrEqual(before - 1000);
        expect(typeof first.job.cursor).toBe('string');
        expect(stepOf(first.job.steps, 'build')).toMatchObject({ name: 'Build', status: 'pending', lines: 0, startedAt: null, endedAt: null, groups: [] });

        const second = await store.putJob(id, { labels: { branch: 'main' }, steps: [{ id: 'test', internal: true }, { id: 'build', name: 'Compile' }] }, { tokenHash: 'b'.repeat(64) });
        expect(second.created).toBe(false);
        expect(second.job.title).toBe('Build #1');
        expect(second.job.labels).toEqual({ branch: 'main' });
        expect(second.job.steps.map((s) => s.id)).toEqual(['build', 'test']);
        expect(stepOf(second.job.steps, 'build').name).toBe('Compile');
        expect(stepOf(second.job.steps, 'test')).toMatchObject({ name: 'test', internal: true, status: 'pending' });

        const got = await store.getJob(id);
        expect(got).toMatchObject({ id, title: 'Build #1', labels: { branch: 'main' } });
        expect((await store.getJobPrivate(id))?.tokenHash).toBe(TOKEN.tokenHash);
      });

      it('stamps startedAt once and endedAt on a final status, emitting step events', async () => {
        const id = await newJob('steps');
        const created = await store.putStep(id, 'lint', {});
        expect(created).toMatchObject({ id: 'lint', name: 'lint', parent: null, status: 'pending', startedAt: null, endedAt: null, lines: 0 });
        const running = await store.putStep(id, 'lint', { status: 'running', name: 'Lint', parent: null });
        expect(running.startedAt).toEqual(expect.any(Number));
        const again = await store.putStep(id, 'lint', { status: 'running' });
        expect(again.startedAt).toBe(running.startedAt);
        const done = await store.putStep(id, 'lint', { status: 'failure' });
        expect(done).toMatchObject({ status: 'failure', name: 'Lint', startedAt: running.startedAt });
        expect(done.endedAt).toBeGreaterThanOrEqual(running.startedAt ?? 0);

        const skipped = await store.putStep(id, 'deploy', { status: 'skipped', internal: true, parent: 'lint' });
        expect(skipped.startedAt).toEqual(expect.any(Number));
        expect(skipped.endedAt).toEqual(expect.any(Number));
        expect(skipped).toMatchObject({ internal: true, parent: 'lint' });

        await store.complete(id, 'failure');
        const events = await collectToEnd(store, id, null);
        const lintStatuses = events.flatMap((e) => (e.type === 'step' && e.step.id === 'lint' ? [e.step.status] : []));
        expect(lintStatuses).toContain('running');
        expect(lintStatuses[lintStatuses.length - 1]).toBe('failure');
        const job = await store.getJob(id);
        expect(stepOf(job?.steps ?? [], 'deploy')).toMatchObject({ status: 'skipped', internal: true });
      });

      it('answers not_found for an unknown job, null from the getters', async () => {
        const id = uniqueJobId('missing');
        expect(await store.getJob(id)).toBeNull();
        expect(await store.getJobPrivate(id)).toBeNull();
        await expectCode(store.putStep(id, 's', {}), 'not_found');
        await expectCode(store.append(id, 's', { lines: makeLines(1, 1) }), 'not_found');
        await expectCode(store.readLines(id, 's', 1, 10), 'not_found');
        await expectCode(store.getStepState(id, 's'), 'not_found');
        await expectCode(store.addMasks(id, ['x']), 'not_found');
        await expectCode(store.complete(id, 'success'), 'not_found');
        await expectCode(collectToEnd(store, id, null), 'not_found');
        const known = await newJob('nostep');
        await expectCode(store.readLines(known, 'nope', 1, 10), 'not_found');
        expect(await store.getStepState(known, 'nope')).toBeNull();
      });
    });

    describe('lines', () => {
      it('appends in order and reads ranges: first, middle, past the end, capped limit', async () => {
        const id = await newJob('ranges');
        const odd = ['', '\u001b[31mred\u001b[0m', 'tab\tand "quotes" \\ back', 'progress 10%\rprogress 100%', 'ünïcödé ✓ 🚀', '\u2028sep'];
        for (let from = 1; from <= 6000; from += 1500) {
          const r = await store.append(id, 'build', { lines: makeLines(from, from + 1499, (n) => (n <= odd.length ? (odd[n - 1] ?? '') : `line ${n}`)) });
          expect(r).toEqual({ accepted: 1500, duplicates: 0, last: from + 1499 });
        }
        const first = await store.readLines(id, 'build', 1, 10);
        expect(first.last).toBe(6000);
        expect(first.lines.map((l) => l.text).slice(0, odd.length)).toEqual(odd);
        expect(first.lines[0]).toEqual({ n: 1, ts: 1_700_000_000_001, stream: 'out', text: '' });
        const middle = await store.readLines(id, 'build', 3000, 5);
        expect(middle.lines).toEqual(makeLines(3000, 3004));
        const tail = await store.readLines(id, 'build', 5998, 100);
        expect(tail.lines.map((l) => l.n)).toEqual([5998, 5999, 6000]);
        const past = await store.readLines(id, 'build', 6001, 10);
        expect(past).toEqual({ lines: [], last: 6000 });
        const capped = await store.readLines(id, 'build', 1, MAX_RANGE_LIMIT * 2);
        expect(capped.lines).toHaveLength(MAX_RANGE_LIMIT);
        expect(capped.lines[MAX_RANGE_LIMIT - 1]?.n).toBe(MAX_RANGE_LIMIT);
        const job = await store.getJob(id);
        expect(stepOf(job?.steps ?? [], 'build')).toMatchObject({ lines: 6000, status: 'running', name: 'build' });
      });

      it('reads line 90,000 of a 100k-line step', async () => {
        const id = await newJob('big');
        for (let from = 1; from <= 100_000; from += 10_000) await store.append(id, 'big', { lines: makeLines(from, from + 9_999) });
        const range = await store.readLines(id, 'big', 90_000, 3);
        expect(range).toEqual({ lines: makeLines(90_000, 90_002), last: 100_000 });
        const end = await store.readLines(id, 'big', 99_999, 10);
        expect(end.lines.map((l) => l.n)).toEqual([99_999, 100_000]);
      });

      it('moves a pending step to running on its first lines', async () => {
        const id = await newJob('pending', { steps: [{ id: 'a' }] });
        await store.append(id, 'a', { lines: makeLines(1, 2) });
        const step = stepOf((await store.getJob(id))?.steps ?? [], 'a');
        expect(step.status).toBe('running');
        expect(step.startedAt).toEqual(expect.any(Number));
      });

      it('counts whole-batch and partially overlapping retries as duplicates', async () => {
        const id = await newJob('retry');
        expect(await store.append(id, 's', { lines: makeLines(1, 10) })).toEqual({ accepted: 10, duplicates: 0, last: 10 });
        expect(await store.append(id, 's', { lines: makeLines(1, 10, () => 'changed') })).toEqual({ accepted: 0, duplicates: 10, last: 10 });
        expect(await store.append(id, 's', { lines: makeLines(6, 15) })).toEqual({ accepted: 5, duplicates: 5, last: 15 });
        const all = await store.readLines(id, 's', 1, 100);
        expect(all.lines).toEqual(makeLines(1, 15));
      });

      it('refuses gaps with the expected line, storing nothing of the batch', async () => {
        const id = await newJob('gap');
        const atStart = await expectCode(store.append(id, 's', { lines: makeLines(2, 3) }), 'line_gap');
        expect(atStart).toBeInstanceOf(LineGapError);
        expect((atStart as LineGapError).expected).toBe(1);
        await store.append(id, 's', { lines: makeLines(1, 10) });
        const after = await expectCode(store.append(id, 's', { lines: makeLines(12, 14) }), 'line_gap');
        expect((after as LineGapError).expected).toBe(11);
        const inside = await expectCode(store.append(id, 's', { lines: [...makeLines(11, 12), ...makeLines(14, 15)] }), 'line_gap');
        expect((inside as LineGapError).expected).toBe(13);
        expect((await store.readLines(id, 's', 1, 100)).last).toBe(10);
        expect(await store.append(id, 's', { lines: makeLines(11, 11) })).toEqual({ accepted: 1, duplicates: 0, last: 11 });
      });

      it('stores each line exactly once when two callers append the same lines concurrently', async () => {
        const id = await newJob('race');
        const [a, b, c] = await Promise.all([
          store.append(id, 's', { lines: makeLines(1, 300) }),
          store.append(id, 's', { lines: makeLines(1, 500) }),
          store.append(id, 's', { lines: makeLines(1, 300) }),
        ]);
        expect(a.accepted + b.accepted + c.accepted).toBe(500);
        expect(a.duplicates + b.duplicates + c.duplicates).toBe(600);
        const range = await store.readLines(id, 's', 1, 1000);
        expect(range.lines).toEqual(makeLines(1, 500));
        await store.complete(id, 'success');
        const events = await collectToEnd(store, id, null);
        expect(lineNumbers(events, 's')).toEqual(makeLines(1, 500).map((l) => l.n));
      });

      it('keeps groups and ingest state, emitting a step event for groups', async () => {
        const id = await newJob('groups');
        expect(await store.getStepState(id, 's')).toBeNull();
        const groups = [{ id: 'g1', name: 'Install', parent: null, start: 1, end: 3, startedAt: 1, endedAt: 2 }];
        await store.append(id, 's', { lines: makeLines(1, 3), groups, state: { open: ['g1'], style: { fg: 31 } } });
        expect(await store.getStepState(id, 's')).toEqual({ open: ['g1'], style: { fg: 31 } });
        await store.append(id, 's', { lines: makeLines(1, 3), state: { ignored: true } });
        expect(await store.getStepState(id, 's')).toEqual({ open: ['g1'], style: { fg: 31 } });
        const step = stepOf((await store.getJob(id))?.steps ?? [], 's');
        expect(step.groups).toEqual(groups);
        await store.complete(id, 'success');
        const events = await collectToEnd(store, id, null);
        const withGroups = events.find((e) => e.type === 'step' && e.step.groups.length === 1);
        expect(withGroups).toBeDefined();
        const firstStep = events.findIndex((e) => e.type === 'step' && e.step.id === 's');
        const firstLines = events.findIndex((e) => e.type === 'lines' && e.step === 's');
        expect(firstStep).toBeGreaterThanOrEqual(0);
        expect(firstStep).toBeLessThan(firstLines);
      });

      it('keeps masks', async () => {
        const id = await newJob('masks');
        expect((await store.getJobPrivate(id))?.masks).toEqual([]);
        await store.addMasks(id, ['s3cr3t', 'hunter2']);
        await store.addMasks(id, ['hunter2', 'tok_abc']);
        const masks = (await store.getJobPrivate(id))?.masks ?? [];
        expect([...new Set(masks)].sort()).toEqual(['hunter2', 's3cr3t', 'tok_abc']);
      });
    });

    describe('completion and the event stream', () => {
      it('ends running steps, emits end last, refuses later writes, replays after completion', async () => {
        const id = await newJob('complete', { steps: [{ id: 'later' }, { id: 'done' }] });
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
        const renamed = await store.putJob(id, { title: 'renamed after the fact' }, TOKEN);
        expect(renamed).toMatchObject({ created: false, job: { title: 'renamed after the fact', status: 'failure' } });

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
        const id = await newJob('success', { steps: [{ id: 'p' }] });
        await store.append(id, 'r', { lines: makeLines(1, 1) });
        const job = await store.complete(id, 'success');
        expect(job.steps.map((s) => s.status)).toEqual(['success', 'success']);
      });

      it('resumes from every cursor with exactly the remaining events', async () => {
        const id = await newJob('resume', { steps: [{ id: 'one' }, { id: 'two' }] });
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
        const id = await newJob('badcursor');
        await store.append(id, 's', { lines: makeLines(1, 1) });
        for (const cursor of ['not-a-cursor', '-1', '', '1e400', '💥']) await expectCode(collectToEnd(store, id, cursor), 'bad_request');
      });
    });

    describe('live tail', () => {
      it('delivers lines appended after subscribing, from the job cursor on', async () => {
        const id = await newJob('live');
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
        if (!handle.peer) {
          context.skip();
          return;
        }
        const peer = await handle.peer();
        try {
          const id = await newJob('peer');
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
        } finally {
          await peer.close();
        }
      });

      it('returns promptly on abort and leaves no listener behind', async () => {
        const id = await newJob('abort');
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

    describe('listJobs', () => {
      it('lists newest first, pages with before, filters by status and q', async () => {
        const tag = `lst${Math.random().toString(36).slice(2, 8)}`;
        const ids: string[] = [];
        for (const letter of ['a', 'b', 'c', 'd', 'e']) {
          const id = uniqueJobId(`${tag}-${letter}`);
          ids.push(id);
          await store.putJob(id, { title: `Pipeline ${letter}`, labels: { team: letter === 'c' ? `Team-${tag.toUpperCase()}-X` : 'other' } }, TOKEN);
        }
        const [a, b, c, d, e] = ids as [string, string, string, string, string];
        await store.append(d, 's1', { lines: makeLines(1, 4) });
        await store.append(d, 's2', { lines: makeLines(1, 3) });
        await store.complete(b, 'failure');

        const pages: string[][] = [];
        let before: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await store.listJobs({ q: tag, limit: 2, before });
          expect(page.jobs.length).toBeLessThanOrEqual(2);
          pages.push(page.jobs.map((j) => j.id));
          if (!page.next) break;
          before = page.next;
        }
        expect(pages.flat()).toEqual([e, d, c, b, a]);
        expect(pages[0]).toEqual([e, d]);

        const all = await store.listJobs({ q: tag.toUpperCase(), limit: 50 });
        expect(all.jobs.map((j) => j.id)).toEqual([e, d, c, b, a]);
        expect(all.next).toBeNull();
        const summary = all.jobs.find((j) => j.id === d);
        expect(summary).toMatchObject({ id: d, title: 'Pipeline d', status: 'running', stepCount: 2, lineCount: 7, endedAt: null });
        expect(summary).not.toHaveProperty('steps');

        expect((await store.listJobs({ q: tag, status: 'failure', limit: 50 })).jobs.map((j) => j.id)).toEqual([b]);
        expect((await store.listJobs({ q: tag, status: 'running', limit: 50 })).jobs.map((j) => j.id)).toEqual([e, d, c, a]);
        expect((await store.listJobs({ q: `team-${tag}-x`, limit: 50 })).jobs.map((j) => j.id)).toEqual([c]);
        expect((await store.listJobs({ q: e.toUpperCase(), limit: 50 })).jobs.map((j) => j.id)).toEqual([e]);
        expect((await store.listJobs({ q: `${tag}-nothing-matches`, limit: 50 })).jobs).toEqual([]);
      });
    });

    describe('reopen', () => {
      it('a fresh store instance on the same data sees everything', async (context) => {
        const own = await factory();
        if (!own.reopen) {
          await own.cleanup();
          context.skip();
          return;
        }
        try {
          const first = own.store;
          const id = uniqueJobId('reopen');
          await first.putJob(id, { title: 'Reopened', labels: { k: 'v' }, steps: [{ id: 'a', name: 'A' }] }, TOKEN);
          await first.append(id, 'a', { lines: makeLines(1, 1200), state: { s: 1 }, groups: [{ id: 'g', name: 'G', parent: null, start: 1, end: 2, startedAt: null, endedAt: null }] });
          await first.addMasks(id, ['m1']);
          await first.putStep(id, 'b', { status: 'running', internal: true });
          const open = uniqueJobId('reopen-open');
          await first.putJob(open, {}, TOKEN);
          await first.append(open, 'x', { lines: makeLines(1, 10) });
          await first.complete(id, 'success');
          const before = await collectToEnd(first, id, null);
          const metaBefore = await first.getJob(id);
          await first.close();

          const second = await own.reopen();
          try {
            expect(await second.getJob(id)).toEqual(metaBefore);
            expect(await second.getJobPrivate(id)).toEqual({ tokenHash: TOKEN.tokenHash, masks: ['m1'] });
            expect(await second.getStepState(id, 'a')).toEqual({ s: 1 });
            expect((await second.readLines(id, 'a', 1100, 200)).lines).toEqual(makeLines(1100, 1200));
            const after = await collectToEnd(second, id, null);
            expect(after.map((e) => e.cursor)).toEqual(before.map((e) => e.cursor));
            expect(atoms(after)).toEqual(atoms(before));
            expect(await second.append(open, 'x', { lines: makeLines(5, 12) })).toEqual({ accepted: 2, duplicates: 6, last: 12 });
            const listed = await second.listJobs({ q: id, limit: 5 });
            expect(listed.jobs.map((j) => [j.id, j.status, j.lineCount])).toEqual([[id, 'success', 1200]]);
          } finally {
            await second.close();
          }
        } finally {
          await own.cleanup();
        }
      });
    });
  });
}
