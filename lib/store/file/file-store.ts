import 'server-only';
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import {
  MAX_RANGE_LIMIT,
  type AppendResult,
  type FinalJobStatus,
  type JobList,
  type JobMeta,
  type JobSummary,
  type Line,
  type LineRange,
  type PutJobBody,
  type PutStepBody,
  type StepMeta,
} from '../../contracts';
import { JobCompletedError, UnavailableError, badRequest, isAppError, notFound } from '../../errors';
import type { AppendBatch, JobPrivate, JobSize, ListJobsQuery, LogStore, StoreEvent } from '../types';
import { appendDurable, createEmptyDurable, fsyncDir, isErrno, readRecords, truncateDurable, writeFileAtomic } from './fs-util';
import { JobState, metaFileSchema, newMetaFile } from './job-state';
import { pageJobs, scanJobs, scanSizes } from './job-list';
import { encodeRecord, parseRecord, type JournalRecord } from './journal';
import { KeyedMutex } from './mutex';
import { StorePaths, assertJobId, assertStepId } from './paths';
import { ReadHandles } from './read-handles';
import { StepFile, clearUndo, pendingUndo, rollbackUndo } from './step-file';
import { RecentEvents, subscribeJournal } from './subscribe';
import { planAddMasks, planAppend, planComplete, planPutJob, planPutStep } from '../plan';
import { appendRecords, completeRecords, putJobRecords, type BatchExtras } from './records';
import { appendRaw, readRawFile } from './raw-file';
import { lockDirectory } from './dir-lock';
import { Sidecars, sidecarPaths } from './sidecar';
import { JobChangeQueue, type JobChanges } from '../job-changes';

/** Appends between checkpoints: bounds the journal replayed when a job is first opened. */
const CHECKPOINT_EVERY_RECORDS = 1000;

/** Jobs kept in memory by default; beyond it the least recently used idle ones are dropped. */
const DEFAULT_MAX_LOADED_JOBS = 256;

export interface FileStoreOptions {
  dir: string;
  /** Jobs kept in memory (default 256). A dropped job is checkpointed first and reloaded on use. */
  maxLoadedJobs?: number;
}

/**
 * The zero-config backend. Layout under `dir`:
 *   jobs/<job>/meta.json          checkpoint (job, steps, ingest states, token hash, masks)
 *   jobs/<job>/journal            append-only event records; cursor = byte offset after one
 *   jobs/<job>/steps/<step>.lines append-only NDJSON lines; <step>.idx sparse offset index
 * One process owns `dir`: writes are serialised per job in memory, and subscribers are woken
 * in-process (no polling).
 */
export class FileStore implements LogStore {
  readonly kind = 'file' as const;
  private readonly paths: StorePaths;
  private readonly mutex = new KeyedMutex();
  private readonly loading = new Map<string, Promise<JobState | null>>();
  private readonly loaded = new Map<string, JobState>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** watchJobs queues: told the id of every job that changes */
  private readonly jobWatches = new Set<JobChangeQueue>();
  private readonly recent = new RecentEvents();
  private scanned: Map<string, JobSummary> | null = null;
  private recordsSinceCheckpoint = new Map<string, number>();
  private closed = false;
  /** Jobs deleted so far (a directory scan that overlapped one is redone). */
  private deletions = 0;
  private readonly maxLoadedJobs: number;
  /** Search-ready plain text of every step (sidecar.ts), read by lib/search. */
  readonly sidecars = new Sidecars((jobId, stepId) => this.paths.stepLines(jobId, stepId));
  /** step files kept open for range reads (read-handles.ts) */
  private readonly readHandles = new ReadHandles();

