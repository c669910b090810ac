import 'server-only';
import type { DiffComputing, DiffStepRow, JobMeta, StepMeta } from '../../contracts';
import { TooManyRequestsError } from '../../errors';
import { stepPages } from '../../export/pages';
import { stepErrorIndex } from '../../ingest';
import type { LogStore } from '../../store/types';
import { createErrorIndex } from '../../triage';
import type { LineDiff } from '../hunks';
import type { NormaliseRuleId } from '../normalise';
import { addedAmong, matchSteps } from '../steps';
import { DiffCache, type CachedDiff } from './cache';
import { DIFF_RETRY_AFTER_S, diffPool, type DiffRunner } from './pool';

/**
 * The diff route's engine (docs/diff.md "Serving"): which diff answers a request, computing it
 * on the diff pool when it is not cached, and how long a request waits for it.
 *
 * - A request for a cached diff (same jobs, steps, normalisation and line counts) is answered at once.
 * - Otherwise the diff is started (or joined: one computation per pair of steps and
 *   normalisation at a time) and the request waits up to DIFF_WAIT_MS for it.
 * - Past that wait: the last diff of the same steps (a live step before it grew) if one is
 *   cached, marked incomplete; else 202 with the computation's progress. The computation goes
 *   on without the request: the next one finds it cached.
 * - A live step that grew while its diff was computed is diffed again on the next request
 *   after that computation ends (never two at once for the same steps).
 * - A new diff when every worker is busy and MAX_QUEUED_DIFFS wait is a 429.
 */

/** How long a request waits for its diff before answering 202 (or the step's previous diff). `LOGSCOPE_DIFF_WAIT_MS` overrides (0: never wait). */
export const DIFF_WAIT_MS = 2000;
/** `Retry-After` (s) of a 202: the diff is being computed. */
export const DIFF_COMPUTING_RETRY_S = 2;

/** One diff to answer: the two jobs as the reader sees them, the two steps, the normalisation. */
export interface DiffTarget {
  job: JobMeta;
  base: JobMeta;
  headStep: StepMeta;
  baseStep: StepMeta;
  rules: readonly NormaliseRuleId[];
}

export type DiffProgress = DiffComputing['progress'];

export type DiffOutcome = { state: 'done'; diff: LineDiff; complete: boolean } | { state: 'computing'; progress: DiffProgress };

interface Flight {
  key: string;
  promise: Promise<CachedDiff>;
  progress: DiffProgress;
}

/** A cached diff is keyed by its slot (jobs, steps, normalisation) and both steps' line counts. */
function keysOf(target: DiffTarget): { slot: string; key: string } {
  const { job, base, headStep, baseStep, rules } = target;
  const slot = JSON.stringify([job.id, job.createdAt, headStep.id, base.id, base.createdAt, baseStep.id, rules.join(',')]);
  return { slot, key: `${slot}#${headStep.lines}:${baseStep.lines}` };
}

