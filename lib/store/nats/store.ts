import 'server-only';
import { randomUUID } from 'node:crypto';
import type { ConsumerMessages } from '@nats-io/jetstream';
import { badRequest, notFound } from '../../errors';
import {
  MAX_RANGE_LIMIT,
  type AppendResult,
  type FinalJobStatus,
  type JobList,
  type JobMeta,
  type LineRange,
  type PutJobBody,
  type PutStepBody,
  type StepMeta,
} from '../../contracts';
import type { AppendBatch, JobPrivate, JobSize, ListJobsQuery, LogStore, StoreEvent } from '../types';
import { assertGroups, assertJobBytes, textBytes, assertMasksFresh, planAddMasks, planComplete, planErrors, planGroups, planPutJob, planPutStep, planStart, sameJson, type PutJobPlan, type PutStepPlan } from '../plan';
import { appendLines } from './append';
import { decodeJson, encodeJson, stepMeta, toStepRecord, type JobRecord, type StepRecord } from './codec';
import { ConnectionWatch } from './connection';
import { nextPos, type Context, type Tail } from './context';
import { isWrongLastSequence, toStoreError } from './errors';
import { listJobs, listSizes } from './list';
import { readRawChunks } from './raw';
import { readRange } from './range';
import { JobSubscriptions } from './subscribe';
import { watchJobChanges } from './watch-jobs';
import type { JobChanges } from '../job-changes';

const CURSOR_PATTERN = /^\d{1,15}$/;

/**
 * A record's step as a plan (lib/store/plan) reads it. The plans never look at `lines` (the
 * lines subject's tail has them) but compare whole steps, so every step gets the same 0.
 */
function planStep(step: StepRecord | undefined): StepMeta | undefined {
  return step && stepMeta(step, 0);
}

/** A step's metadata with its tail's line count and producer number (StepMeta.produced while it differs). */
function withTail(step: StepRecord, tail: Tail | undefined): StepMeta {
  const meta = stepMeta(step, tail?.last ?? 0);
  const { produced: _stale, ...rest } = meta;
  return tail?.produced !== undefined && tail.produced !== tail.last ? { ...rest, produced: tail.produced } : rest;
}

/** The record's steps with `changed` ones replaced in place and new ones appended. */
function withSteps(steps: StepRecord[], changed: StepMeta[]): StepRecord[] {
  const next = [...steps];
  for (const step of changed) {
    const index = next.findIndex((s) => s.id === step.id);
    if (index >= 0) next[index] = toStepRecord(step);
    else next.push(toStepRecord(step));
  }
  return next;
}

export class NatsStore implements LogStore {
  readonly kind = 'nats' as const;
  /** Tails this process wrote last: a hint only, every publish still checks the sequence. */
  private readonly tails = new Map<string, Tail>();
  private readonly live = new Set<ConsumerMessages>();
  private readonly closing = new AbortController();
  private closed = false;

  private readonly watch: ConnectionWatch;
  private readonly subscriptions: JobSubscriptions;

