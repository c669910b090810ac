import 'server-only';
import pg from 'pg';
import { badRequest, notFound } from '../../errors';
import { MAX_RANGE_LIMIT, type FinalJobStatus, JobMeta, LineRange, PutJobBody, PutStepBody, type StepMeta, type AppendResult, type JobList } from '../../contracts';
import { LINE_OVERHEAD_BYTES } from '../../limits';
import type { AppendBatch, JobPrivate, JobSize, JobVisibility, ListJobsQuery, LogStore, StoreEvent } from '../types';
import { append } from './append';
import { readRawChunks } from './raw';
import { Db } from './db';
import * as jobs from './jobs';
import { releaseListener, type PgListener } from './listener';
import { JobChangeQueue, type JobChanges } from '../job-changes';
import { lineFromTuple, type LineTuple } from './rows';
import { CANDIDATES_TIMED_OUT, countJobs, hasSearchIndex, searchCandidates, type CandidateQuery, type SearchCandidate } from './search';

/** Events read per query while replaying (at most; REPLAY_PAGE_BYTES cuts a page sooner). */
const EVENTS_PAGE = 50;
/**
 * Line text one replay query may return: a page ends after the event that reaches it (at least
 * one event per page), so PostgreSQL and node never build more than this plus one event
 * (MAX_EVENT_LINES lines) for a subscriber, however long the lines.
 */
const REPLAY_PAGE_BYTES = 8 * 1024 * 1024;
const CURSOR_PATTERN = /^\d{1,18}$/;

// octet_length of a TOASTed text reads its stored size without detoasting it: sizing a page
// costs an index range scan, not the text. An `update` event names its lines in `payload` (their
// numbers, within first..last, at most SCREEN_ROWS of them) and, like `lines`, reads their current text.
const EVENTS_SQL = `
  WITH page AS (
    SELECT e.id, e.job_id, e.type, e.step_id, e.first, e.last, e.payload,
      CASE WHEN e.type IN ('lines', 'update') THEN (
        SELECT coalesce(sum(octet_length(l.text)), 0) FROM lines l
        WHERE l.job_id = e.job_id AND l.step_id = e.step_id AND l.n BETWEEN e.first AND e.last
          AND (e.type = 'lines' OR l.n IN (SELECT jsonb_array_elements_text(e.payload)::int)))
      ELSE 0 END AS bytes
    FROM events e WHERE e.job_id = $1 AND e.id > $2
      -- the job the subscription started on (a job deleted and created again is another one)
      AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = $1 AND j.pos = $5)
    ORDER BY e.id LIMIT $3
  ), sized AS (
    SELECT *, sum(bytes) OVER (ORDER BY id) - bytes AS before, count(*) OVER () AS fetched FROM page
  )
  SELECT s.id::text AS id, s.type, s.step_id, s.payload, s.fetched::int AS fetched,
    CASE WHEN s.type IN ('lines', 'update') THEN (
      SELECT json_agg(json_build_array(l.n, l.ts, l.stream, l.text) ORDER BY l.n) FROM lines l
      WHERE l.job_id = s.job_id AND l.step_id = s.step_id AND l.n BETWEEN s.first AND s.last
        AND (s.type = 'lines' OR l.n IN (SELECT jsonb_array_elements_text(s.payload)::int)))
    END AS lines
  FROM sized s WHERE s.before < $4 ORDER BY s.id`;

interface EventRow {
  id: string;
  type: StoreEvent['type'];
  step_id: string | null;
  payload: unknown;
  /** events the page held before REPLAY_PAGE_BYTES cut it */
  fetched: number;
  lines: LineTuple[] | null;
}

function toEvent(row: EventRow): StoreEvent {
  switch (row.type) {
    case 'lines':
      return { type: 'lines', cursor: row.id, step: row.step_id ?? '', lines: (row.lines ?? []).map(lineFromTuple) };
    case 'step':
      return { type: 'step', cursor: row.id, step: row.payload as StepMeta };
    case 'job':
      return { type: 'job', cursor: row.id, job: row.payload as Extract<StoreEvent, { type: 'job' }>['job'] };
    case 'end':
      return { type: 'end', cursor: row.id, status: (row.payload as { status: FinalJobStatus }).status };
    case 'update':
      return { type: 'update', cursor: row.id, step: row.step_id ?? '', lines: (row.lines ?? []).map(lineFromTuple) };
    case 'deleted':
      throw new Error('postgres store: no deleted rows are stored');
  }
}

/** Advisory-lock class of Logscope's background tasks (two-int keys: apart from the migration lock). */
const TASK_LOCK_CLASS = 0x4c6f6773;

/** A task name as the advisory lock's second key (32-bit FNV-1a). */
function taskKey(task: string): number {
  let hash = 0x811c9dc5;
  for (const ch of Buffer.from(task, 'utf8')) hash = Math.imul(hash ^ ch, 0x01000193);
  return hash | 0;
}