  private readonly dir: string;
  private unlock: (() => Promise<void>) | null = null;

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.paths = new StorePaths(options.dir);
    this.maxLoadedJobs = Math.max(1, options.maxLoadedJobs ?? DEFAULT_MAX_LOADED_JOBS);
  }

  async init(): Promise<void> {
    await mkdir(this.paths.jobsDir, { recursive: true });
    this.unlock = await lockDirectory(this.dir);
    // deletions a crash interrupted: their jobs were already gone (renamed away)
    await rm(this.paths.trashDir, { recursive: true, force: true });
  }

  /** Live subscriber waiters across all jobs (for leak tests). */
  listenerCount(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }

  // ---- loading and recovery ----

  private job(jobId: string): Promise<JobState | null> {
    assertJobId(jobId);
    if (this.closed) throw new UnavailableError('store closed');
    const existing = this.loading.get(jobId);
    if (existing) {
      const state = this.loaded.get(jobId);
      // Map order is the LRU order: re-insert on use.
      if (state) {
        this.loaded.delete(jobId);
        this.loaded.set(jobId, state);
      }
      return existing;
    }
    const promise = this.load(jobId);
    this.loading.set(jobId, promise);
    promise.then(
      (state) => {
        if (state && this.loading.get(jobId) === promise) {
          this.loaded.set(jobId, state);
          this.trim();
        }
        else if (this.loading.get(jobId) === promise) this.loading.delete(jobId);
      },
      () => {
        if (this.loading.get(jobId) === promise) this.loading.delete(jobId);
      },
    );
    return promise;
  }

  /**
   * Drops the least recently used jobs beyond maxLoadedJobs, each under its own write lock
   * (so no write is in flight) and only without live subscribers; checkpointed first, so
   * reloading replays nothing.
   */
  private trim(): void {
    let excess = this.loaded.size - this.maxLoadedJobs;
    for (const id of this.loaded.keys()) {
      if (excess <= 0) return;
      if (this.waiters.has(id)) continue;
      excess -= 1;
      void this.mutex
        .run(id, async () => {
          const state = this.loaded.get(id);
          if (!state || this.waiters.has(id) || this.closed || this.loaded.size <= this.maxLoadedJobs) return;
          if (state.checkpointOffset < state.journalBytes) await this.checkpoint(state);
          this.scanned?.set(id, state.toSummary());
          this.evict(id);
        })
        .catch(() => this.evict(id));
    }
  }

  /** Forget a job after a failed write: the next access recovers it from disk. */
  private evict(jobId: string): void {
    this.recent.forget(jobId);
    this.loading.delete(jobId);
    this.loaded.delete(jobId);
  }

  private async load(jobId: string): Promise<JobState | null> {
    let raw: string;
    try {
      raw = await readFile(this.paths.meta(jobId), 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null;
      throw error;
    }
    const state = new JobState(metaFileSchema.parse(JSON.parse(raw)));
    const journal = this.paths.journal(jobId);
    let handle;
    try {
      handle = await open(journal, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null; // deleted between the two reads
      throw error;
    }
    let end = state.journalBytes;
    let size: number;
    try {
      size = (await handle.stat()).size;
      if (size < end) throw new Error(`file store: journal of ${jobId} is shorter than its checkpoint`);
      for await (const raw of readRecords(handle, end, size)) {
        const record = parseRecord(raw.text);
        if (!record) break;
        state.apply(record);
        end = raw.next;
      }
    } finally {
      await handle.close();
    }
    // A torn (or unparsable) journal tail was never acknowledged: cut it.
    if (size > end) await truncateDurable(journal, end);
    state.journalBytes = end;
    const cut = await this.rollbackRewrites(state);
    if (cut !== null && cut < end) {
      // the unacknowledged batch's records that did land (a torn multi-record write): gone too
      await truncateDurable(journal, cut);
      return this.load(jobId);
    }
    return state;
  }

  /**
   * Step file rewrites the journal never acknowledged (a crash, or a failed journal write, between
   * step-file.ts `rewrite` and its record): each step's old tail is put back from its undo file, the
   * undo is emptied (so it is never applied twice) and the step's search sidecar dropped (search
   * rebuilds it from the lines). Resolves with the journal offset where the earliest such batch's
   * records start (to cut), or null.
   */
  private async rollbackRewrites(state: JobState): Promise<number | null> {
    let names: string[];
    try {
      names = await readdir(this.paths.stepsDir(state.id));
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null;
      throw error;
    }
    let cut: number | null = null;
    for (const name of names) {
      if (!name.endsWith('.undo')) continue;
      const stepId = name.slice(0, -'.undo'.length);
      const linesPath = this.paths.stepLines(state.id, stepId);
      const undo = await pendingUndo(linesPath, state.revs.get(stepId) ?? 0);
      if (!undo) continue;
      await rollbackUndo(linesPath, undo);
      const { text, index, lower } = sidecarPaths(linesPath);
      await Promise.all([text, index, lower].map((file) => rm(file, { force: true })));
      this.sidecars.forgetUnder(this.paths.stepsDir(state.id));
      await clearUndo(linesPath);
      cut = Math.min(cut ?? undo.journal, undo.journal);
    }
    return cut;
  }

  private stepFile(job: JobState, stepId: string): Promise<StepFile> {
    const existing = job.stepFiles.get(stepId);
    if (existing) return existing;
    const committed = job.steps.get(stepId)?.lines ?? 0;
    const promise = StepFile.open(this.paths.stepLines(job.id, stepId), this.paths.stepIndex(job.id, stepId), committed, this.readHandles).then((file) => {
      const step = job.steps.get(stepId);
      // Only a disk that lost synced data gets here: trust the data, not the journal.
      if (step && file.lines < step.lines) step.lines = file.lines;
      return file;
    });
    job.stepFiles.set(stepId, promise);
    promise.catch(() => job.stepFiles.delete(stepId));
    return promise;
  }

  // ---- writing ----

  /** Runs `fn` holding the job's write lock; evicts the job if a write failed midway. */
  private write<T>(jobId: string, fn: (job: JobState) => Promise<T>): Promise<T> {
    assertJobId(jobId);
    return this.mutex.run(jobId, async () => {
      const job = await this.job(jobId);
      if (!job) throw notFound('job');
      try {
        return await fn(job);
      } catch (error) {
        if (!isAppError(error)) this.evict(jobId);
        throw error;
      }
    });
  }

  /** Appends records to the journal durably, applies them, hands them (with the batch's `lines`) to subscribers. */
  private async commit(job: JobState, records: JournalRecord[], lines: readonly Line[] = []): Promise<void> {
    if (records.length === 0) return;
    const encoded = records.map(encodeRecord);
    const data = Buffer.from(encoded.join(''));
    await appendDurable(this.paths.journal(job.id), data);
    for (const record of records) job.apply(record);
    this.recent.add(job.id, job.journalBytes, records, encoded, lines);
    job.journalBytes += data.length;
    const since = (this.recordsSinceCheckpoint.get(job.id) ?? 0) + records.length;
    this.recordsSinceCheckpoint.set(job.id, since);
    this.wake(job.id);
    if (since >= CHECKPOINT_EVERY_RECORDS) await this.checkpoint(job);
  }

  private async checkpoint(job: JobState): Promise<void> {
    await writeFileAtomic(this.paths.meta(job.id), JSON.stringify(job.toMetaFile()));
    job.checkpointOffset = job.journalBytes;
    this.recordsSinceCheckpoint.set(job.id, 0);
  }

  private wake(jobId: string): void {
    const set = this.waiters.get(jobId);
    if (set) for (const wake of [...set]) wake();
    for (const watch of this.jobWatches) watch.add(jobId);
  }

  async putJob(jobId: string, body: PutJobBody, create: { tokenHash: string } | null): Promise<{ job: JobMeta; created: boolean }> {
    for (const step of body.steps ?? []) {
      assertStepId(step.id);
      if (step.parent) assertStepId(step.parent);
    }
    assertJobId(jobId);
    return this.mutex.run(jobId, async () => {
      let job = await this.job(jobId);
      const created = job === null;
      if (!job && !create) throw notFound(`job ${jobId}`);
      if (!job && create) job = await this.createJob(jobId, create.tokenHash);
      if (!job) throw notFound(`job ${jobId}`);
      const state = job;
      try {
        const plan = planPutJob(state, state.steps, body, Date.now(), { steps: state.steps.size });
        state.labels = plan.labels;
        if (!plan.event) state.title = plan.title;
        await this.commit(state, putJobRecords(plan));
        await this.checkpoint(state);
        // a create without steps writes no record: the job list hears of it all the same
        if (created) for (const watch of this.jobWatches) watch.add(jobId);
      } catch (error) {
        if (!isAppError(error)) this.evict(jobId);
        throw error;
      }
      return { job: state.toMeta(), created };
    });
  }

  private async createJob(jobId: string, tokenHash: string): Promise<JobState> {
    await mkdir(this.paths.stepsDir(jobId), { recursive: true });
    await createEmptyDurable(this.paths.journal(jobId));
    const meta = newMetaFile(jobId, tokenHash, Date.now());
    await writeFileAtomic(this.paths.meta(jobId), JSON.stringify(meta));
    await fsyncDir(this.paths.jobsDir);
    const state = new JobState(meta);
    const promise = Promise.resolve(state);
    this.loading.set(jobId, promise);
    this.loaded.set(jobId, state);
    this.trim();
    return state;
  }

  async putStep(jobId: string, stepId: string, body: PutStepBody): Promise<StepMeta> {
    assertStepId(stepId);
    if (body.parent) assertStepId(body.parent);
    return this.write(jobId, async (job) => {
      if (job.completed) throw new JobCompletedError(jobId);
      const plan = planPutStep(job.steps.get(stepId), stepId, body, Date.now(), { steps: job.steps.size });
      if (plan.changed) await this.commit(job, [{ t: 'step', step: plan.step }]);
      const step = job.steps.get(stepId);
      if (!step) throw new Error('file store: step vanished');
      return structuredClone(step);
    });
  }

  async append(jobId: string, stepId: string, batch: AppendBatch): Promise<AppendResult> {
    assertStepId(stepId);
    return this.write(jobId, async (job) => {
      if (job.completed) throw new JobCompletedError(jobId);
      const plan = planAppend(job.steps.get(stepId), stepId, batch, Date.now(), { steps: job.steps.size, bytes: job.bytes }, job.masks.length);
      if (plan.retry) return plan.result;
      const extras: BatchExtras = {};
      if (plan.accepted.length > 0 || plan.updates.length > 0) {
        const file = await this.stepFile(job, stepId);
        let written: readonly Line[] = plan.accepted;
        if (plan.updates.length > 0) {
          // the screen's tail rewritten in place, undo first (step-file.ts); acknowledged by the update record's rev
          extras.rev = (job.revs.get(stepId) ?? 0) + 1;
          const { tail, delta } = await file.rewrite(plan.updates, plan.accepted, extras.rev, job.journalBytes);
          extras.delta = delta;
          written = tail;
        } else {
          await file.append(plan.accepted);
        }
        // search sidecar (sidecar.ts): derived, never fails the append
        await this.sidecars.append(job.id, stepId, written, plan.updates.length > 0);
      }
      if (plan.raw !== '') {
        const rawPath = this.paths.stepRaw(job.id, stepId);
        extras.rawEnd = await appendRaw(rawPath, job.rawBytes.get(stepId) ?? 0, plan.raw, job.rawChecked.has(stepId));
        job.rawChecked.add(stepId);
      }
      await this.commit(job, appendRecords(stepId, plan, batch.state, extras), plan.accepted);
      return plan.result;
    });
  }

  async complete(jobId: string, status: FinalJobStatus): Promise<JobMeta> {
    return this.write(jobId, async (job) => {
      if (job.completed) throw new JobCompletedError(jobId);
      await this.commit(job, completeRecords(planComplete(job, job.steps.values(), status, Date.now()), status));
      await this.checkpoint(job);
      return job.toMeta();
    });
  }

  /** Under the job's write lock, as every append: the masks version check is atomic with it. */
  async addMasks(jobId: string, values: string[]): Promise<string[]> {
    return this.write(jobId, async (job) => {
      if (job.completed) throw new JobCompletedError(jobId);
      const plan = planAddMasks(job.masks, values);
      if (plan.added.length > 0) {
        job.masks = plan.masks;
        await this.checkpoint(job);
      }
      return [...job.masks];
    });
  }

  /**
   * Under the job's write lock (so no write of it is in flight): the job's directory is renamed
   * into trash/ in one step, so a later load finds no job, then removed. Subscribers holding the
   * job see `deleted` and end.
   */
  async deleteJob(jobId: string): Promise<boolean> {
    assertJobId(jobId);
    return this.mutex.run(jobId, async () => {
      const job = await this.job(jobId);
      if (!job) return false;
      const dir = this.paths.jobDir(jobId);
      await mkdir(this.paths.trashDir, { recursive: true });
      const trash = this.paths.trashEntry(jobId, randomUUID());
      await rename(dir, trash);
      await fsyncDir(this.paths.jobsDir);
      job.deleted = true;
      this.deletions += 1;
      this.evict(jobId);
      this.scanned?.delete(jobId);
      this.recordsSinceCheckpoint.delete(jobId);
      this.sidecars.forgetUnder(dir);
      this.readHandles.closeUnder(dir);
      this.wake(jobId);
      await rm(trash, { recursive: true, force: true });
      return true;
    });
  }

  async setTokenHash(jobId: string, tokenHash: string): Promise<void> {
    await this.write(jobId, async (job) => {
      job.tokenHash = tokenHash;
      await this.checkpoint(job);
    });
  }

  async listSizes(): Promise<JobSize[]> {
    const loaded = [...this.loaded.values()].filter((job) => !job.deleted);
    const sizes: JobSize[] = loaded.map((job) => ({ id: job.id, labels: { ...job.labels }, status: job.status, createdAt: job.createdAt, endedAt: job.endedAt, bytes: job.bytes }));
    return sizes.concat(await scanSizes(this.paths, new Set(loaded.map((job) => job.id))));
  }

  /** One process owns the directory (dir-lock.ts): every task is this server's alone. */
  async runExclusive(_task: string, _ttlMs: number, fn: () => Promise<void>): Promise<boolean> {
    if (this.closed) return false;
    await fn();
    return true;
  }

  // ---- reading ----

  async getJob(jobId: string): Promise<JobMeta | null> {
    return (await this.job(jobId))?.toMeta() ?? null;
  }

  async getJobPrivate(jobId: string): Promise<JobPrivate | null> {
    const job = await this.job(jobId);
    return job ? { tokenHash: job.tokenHash, masks: [...job.masks] } : null;
  }

  async readLines(jobId: string, stepId: string, from: number, limit: number, maxBytes?: number): Promise<LineRange> {
    assertStepId(stepId);
    const job = await this.job(jobId);
    if (!job) throw notFound('job');
    const step = job.steps.get(stepId);
    if (!step) throw notFound('step');
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(limit)) throw badRequest('from and limit must be integers');
    const count = Math.max(0, Math.min(limit, MAX_RANGE_LIMIT));
    const last = step.lines;
    const file = await this.stepFile(job, stepId);
    const first = Math.max(1, from);
    let lines: Line[] = [];
    try {
      if (count > 0) lines = await file.read(first, Math.min(last, first + count - 1), maxBytes);
    } catch (error) {
      // deleted while reading: the job is gone, not broken
      if (job.deleted || isErrno(error, 'ENOENT')) throw notFound('job');
      throw error;
    }
    return { lines, last };
  }

  /** The step's acknowledged raw text (raw-file.ts), as of the call, in RAW_CHUNK_BYTES chunks. */
  async *readRaw(jobId: string, stepId: string, signal?: AbortSignal): AsyncIterable<string> {
    assertStepId(stepId);
    const job = await this.job(jobId);
    if (!job) throw notFound('job');
    if (!job.steps.has(stepId)) throw notFound('step');
    const bytes = job.rawBytes.get(stepId) ?? 0;
    try {
      yield* readRawFile(this.paths.stepRaw(jobId, stepId), bytes, signal);
    } catch (error) {
      // deleted while reading: the job is gone, not broken
      if (job.deleted || isErrno(error, 'ENOENT')) throw notFound('job');
      throw error;
    }
  }

  async getStepState(jobId: string, stepId: string): Promise<unknown> {
    assertStepId(stepId);
    const job = await this.job(jobId);
    if (!job) throw notFound('job');
    return job.stepState.has(stepId) ? structuredClone(job.stepState.get(stepId)) : null;
  }

  async listJobs(query: ListJobsQuery): Promise<JobList> {
    const scanned = await this.scan();
    const all = new Map(scanned);
    for (const [id, job] of this.loaded) all.set(id, job.toSummary());
    return pageJobs(all.values(), query);
  }

  private async scan(): Promise<Map<string, JobSummary>> {
    while (!this.scanned) {
      // a job deleted while the directory was being read may be in the result: read again
      const deletions = this.deletions;
      const found = await scanJobs(this.paths);
      if (deletions === this.deletions) this.scanned ??= found;
    }
    return this.scanned;
  }

  subscribe(jobId: string, after: string | null, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return subscribeJournal(
      {
        job: (id) => this.job(id),
        journalPath: (id) => this.paths.journal(id),
        stepFile: (job, stepId) => this.stepFile(job, stepId),
        isClosed: () => this.closed,
        waiters: this.waiters,
        recent: this.recent,
      },
      jobId,
      after,
      signal,
    );
  }

  /** In-process: this server owns the directory, every change goes through `wake` or putJob. */
  watchJobs(signal: AbortSignal): AsyncIterable<JobChanges> {
    const queue = new JobChangeQueue();
    if (this.closed) queue.end();
    else {
      this.jobWatches.add(queue);
      queue.lost(); // listening from now on
    }
    const watches = this.jobWatches;
    return (async function* () {
      try {
        yield* queue.drain(signal);
      } finally {
        watches.delete(queue);
      }
    })();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const jobs = [...this.loaded.values()];
    await Promise.all(
      jobs.map((job) =>
        this.mutex.run(job.id, async () => {
          if (job.checkpointOffset < job.journalBytes && this.loaded.get(job.id) === job) await this.checkpoint(job);
        }),
      ),
    );
    this.closed = true;
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
    for (const watch of this.jobWatches) watch.end();
    this.jobWatches.clear();
    this.loading.clear();
    this.loaded.clear();
    this.readHandles.closeAll();
    await this.unlock?.();
  }
}
