import 'server-only';
import type pg from 'pg';
import { notFound, JobCompletedError, UnavailableError } from '../../errors';
import type { JobStatus } from '../../contracts';
import { CHANNEL } from './listener';
import { cleanJson, type JobRow } from './rows';
import { toStoreError } from './errors';

export interface EventInsert {
  type: 'lines' | 'update' | 'step' | 'job' | 'end';
  step?: string;
  first?: number;
  last?: number;
  payload?: unknown;
}

/**
 * One transaction. Every writer starts with `lockJob`, which takes the job row lock: it makes
 * the completed-check atomic with the write and — because it is held until COMMIT — makes a
 * job's event ids (bigserial) be allocated in commit order, so a subscriber that has read up to
 * id N can never later see a smaller id commit for that job.
 */
export class Tx {
  private notifyJob: string | null = null;
  private lastEvent = '0';

  constructor(readonly client: pg.PoolClient) {}

  query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(sql, params);
  }

  /**
   * Locks the job row; not_found when missing, JobCompletedError unless `allowCompleted`.
   * `masks_version` (the number of masks) is read under the lock: appends check it against it.
   */
  async lockJob(jobId: string, allowCompleted = false): Promise<JobRow & { masks_version: number }> {
    const { rows } = await this.query<JobRow & { masks_version: number }>(
      'SELECT id, title, labels, status, created_at, ended_at, jsonb_array_length(masks) AS masks_version FROM jobs WHERE id = $1 FOR NO KEY UPDATE',
      [jobId],
    );
    const row = rows[0];
    if (!row) throw notFound(`job ${jobId}`);
    if (!allowCompleted && row.status !== ('running' satisfies JobStatus)) throw new JobCompletedError(jobId);
    return row;
  }

  async event(jobId: string, e: EventInsert): Promise<string> {
    const { rows } = await this.query<{ id: string }>(
      'INSERT INTO events (job_id, type, step_id, first, last, payload) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [jobId, e.type, e.step ?? null, e.first ?? null, e.last ?? null, e.payload === undefined ? null : cleanJson(e.payload)],
    );
    const id = rows[0]?.id ?? '0';
    this.notifyJob = jobId;
    this.lastEvent = id;
    return id;
  }

  /** Wakes the job's subscribers at COMMIT without an event (a deletion: they see the job gone). */
  wake(jobId: string): void {
    this.notifyJob = jobId;
  }

  /** NOTIFY is delivered at COMMIT, so queue it last: listeners wake only for committed rows. */
  async beforeCommit(): Promise<void> {
    if (!this.notifyJob) return;
    await this.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ job: this.notifyJob, cursor: this.lastEvent })]);
  }
}

export class Db {
  constructor(
    readonly pool: pg.Pool,
    private readonly closing: AbortSignal,
  ) {}

  /**
   * A query racing the store's close(): pg-pool leaves requests queued for a connection
   * waiting until their connect timeout once the pool ends, so a closed store answers at once.
   */
  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (this.closing.aborted) throw new UnavailableError('store is closed');
    const query = this.pool.query<R>(sql, params);
    let onAbort = () => undefined as void;
    const closed = new Promise<never>((_, reject) => {
      onAbort = () => reject(new UnavailableError('store is closed'));
      this.closing.addEventListener('abort', onAbort, { once: true });
    });
    query.catch(() => undefined); // may settle after close; nobody waits for it then
    try {
      return await Promise.race([query, closed]);
    } catch (error) {
      throw toStoreError(error);
    } finally {
      this.closing.removeEventListener('abort', onAbort);
    }
  }

  /** Runs `fn` in one transaction; resolves only after COMMIT succeeded (the write is durable). */
  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    if (this.closing.aborted) throw new UnavailableError('store is closed');
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const tx = new Tx(client);
      const result = await fn(tx);
      await tx.beforeCommit();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw toStoreError(error);
    } finally {
      // a client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it
      client.release(broken);
    }
  }
}