  constructor(private readonly ctx: Context) {
    this.watch = new ConnectionWatch(ctx.nc);
    this.subscriptions = new JobSubscriptions(ctx, this.watch, this.live);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      // while the client reconnects every request would wait out its timeout: answer 503 now
      this.watch.assertConnected();
      return await fn();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  private async publishStep(jobId: string, step: StepRecord, known?: Tail): Promise<StepMeta> {
    const meta = withTail(step, known ?? (await this.ctx.readTail(jobId, step.id)));
    await this.ctx.js.publish(this.ctx.subjects.step(jobId, step.id), encodeJson(meta));
    return meta;
  }

  private async meta(jobId: string, record: JobRecord): Promise<JobMeta> {
    const tails = await Promise.all(record.steps.map((s) => this.ctx.readTail(jobId, s.id)));
    return this.toMeta(jobId, record, tails);
  }

  private async toMeta(jobId: string, record: JobRecord, tails: Tail[]): Promise<JobMeta> {
    const last = await this.ctx.lastBySubject(this.ctx.subjects.logStream, this.ctx.subjects.jobAll(jobId));
    return {
      id: record.id,
      title: record.title,
      labels: record.labels,
      status: record.status,
      createdAt: record.createdAt,
      endedAt: record.endedAt,
      cursor: String(last?.seq ?? 0),
      steps: record.steps.map((s, i) => withTail(s, tails[i])),
    };
  }

  putJob(jobId: string, body: PutJobBody, create: { tokenHash: string } | null): Promise<{ job: JobMeta; created: boolean }> {
    return this.guard(async () => {
      // a deleted job's id: its seals and `deleted` marker go before the new job's first event
      if (create && (await this.ctx.readSlot(jobId)).tombstone) await this.purge(this.ctx.subjects.logStream, this.ctx.subjects.jobAll(jobId));
      let plan: PutJobPlan | null = null;
      const { before, after } = await this.ctx.updateRecord(jobId, (current) => {
        const now = Date.now();
        if (!current && !create) throw notFound(`job ${jobId}`);
        // a new record is created with the body's title and labels, as PostgreSQL inserts its row
        const record: JobRecord = current
          ? structuredClone(current)
          : { id: jobId, title: body.title ?? '', labels: body.labels ?? {}, status: 'running', createdAt: now, endedAt: null, pos: nextPos(), tokenHash: create?.tokenHash ?? '', masks: [], steps: [] };
        const steps = new Map(record.steps.map((s) => [s.id, stepMeta(s, 0)]));
        const attempt = planPutJob(record, steps, body, now, { steps: record.steps.length });
        plan = attempt;
        record.title = attempt.title;
        record.labels = attempt.labels;
        record.steps = withSteps(record.steps, attempt.steps);
        return current && sameJson(current, record) ? null : record;
      });
      const record = after ?? before;
      const done = plan as PutJobPlan | null;
      if (!record || !done) throw notFound(`job ${jobId}`);
      if (after) {
        for (const step of done.steps) await this.publishStep(jobId, toStepRecord(step));
        if (before && done.event) await this.ctx.js.publish(this.ctx.subjects.job(jobId), encodeJson(done.event));
      }
      return { job: await this.meta(jobId, record), created: before === null };
    });
  }

  getJob(jobId: string): Promise<JobMeta | null> {
    return this.guard(async () => {
      const found = await this.ctx.readRecord(jobId);
      return found ? this.meta(jobId, found.record) : null;
    });
  }

  getJobPrivate(jobId: string): Promise<JobPrivate | null> {
    return this.guard(async () => {
      const found = await this.ctx.readRecord(jobId);
      return found ? { tokenHash: found.record.tokenHash, masks: found.record.masks } : null;
    });
  }

  listJobs(query: ListJobsQuery): Promise<JobList> {
    return this.guard(() => listJobs(this.ctx, query));
  }

  putStep(jobId: string, stepId: string, body: PutStepBody): Promise<StepMeta> {
    return this.guard(async () => {
      let plan: PutStepPlan | null = null;
      await this.ctx.updateRecord(jobId, (current) => {
        const record = structuredClone(this.ctx.assertRunning(jobId, current));
        const attempt = planPutStep(planStep(record.steps.find((s) => s.id === stepId)), stepId, body, Date.now(), { steps: record.steps.length });
        plan = attempt;
        if (!attempt.changed) return null;
        record.steps = withSteps(record.steps, [attempt.step]);
        return record;
      });
      const done = plan as PutStepPlan | null;
      if (!done) throw notFound(`job ${jobId}`);
      const step = toStepRecord(done.step);
      if (done.changed) return this.publishStep(jobId, step);
      return withTail(step, await this.ctx.readTail(jobId, stepId));
    });
  }

  append(jobId: string, stepId: string, batch: AppendBatch): Promise<AppendResult> {
    return this.guard(async () => {
      const record = this.ctx.assertRunning(jobId, (await this.ctx.readRecord(jobId))?.record ?? null);
      assertMasksFresh(batch, record.masks.length);
      // lines are published before the groups: refuse too many groups before either
      if (batch.groups !== undefined) assertGroups(batch.groups.length);
      // the job_bytes quota: the other steps' counts from their tails (a hint under concurrent
      // appends to several steps; this step's own count is checked against its CAS'd tail)
      const others = record.steps.filter((s) => s.id !== stepId);
      const otherBytes = (await Promise.all(others.map((s) => this.ctx.readTail(jobId, s.id, true)))).reduce((sum, t) => sum + t.bytes, 0);
      const known = record.steps.find((s) => s.id === stepId);
      if (!known || known.status === 'pending') {
        // a step that has no lines yet takes the whole batch: refuse it before the step starts
        assertJobBytes({ bytes: otherBytes }, textBytes(batch.lines));
        // start the step (its `step` event precedes its first lines)
        let started: StepMeta | null = null;
        await this.ctx.updateRecord(jobId, (current) => {
          const rec = structuredClone(this.ctx.assertRunning(jobId, current));
          // a pending step is not fenced by addMasks: this CAS on the record is its check
          assertMasksFresh(batch, rec.masks.length);
          started = planStart(planStep(rec.steps.find((s) => s.id === stepId)), stepId, Date.now(), { steps: rec.steps.length });
          if (!started) return null;
          rec.steps = withSteps(rec.steps, [started]);
          return rec;
        });
        const step = started as StepMeta | null;
        if (step) await this.publishStep(jobId, toStepRecord(step));
      }
      const { result, tail } = await appendLines(this.ctx, this.tails, jobId, stepId, batch, otherBytes);
      if (batch.groups !== undefined || (batch.errors !== undefined && result.accepted > 0)) {
        const { groups, errors } = batch;
        let updated: StepRecord | null = null;
        await this.ctx.updateRecord(jobId, (current) => {
          const rec = structuredClone(this.ctx.assertRunning(jobId, current));
          const index = rec.steps.findIndex((s) => s.id === stepId);
          const step = rec.steps[index];
          const grouped = step ? planGroups(step, groups) : null;
          updated = (step ? planErrors(grouped ?? step, errors, result.accepted) : null) ?? grouped;
          if (!updated) return null;
          rec.steps[index] = updated;
          return rec;
        });
        if (updated) await this.publishStep(jobId, updated, tail);
      }
      return result;
    });
  }

  readLines(jobId: string, stepId: string, from: number, limit: number, maxBytes?: number): Promise<LineRange> {
    return this.guard(async () => {
      const tail = await this.ctx.readTail(jobId, stepId, true);
      if (tail.gone) throw notFound(`job ${jobId}`);
      if (tail.seq === 0) {
        const record = await this.ctx.requireRecord(jobId);
        if (!record.steps.some((s) => s.id === stepId)) throw notFound(`step ${stepId}`);
        return { lines: [], last: 0 };
      }
      const capped = Math.min(MAX_RANGE_LIMIT, Math.max(0, Math.floor(limit)));
      const lines = await readRange(this.ctx, jobId, stepId, Math.max(1, Math.floor(from)), capped, tail, maxBytes);
      return { lines, last: tail.last };
    });
  }

  /** The step's raw chunks (raw.ts), a message get per pull; not_found like readLines. */
  async *readRaw(jobId: string, stepId: string, signal?: AbortSignal): AsyncIterable<string> {
    await this.guard(async () => {
      const record = await this.ctx.requireRecord(jobId);
      if (!record.steps.some((s) => s.id === stepId)) throw notFound(`step ${stepId}`);
    });
    const chunks = readRawChunks(this.ctx, jobId, stepId, signal)[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.guard(() => chunks.next());
      if (next.done) return;
      yield next.value;
    }
  }

  getStepState(jobId: string, stepId: string): Promise<unknown> {
    return this.guard(async () => {
      const tail = await this.ctx.readTail(jobId, stepId);
      if (tail.gone) throw notFound(`job ${jobId}`);
      if (tail.seq === 0) await this.ctx.requireRecord(jobId);
      return tail.state;
    });
  }

  /**
   * (1) CAS the record with the new masks (the version is their count); (2) fence every step
   * that is not pending at that version, so an append that read the step before (1) fails its
   * CAS and re-reads the version; a pending step starts with a record CAS, which checks it.
   * Fencing runs even when nothing was added: a concurrent add of the same value may not have
   * fenced yet, and this call must not resolve before it has.
   */
  addMasks(jobId: string, values: string[]): Promise<string[]> {
    return this.guard(async () => {
      const { before, after } = await this.ctx.updateRecord(jobId, (current) => {
        if (!current) throw notFound(`job ${jobId}`);
        const plan = planAddMasks(current.masks, values);
        return plan.added.length === 0 ? null : { ...current, masks: plan.masks };
      });
      const record = after ?? before;
      if (!record) throw notFound(`job ${jobId}`);
      for (const step of record.steps) {
        if (step.status !== 'pending') await this.ctx.fence(jobId, step.id, record.masks.length);
      }
      return [...record.masks];
    });
  }

  /**
   * Completion: (1) CAS the record to the final status — new appends now fail; (2) seal every
   * step's lines subject — an append that read the record before (1) fails its CAS against the
   * seal; (3) publish the step/job events and the end sentinel, so `end` follows every line.
   */
  complete(jobId: string, status: FinalJobStatus): Promise<JobMeta> {
    return this.guard(async () => {
      const now = Date.now();
      let ended: StepRecord[] = [];
      const { before, after } = await this.ctx.updateRecord(jobId, (current) => {
        const rec = structuredClone(this.ctx.assertRunning(jobId, current));
        const plan = planComplete(rec, rec.steps, status, now);
        rec.status = status;
        rec.endedAt = now;
        rec.steps = plan.steps;
        ended = plan.ended;
        return rec;
      });
      const record = after ?? before;
      if (!record) throw notFound(`job ${jobId}`);
      const tails: Tail[] = [];
      for (const step of record.steps) {
        await this.ctx.seal(jobId, step.id);
        tails.push(await this.ctx.readTail(jobId, step.id));
      }
      for (const step of ended) await this.publishStep(jobId, step, tails[record.steps.indexOf(step)]);
      await this.ctx.js.publish(this.ctx.subjects.job(jobId), encodeJson({ id: jobId, status, title: record.title, endedAt: now }));
      await this.ctx.js.publish(this.ctx.subjects.end(jobId), encodeJson({ status }));
      return this.toMeta(jobId, record, tails);
    });
  }

  private async purge(stream: string, filter: string, keep?: number): Promise<void> {
    await this.ctx.jsm.streams.purge(stream, keep === undefined ? { filter } : { filter, keep });
  }

  /**
   * Deletion: (1) CAS the record to a tombstone — reads now find no job and new writes
   * not_found; (2) seal every step's lines subject, so an append that read the step before (1)
   * fails its CAS and stops; (3) purge the job's events and lines (each step keeps its seal) and
   * its line index; (4) publish the `deleted` marker, which live subscribers on any server
   * receive as their last event. The tombstone and seals (a few bytes each) stay until the id
   * is created again.
   */
  deleteJob(jobId: string): Promise<boolean> {
    return this.guard(async () => {
      const { before } = await this.ctx.updateRecord(jobId, (current) =>
        current ? { ...current, deleted: true, title: '', labels: {}, tokenHash: '', masks: [] } : null,
      );
      if (!before) return false;
      const { logStream, metaStream } = this.ctx.subjects;
      for (const step of before.steps) {
        await this.ctx.seal(jobId, step.id, true);
        await this.purge(logStream, this.ctx.subjects.lines(jobId, step.id), 1);
        this.tails.delete(`${jobId}\u0000${step.id}`);
      }
      for (const kind of ['step', 'job', 'end']) await this.purge(logStream, this.ctx.subjects.jobKind(jobId, kind));
      await this.purge(metaStream, this.ctx.subjects.indexAll(jobId));
      await this.purge(this.ctx.subjects.rawStream, this.ctx.subjects.rawAll(jobId));
      await this.ctx.js.publish(this.ctx.subjects.deleted(jobId), encodeJson({}));
      return true;
    });
  }

  setTokenHash(jobId: string, tokenHash: string): Promise<void> {
    return this.guard(async () => {
      await this.ctx.updateRecord(jobId, (current) => {
        if (!current) throw notFound(`job ${jobId}`);
        return current.tokenHash === tokenHash ? null : { ...current, tokenHash };
      });
    });
  }

  listSizes(): Promise<JobSize[]> {
    return this.guard(() => listSizes(this.ctx));
  }

  /** This process's id in task leases. */
  private readonly owner = randomUUID();

  /**
   * A lease in the meta stream (one message per task subject), taken by compare-and-set: the
   * holder writes `{owner, until}`; another server may take it only once `until` has passed
   * (a crashed holder blocks the task for at most `ttlMs`). Released when `fn` is done.
   */
  runExclusive(task: string, ttlMs: number, fn: () => Promise<void>): Promise<boolean> {
    const subject = this.ctx.subjects.lease(task);
    const { metaStream } = this.ctx.subjects;
    return this.guard(async () => {
      const held = await this.ctx.lastBySubject(metaStream, subject);
      if (held) {
        const lease = decodeJson(held.data) as { owner?: unknown; until?: unknown };
        if (typeof lease.until === 'number' && lease.until > Date.now() && lease.owner !== this.owner) return false;
      }
      let seq: number;
      try {
        seq = (await this.ctx.js.publish(subject, encodeJson({ owner: this.owner, until: Date.now() + ttlMs }), { expect: { lastSubjectSequence: held?.seq ?? 0 } })).seq;
      } catch (error) {
        if (isWrongLastSequence(error)) return false; // another server took it first
        throw error;
      }
      try {
        await fn();
      } finally {
        await this.ctx.js.publish(subject, encodeJson({ owner: this.owner, until: 0 }), { expect: { lastSubjectSequence: seq } }).catch(() => undefined);
      }
      return true;
    });
  }

  /**
   * Every event after the cursor, then live events (subscribe.ts). Fails fast with
   * UnavailableError while the connection is down, and as soon as it is lost.
   */
  async *subscribe(jobId: string, after: string | null, signal: AbortSignal): AsyncIterable<StoreEvent> {
    if (after !== null && !CURSOR_PATTERN.test(after)) throw badRequest('invalid cursor');
    const from = Number(after ?? '0');
    const stop = AbortSignal.any([signal, this.closing.signal]);
    this.watch.assertConnected();
    const record = await this.guard(() => this.ctx.requireRecord(jobId));
    if (from > 0) {
      // a cursor this job never gave out (another store's, or from before a reset) would wait forever
      const last = await this.guard(() => this.ctx.lastBySubject(this.ctx.subjects.logStream, this.ctx.subjects.jobAll(jobId)));
      if (from > (last?.seq ?? 0)) throw badRequest('cursor is beyond the end of the job');
    }
    if (record.status !== 'running') {
      const end = await this.guard(() => this.ctx.lastBySubject(this.ctx.subjects.logStream, this.ctx.subjects.end(jobId)));
      if (end && end.seq <= from) return;
    }
    if (stop.aborted) return;
    yield* this.subscriptions.events(jobId, from, stop);
  }

  /** Headers-only consumers on the log stream and the job records (watch-jobs.ts). */
  watchJobs(signal: AbortSignal): AsyncIterable<JobChanges> {
    return watchJobChanges(this.ctx, this.watch, AbortSignal.any([signal, this.closing.signal]));
  }

  listenerCount(): number {
    return this.live.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    // stop, not close(): close() waits for an iterator that nobody may be reading any more
    for (const m of this.live) m.stop();
    await this.ctx.nc.close().catch(() => undefined);
  }
}