export class PostgresStore implements LogStore {
  readonly kind = 'postgres' as const;
  private readonly db: Db;
  private closed = false;
  /** Aborts every running subscription on close(). */
  private readonly closing = new AbortController();

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly listener: PgListener,
  ) {
    this.db = new Db(pool, this.closing.signal);
  }

  putJob(jobId: string, body: PutJobBody, create: { tokenHash: string } | null): Promise<{ job: JobMeta; created: boolean }> {
    return jobs.putJob(this.db, jobId, body, create?.tokenHash ?? null);
  }

  getJob(jobId: string): Promise<JobMeta | null> {
    return jobs.readJob(this.db, jobId);
  }

  getJobPrivate(jobId: string): Promise<JobPrivate | null> {
    return jobs.getJobPrivate(this.db, jobId);
  }

  listJobs(query: ListJobsQuery): Promise<JobList> {
    return jobs.listJobs(this.db, query);
  }

  putStep(jobId: string, stepId: string, body: PutStepBody): Promise<StepMeta> {
    return jobs.putStep(this.db, jobId, stepId, body);
  }

  append(jobId: string, stepId: string, batch: AppendBatch): Promise<AppendResult> {
    return append(this.db, jobId, stepId, batch);
  }

  async readLines(jobId: string, stepId: string, from: number, limit: number, maxBytes?: number): Promise<LineRange> {
    // The byte budget is applied in the database: a running sum of the lines' sizes (read from
    // the TOAST header, the text itself is not loaded) picks the last line that fits, and only
    // the lines up to it are aggregated and sent.
    const { rows } = await this.db.query<{ last: number; lines: LineTuple[] | null }>(
      `SELECT s.last, (SELECT json_agg(json_build_array(l.n, l.ts, l.stream, l.text) ORDER BY l.n) FROM lines l
         WHERE l.job_id = $1 AND l.step_id = $2 AND l.n >= $3::bigint AND l.n < $3::bigint + $4::bigint
           AND ($5::bigint IS NULL OR l.n <= (SELECT coalesce(max(w.n), $3::bigint) FROM (
             SELECT b.n, sum(octet_length(b.text) + $6::bigint) OVER (ORDER BY b.n) AS upto FROM lines b
              WHERE b.job_id = $1 AND b.step_id = $2 AND b.n >= $3::bigint AND b.n < $3::bigint + $4::bigint) w
             WHERE w.upto <= $5::bigint))) AS lines
       FROM steps s WHERE s.job_id = $1 AND s.id = $2`,
      [jobId, stepId, Math.floor(from), Math.min(MAX_RANGE_LIMIT, Math.max(0, Math.floor(limit))), maxBytes === undefined ? null : Math.floor(maxBytes), LINE_OVERHEAD_BYTES],
    );
    const row = rows[0];
    if (!row) throw await this.missing(jobId, stepId);
    return { lines: (row.lines ?? []).map(lineFromTuple), last: row.last };
  }

  /** The step's raw chunks (raw.ts), a page per pull; not_found like readLines. */
  async *readRaw(jobId: string, stepId: string, signal?: AbortSignal): AsyncIterable<string> {
    const { rowCount } = await this.db.query('SELECT 1 FROM steps WHERE job_id = $1 AND id = $2', [jobId, stepId]);
    if (!rowCount) throw await this.missing(jobId, stepId);
    yield* readRawChunks(this.db, jobId, stepId, signal);
  }

  async getStepState(jobId: string, stepId: string): Promise<unknown> {
    const { rows } = await this.db.query<{ state: Buffer | null }>(
      'SELECT state FROM steps WHERE job_id = $1 AND id = $2',
      [jobId, stepId],
    );
    const row = rows[0];
    if (!row) {
      // a known job's unknown step simply has no state yet (conformance.ts)
      const { rowCount } = await this.db.query('SELECT 1 FROM jobs WHERE id = $1', [jobId]);
      if (rowCount) return null;
      throw notFound(`job ${jobId}`);
    }
    return row.state === null ? null : (JSON.parse(row.state.toString('utf8')) as unknown);
  }

  addMasks(jobId: string, values: string[]): Promise<string[]> {
    return jobs.addMasks(this.db, jobId, values);
  }

  complete(jobId: string, status: FinalJobStatus): Promise<JobMeta> {
    return jobs.complete(this.db, jobId, status);
  }

  /**
   * Replays events by cursor, then sleeps on the LISTEN watch until a notification for this
   * job (or a LISTEN reconnect) says there may be more; each wake-up re-reads after the cursor.
   */
  async *subscribe(jobId: string, after: string | null, signal: AbortSignal): AsyncIterable<StoreEvent> {
    if (after !== null && !CURSOR_PATTERN.test(after)) throw badRequest('invalid cursor');
    let cursor = after ?? '0';
    const stop = AbortSignal.any([signal, this.closing.signal]);
    // Watch before the first read: a notification between the read and the wait is not lost.
    const watch = this.listener.watch(jobId);
    try {
      const { rows: found } = await this.db.query<{ pos: string }>('SELECT pos::text AS pos FROM jobs WHERE id = $1', [jobId]);
      const pos = found[0]?.pos;
      if (pos === undefined) throw notFound(`job ${jobId}`);
      if (after !== null) {
        // a cursor this job never gave out (another database's, or from before a reset) would wait forever
        const { rows } = await this.db.query<{ last: string | null }>('SELECT max(id)::text AS last FROM events WHERE job_id = $1', [jobId]);
        if (BigInt(after) > BigInt(rows[0]?.last ?? '0')) throw badRequest('cursor is beyond the end of the job');
      }
      while (!stop.aborted) {
        const { rows } = await this.db.query<EventRow>(EVENTS_SQL, [jobId, cursor, EVENTS_PAGE, REPLAY_PAGE_BYTES, pos]);
        for (const row of rows) {
          if (stop.aborted) return;
          cursor = row.id;
          const event = toEvent(row);
          yield event;
          if (event.type === 'end') return;
        }
        if (rows.length === 0) {
          const state = await this.jobState(jobId);
          if (state === null || state.pos !== pos) {
            yield { type: 'deleted', cursor, job: jobId };
            return;
          }
          if (state.status !== 'running') return; // resumed at or after `end`
        }
        const cut = rows.length < (rows[0]?.fetched ?? 0);
        if (rows.length < EVENTS_PAGE && !cut) await watch.wait(stop);
      }
    } catch (error) {
      if (stop.aborted) return; // aborted or closed mid-query: a clean end, not an error
      throw error;
    } finally {
      watch.dispose();
    }
  }

  private searchIndex: Promise<boolean> | null = null;

  /** Global search through the trigram index (search.ts); null when the database has none. */
  async searchCandidates(query: CandidateQuery): Promise<SearchCandidate[] | typeof CANDIDATES_TIMED_OUT | null> {
    this.searchIndex ??= hasSearchIndex(this.db).catch(() => {
      this.searchIndex = null;
      return false;
    });
    return (await this.searchIndex) ? searchCandidates(this.db, query) : null;
  }

  /** Jobs (label and since applied) from job `from` (newest; null: the newest of all) down to job `to` (null: the oldest). */
  countSearchJobs(label: [string, string] | null, since: number | null, from: string | null, to: string | null, visible?: JobVisibility): Promise<number> {
    return countJobs(this.db, label, since, from, to, visible);
  }

  /** Subscribers currently parked on the LISTEN connection (tests check aborts release them). */
  /** The store's one LISTEN session: every NOTIFY names its job (putJob notifies a create too). */
  async *watchJobs(signal: AbortSignal): AsyncIterable<JobChanges> {
    if (this.closed) return;
    const queue = new JobChangeQueue();
    const stop = this.listener.observe(queue);
    const both = AbortSignal.any([signal, this.closing.signal]);
    try {
      yield* queue.drain(both);
    } finally {
      stop();
    }
  }

  listenerCount(): number {
    return this.listener.watchCount();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    await releaseListener(this.connectionString, this.listener);
    await this.pool.end();
  }

  private async jobState(jobId: string): Promise<{ pos: string; status: string } | null> {
    const { rows } = await this.db.query<{ pos: string; status: string }>('SELECT pos::text AS pos, status FROM jobs WHERE id = $1', [jobId]);
    return rows[0] ?? null;
  }

  deleteJob(jobId: string): Promise<boolean> {
    return jobs.deleteJob(this.db, jobId);
  }

  setTokenHash(jobId: string, tokenHash: string): Promise<void> {
    return jobs.setTokenHash(this.db, jobId, tokenHash);
  }

  listSizes(): Promise<JobSize[]> {
    return jobs.listSizes(this.db);
  }

  /**
   * A session advisory lock held on one pooled connection while `fn` runs: one server at a
   * time runs the task; a server that dies releases it with its connection (`ttlMs` unused).
   */
  async runExclusive(task: string, _ttlMs: number, fn: () => Promise<void>): Promise<boolean> {
    if (this.closed) return false;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [TASK_LOCK_CLASS, taskKey(task)]);
      if (!rows[0]?.ok) return false;
      try {
        await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [TASK_LOCK_CLASS, taskKey(task)]).catch((error: unknown) => {
          broken = error instanceof Error ? error : new Error(String(error)); // destroy the connection: that releases it too
        });
      }
      return true;
    } finally {
      client.release(broken);
    }
  }

  private async missing(jobId: string, stepId: string): Promise<Error> {
    const { rowCount } = await this.db.query('SELECT 1 FROM jobs WHERE id = $1', [jobId]);
    return notFound(rowCount ? `step ${stepId}` : `job ${jobId}`);
  }
}