/** `promise`'s value, or null after `ms` or once `signal` aborts (the client is gone); rejects with its error. */
async function within<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T | null> {
  if (ms <= 0) return null;
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  try {
    return await Promise.race([
      promise,
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms))),
      new Promise<null>((resolve) => {
        if (signal?.aborted) resolve(null);
        onAbort = () => resolve(null);
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export class DiffService {
  private readonly flights = new Map<string, Flight>();

  constructor(
    private readonly runner: DiffRunner,
    readonly cache: DiffCache = new DiffCache(),
    private readonly waitMs: number = DIFF_WAIT_MS,
  ) {}

  /** The diff of one pair of steps (see above). 429 when it would have to start and the pool is full. */
  async stepDiff(store: LogStore, target: DiffTarget, signal?: AbortSignal): Promise<DiffOutcome> {
    const { slot, key } = keysOf(target);
    // complete: the diff is of both steps' every line and neither job takes more
    const ended = target.job.status !== 'running' && target.base.status !== 'running';
    const hit = this.cache.get(key);
    if (hit) return { state: 'done', diff: hit.diff, complete: ended };
    let flight = this.flights.get(slot);
    if (!flight) {
      if (this.runner.full()) throw new TooManyRequestsError('too many diffs at once: retry later', DIFF_RETRY_AFTER_S);
      flight = this.start(store, target, slot, key);
    }
    if (flight.key === key) {
      const result = await within(flight.promise, this.waitMs, signal);
      if (result) return { state: 'done', diff: result.diff, complete: ended };
    }
    const previous = this.cache.latest(slot);
    if (previous) return { state: 'done', diff: previous.diff, complete: false };
    return { state: 'computing', progress: { ...flight.progress } };
  }

  /**
   * One row per step of `job` (and per step only in `base`): the step's diff counts and added
   * error lines when its diff is cached, else its computation is started while the pool has
   * room (`computing`; past that `pending`). Waits up to DIFF_WAIT_MS in all.
   */
  async stepRows(store: LogStore, job: JobMeta, base: JobMeta, rules: readonly NormaliseRuleId[], signal?: AbortSignal): Promise<{ rows: DiffStepRow[]; complete: boolean }> {
    const matches = new Map(matchSteps(job.steps, base.steps).map((m) => [m.head, m.base]));
    const baseById = new Map(base.steps.map((s) => [s.id, s]));
    const targets = new Map<string, DiffTarget>();
    const started: Promise<unknown>[] = [];
    for (const headStep of job.steps) {
      const baseStep = baseById.get(matches.get(headStep.id) ?? '');
      if (!baseStep) continue;
      const target: DiffTarget = { job, base, headStep, baseStep, rules };
      targets.set(headStep.id, target);
      const { slot, key } = keysOf(target);
      if (this.cache.get(key)) continue;
      let flight = this.flights.get(slot);
      if (!flight && !this.runner.full()) flight = this.start(store, target, slot, key);
      if (flight && flight.key === key) started.push(flight.promise.catch(() => undefined));
    }
    if (started.length > 0) await within(Promise.all(started), this.waitMs, signal);

    const rows: { row: DiffStepRow; rank: number }[] = [];
    let complete = job.status !== 'running' && base.status !== 'running';
    const matchedBase = new Set(matches.values());
    for (const headStep of job.steps) {
      const errors = headStep.errors?.count ?? 0;
      const target = targets.get(headStep.id);
      if (!target) {
        const row: DiffStepRow = { step: headStep.id, baseStep: null, name: headStep.name, status: 'unmatched', added: headStep.lines, removed: 0, unchanged: 0, addedErrors: errors, errors };
        rows.push({ row, rank: 0 });
        continue;
      }
      const { slot, key } = keysOf(target);
      const exact = this.cache.get(key);
      const known = exact ?? this.cache.latest(slot);
      if (!exact) complete = false;
      if (!known) {
        const row: DiffStepRow = { step: headStep.id, baseStep: target.baseStep.id, name: headStep.name, status: this.flights.has(slot) ? 'computing' : 'pending', added: null, removed: null, unchanged: null, addedErrors: null, errors };
        rows.push({ row, rank: 1 });
        continue;
      }
      const { counts } = known.diff.summary;
      const differs = counts.added > 0 || counts.removed > 0;
      const addedErrors = differs && counts.added > 0 && errors > 0 ? await this.addedErrors(store, job.id, headStep.id, known, errors) : 0;
      const row: DiffStepRow = { step: headStep.id, baseStep: target.baseStep.id, name: headStep.name, status: differs ? 'differs' : 'equal', ...counts, addedErrors, errors };
      rows.push({ row, rank: differs ? 0 : 2 });
    }
    for (const baseStep of base.steps) {
      if (matchedBase.has(baseStep.id)) continue;
      const row: DiffStepRow = { step: null, baseStep: baseStep.id, name: baseStep.name, status: 'unmatched', added: 0, removed: baseStep.lines, unchanged: 0, addedErrors: 0, errors: 0 };
      rows.push({ row, rank: 3 });
    }
    // stable: each group keeps the job's step order
    rows.sort((a, b) => a.rank - b.rank);
    return { rows: rows.map((r) => r.row), complete };
  }

  /**
   * The step's kept error lines (its error index, docs/triage.md: the first MAX_ERRORS_PER_STEP)
   * in added or changed hunks of `cached`; counted once per error count (the index only grows).
   */
  private async addedErrors(store: LogStore, jobId: string, stepId: string, cached: CachedDiff, errors: number): Promise<number> {
    if (cached.addedErrors?.errors === errors) return cached.addedErrors.count;
    const index = stepErrorIndex(await store.getStepState(jobId, stepId));
    const count = index ? addedAmong(cached.diff, createErrorIndex(index).entries().map((e) => e.n)) : 0;
    cached.addedErrors = { count, errors };
    return count;
  }

  /** Starts computing `target` on the runner: both steps read page by page up to their line counts now. */
  private start(store: LogStore, target: DiffTarget, slot: string, key: string): Flight {
    const { job, base, headStep, baseStep, rules } = target;
    const progress: DiffProgress = { phase: 'queued', lines: 0, total: headStep.lines + baseStep.lines };
    const promise = this.runner
      .run(rules, async (sink) => {
        progress.phase = 'reading';
        for await (const page of stepPages(store, base.id, baseStep.id, { to: baseStep.lines })) {
          progress.lines += page.length;
          if (!(await sink.addBase(page.map((line) => line.text)))) break;
        }
        for await (const page of stepPages(store, job.id, headStep.id, { to: headStep.lines })) {
          progress.lines += page.length;
          if (!(await sink.addHead(page.map((line) => line.text)))) break;
        }
        progress.phase = 'aligning';
        return sink.finish();
      })
      .then((diff) => {
        const value: CachedDiff = { diff };
        this.cache.set(key, slot, value);
        return value;
      });
    const flight: Flight = { key, promise, progress };
    this.flights.set(slot, flight);
    const done = () => {
      if (this.flights.get(slot) === flight) this.flights.delete(slot);
    };
    promise.then(done, done);
    return flight;
  }
}

function waitFromEnv(): number {
  const raw = process.env.LOGSCOPE_DIFF_WAIT_MS?.trim();
  const value = Number(raw);
  return raw && Number.isSafeInteger(value) && value >= 0 ? value : DIFF_WAIT_MS;
}

const SERVICE = Symbol.for('logscope.diffService');
type WithService = typeof globalThis & { [SERVICE]?: DiffService };

/** The process's diff service: the diff pool, one cache (kept across module reloads in development). */
export function diffService(): DiffService {
  const global = globalThis as WithService;
  global[SERVICE] ??= new DiffService(diffPool(), new DiffCache(), waitFromEnv());
  return global[SERVICE];
}
