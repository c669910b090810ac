import 'server-only';
import { appendFile, mkdir, open, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { deliveryRecordSchema, MAX_DELIVERY_LOG, type DeliveryRecord } from '../contracts/webhooks';

/**
 * The admin's log of recent webhook deliveries (GET /api/v1/admin/webhooks/deliveries): the
 * newest MAX_DELIVERY_LOG deliveries, each updated as its attempts go. Recording never blocks or
 * fails a delivery: records are kept in memory at once and persisted in the background, changed
 * records coalesced into one write.
 * - `file` (file store): an append-only NDJSON file next to the store's jobs, compacted to the
 *   newest records when it holds twice as many lines. One process owns the directory, so a
 *   delivery still queued or retrying when that process stopped is shown as `lost` after a restart.
 * - `postgres`: a table in the store's database, shared by every server on it (each records the
 *   deliveries it makes); a delivery of a server that died stays as last recorded.
 * - `memory` (NATS store, tests): this server's deliveries since it started.
 */
export interface DeliveryLog {
  readonly storage: 'file' | 'postgres' | 'memory';
  /** Inserts or updates the record with this id. */
  record(entry: DeliveryRecord): void;
  /** Newest first (by queue time). */
  list(limit: number): Promise<DeliveryRecord[]>;
  /** Resolves once every record so far is persisted. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Largest delivery log file read at start (its tail): far above 2 × MAX_DELIVERY_LOG records. */
export const MAX_DELIVERY_FILE_READ_BYTES = 8 * 1024 * 1024;
export const DELIVERY_LOG_FILE = 'webhook-deliveries.ndjson';

const FINAL = new Set<DeliveryRecord['state']>(['delivered', 'failed', 'dropped', 'lost']);

export class MemoryDeliveryLog implements DeliveryLog {
  readonly storage: DeliveryLog['storage'] = 'memory';
  /** insertion order is queue order: a record keeps its place when updated */
  protected readonly records = new Map<string, DeliveryRecord>();
  private dirty = new Map<string, DeliveryRecord>();
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(protected readonly max = MAX_DELIVERY_LOG) {}

  record(entry: DeliveryRecord): void {
    this.records.set(entry.id, entry);
    while (this.records.size > this.max) this.records.delete(this.records.keys().next().value!);
    if (this.storage === 'memory') return;
    this.dirty.set(entry.id, entry);
    if (this.scheduled) return;
    this.scheduled = true;
    this.writing = this.writing.then(async () => {
      this.scheduled = false;
      const batch = [...this.dirty.values()];
      this.dirty = new Map();
      try {
        await this.persist(batch);
      } catch (error) {
        console.error(`logscope: webhooks: the delivery log could not be written (${(error as Error).message}); ${batch.length} records kept in memory only`);
      }
    });
  }

  async list(limit: number): Promise<DeliveryRecord[]> {
    return [...this.records.values()].reverse().slice(0, limit);
  }

  async flush(): Promise<void> {
    while (this.scheduled || this.dirty.size > 0) await this.writing;
    await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  /** Writes changed records (subclasses). */
  protected async persist(_batch: DeliveryRecord[]): Promise<void> {}
}

/** Parses persisted lines, skipping any that do not validate (a torn last line, an older format). */
function parseRecords(lines: Iterable<string>): DeliveryRecord[] {
  const out: DeliveryRecord[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const parsed = deliveryRecordSchema.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // a torn line from a crash mid-append
    }
  }
  return out;
}

export class FileDeliveryLog extends MemoryDeliveryLog {
  override readonly storage = 'file' as const;
  private lines = 0;
  private readonly loaded: Promise<void>;

  constructor(
    private readonly file: string,
    max = MAX_DELIVERY_LOG,
  ) {
    super(max);
    this.loaded = this.load();
  }

  private async load(): Promise<void> {
    let text = '';
    try {
      const handle = await open(this.file, 'r');
      try {
        const { size } = await handle.stat();
        const start = Math.max(0, size - MAX_DELIVERY_FILE_READ_BYTES);
        const buffer = Buffer.alloc(size - start);
        await handle.read(buffer, 0, buffer.length, start);
        text = buffer.toString('utf8');
        if (start > 0) text = text.slice(text.indexOf('\n') + 1);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') console.error(`logscope: webhooks: cannot read ${this.file}: ${(error as Error).message}`);
      return;
    }
    const now = Date.now();
    const loaded = new Map<string, DeliveryRecord>();
    for (const record of parseRecords(text.split('\n'))) loaded.set(record.id, record);
    this.lines = loaded.size;
    // records made since start (none before the first delivery awaits `loaded`) win
    const current = new Map(this.records);
    this.records.clear();
    for (const record of loaded.values()) {
      this.records.set(record.id, FINAL.has(record.state) ? record : { ...record, state: 'lost', error: record.error ?? 'the server stopped before the delivery finished', finishedAt: now });
    }
    for (const record of current.values()) this.records.set(record.id, record);
    while (this.records.size > this.max) this.records.delete(this.records.keys().next().value!);
  }

  override async list(limit: number): Promise<DeliveryRecord[]> {
    await this.loaded;
    return super.list(limit);
  }

  protected override async persist(batch: DeliveryRecord[]): Promise<void> {
    await this.loaded;
    await mkdir(path.dirname(this.file), { recursive: true });
    if (this.lines + batch.length > 2 * this.max) {
      // compaction: the newest records only, written aside then renamed over (never a torn file)
      const keep = [...this.records.values()];
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, keep.map((r) => `${JSON.stringify(r)}\n`).join(''));
      await rename(tmp, this.file);
      this.lines = keep.length;
      return;
    }
    await appendFile(this.file, batch.map((r) => `${JSON.stringify(r)}\n`).join(''));
    this.lines += batch.length;
  }
}

/** How often (records written) the PostgreSQL log trims itself to the newest MAX_DELIVERY_LOG. */
const PG_TRIM_EVERY = 200;

export class PostgresDeliveryLog extends MemoryDeliveryLog {
  override readonly storage = 'postgres' as const;
  private pool: Promise<pg.Pool> | null = null;
  private written = 0;

  constructor(
    private readonly url: string,
    max = MAX_DELIVERY_LOG,
  ) {
    super(max);
  }

  private db(): Promise<pg.Pool> {
    this.pool ??= (async () => {
      const { default: pgModule } = await import('pg');
      const pool = new pgModule.Pool({ connectionString: this.url, max: 1, connectionTimeoutMillis: 5_000 });
      pool.on('error', () => undefined);
      // servers starting together would race on CREATE … IF NOT EXISTS (a unique violation in
      // the catalogue): one at a time, under a transaction-scoped advisory lock
      try {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query("SELECT pg_advisory_xact_lock(hashtext('logscope_webhook_deliveries'))");
          await client.query(
            'CREATE TABLE IF NOT EXISTS logscope_webhook_deliveries (id text PRIMARY KEY, queued_at double precision NOT NULL, record jsonb NOT NULL)',
          );
          await client.query('CREATE INDEX IF NOT EXISTS logscope_webhook_deliveries_queued ON logscope_webhook_deliveries (queued_at DESC)');
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      } catch (error) {
        await pool.end().catch(() => undefined);
        throw error;
      }
      return pool;
    })();
    this.pool.catch(() => {
      this.pool = null;
    });
    return this.pool;
  }

  protected override async persist(batch: DeliveryRecord[]): Promise<void> {
    const pool = await this.db();
    await pool.query(
      `INSERT INTO logscope_webhook_deliveries (id, queued_at, record)
       SELECT r->>'id', (r->>'queuedAt')::double precision, r FROM jsonb_array_elements($1::jsonb) AS r
       ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record`,
      [JSON.stringify(batch)],
    );
    this.written += batch.length;
    if (this.written >= PG_TRIM_EVERY) {
      this.written = 0;
      await pool.query(
        'DELETE FROM logscope_webhook_deliveries WHERE id IN (SELECT id FROM logscope_webhook_deliveries ORDER BY queued_at DESC OFFSET $1)',
        [this.max],
      );
    }
  }

  override async list(limit: number): Promise<DeliveryRecord[]> {
    await this.flush();
    const pool = await this.db();
    const { rows } = await pool.query<{ record: unknown }>('SELECT record FROM logscope_webhook_deliveries ORDER BY queued_at DESC, id LIMIT $1', [limit]);
    return parseRecords(rows.map((r) => JSON.stringify(r.record)));
  }

  override async close(): Promise<void> {
    await super.close();
    const pool = await this.pool?.catch(() => null);
    this.pool = null;
    await pool?.end();
  }
}
