import 'server-only';
import type pg from 'pg';

/**
 * Schema migrations, applied at start-up. Every server runs them; a transaction-scoped
 * advisory lock makes two servers starting at once apply each migration exactly once (the
 * second waits, then sees the version already recorded). Migrations never change once shipped:
 * add a new entry instead.
 */
const MIGRATION_LOCK_KEY = 0x4c6f6773; // "Logs": any constant shared by every Logscope server

interface Migration {
  version: number;
  /** Runs inside the migration transaction. */
  apply(client: pg.PoolClient): Promise<void>;
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    async apply(client) {
      await client.query(`
        CREATE TABLE jobs (
          pos         bigserial UNIQUE,
          id          text PRIMARY KEY,
          title       text NOT NULL,
          labels      jsonb NOT NULL DEFAULT '{}',
          status      text NOT NULL,
          created_at  double precision NOT NULL,
          ended_at    double precision,
          token_hash  text NOT NULL,
          masks       jsonb NOT NULL DEFAULT '[]'
        );
        CREATE TABLE steps (
          job_id      text NOT NULL REFERENCES jobs(id),
          id          text NOT NULL,
          pos         bigserial,
          name        text NOT NULL,
          parent      text,
          status      text NOT NULL,
          started_at  double precision,
          ended_at    double precision,
          last        integer NOT NULL DEFAULT 0,
          groups      jsonb NOT NULL DEFAULT '[]',
          -- the opaque ingest state as JSON bytes: bytea holds anything (text cannot hold NUL)
          state       bytea,
          internal    boolean,
          PRIMARY KEY (job_id, id)
        );
        -- no foreign key: the step row is locked by every append anyway, and a FK check per
        -- line costs more than the whole insert
        CREATE TABLE lines (
          job_id  text NOT NULL,
          step_id text NOT NULL,
          n       integer NOT NULL,
          ts      double precision NOT NULL,
          stream  text NOT NULL,
          text    text NOT NULL,
          PRIMARY KEY (job_id, step_id, n)
        );
        CREATE TABLE events (
          id       bigserial PRIMARY KEY,
          job_id   text NOT NULL,
          type     text NOT NULL,
          step_id  text,
          first    integer,
          last     integer,
          payload  jsonb
        );
        CREATE INDEX events_job_id ON events (job_id, id);
      `);
    },
  },
  {
    version: 2,
    // Historical search: trigram GIN index (fast ILIKE/regex). Where pg_trgm is not installed
    // (or we may not create it), fall back to a full-text index so search still has an index.
    async apply(client) {
      await client.query('SAVEPOINT trgm');
      try {
        await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
        await client.query('CREATE INDEX lines_text_trgm ON lines USING gin (text gin_trgm_ops)');
        await client.query('RELEASE SAVEPOINT trgm');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT trgm');
        console.warn(
          `logscope: pg_trgm unavailable (${error instanceof Error ? error.message : String(error)}); ` +
            'using a full-text index on lines instead',
        );
        await client.query(`CREATE INDEX lines_text_fts ON lines USING gin (to_tsvector('simple', text))`);
      }
    },
  },
  {
    version: 3,
    // UTF-8 bytes of a job's stored line text, for the job_bytes quota (lib/store/plan/quotas.ts).
    // Jobs stored before it count from 0.
    async apply(client) {
      await client.query('ALTER TABLE jobs ADD COLUMN bytes bigint NOT NULL DEFAULT 0');
    },
  },
  {
    version: 4,
    // A step's declared group-marker dialect (PUT step `markers`; null: auto).
    async apply(client) {
      await client.query('ALTER TABLE steps ADD COLUMN markers text');
    },
  },
  {
    version: 5,
    // Historical search reads each line's plain text (lib/store/postgres/search.ts): a trigram
    // index on the text with its SGR colour codes removed (what the viewer shows, for almost every
    // CI line) replaces the one on the stored text, which no query could use (a colour code inside
    // a word hid it). Lines whose plain text that does not give exactly (other escapes, `\r`,
    // SGR conceal) are few and have a partial index; search checks every candidate in JS.
    // Without pg_trgm (migration 2 fell back) search scans through the range API instead.
    async apply(client) {
      await client.query(`
        CREATE FUNCTION logscope_plain(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
          AS $$ SELECT regexp_replace(t, '\\x1b\\[[0-9;:]*m', '', 'g') $$;
        CREATE FUNCTION logscope_plain_inexact(t text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
          AS $$ SELECT logscope_plain(t) ~ '[\\x01-\\x08\\x0a-\\x1f\\x7f-\\x9f]' OR t ~ '\\x1b\\[([0-9:]*;)*0*8[;:m]' $$;
      `);
      const { rows } = await client.query<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS ok`);
      if (!rows[0]?.ok) return;
      await client.query(`
        DROP INDEX IF EXISTS lines_text_trgm;
        CREATE INDEX lines_plain_trgm ON lines USING gin (logscope_plain(text) gin_trgm_ops);
        CREATE INDEX lines_plain_inexact ON lines (job_id, step_id, n) WHERE logscope_plain_inexact(text);
      `);
    },
  },
  {
    version: 6,
    // The same function, no longer STRICT, so the planner inlines it (a STRICT SQL function whose
    // body is an OR is not). Called, it was an opaque clause guessed to hold for a third of the
    // lines: global search (search.ts) then walked every line of every job newest first, running
    // the regex per line, instead of the trigram index (EXPLAIN in docs/bench/issue-9-profiles.md).
    // Inlined, its two regexes are estimated from the column and index statistics. Same results
    // (the text column is NOT NULL), so the partial index built on it stays valid.
    async apply(client) {
      await client.query(`
        CREATE OR REPLACE FUNCTION logscope_plain_inexact(t text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
          AS $$ SELECT logscope_plain(t) ~ '[\\x01-\\x08\\x0a-\\x1f\\x7f-\\x9f]' OR t ~ '\\x1b\\[([0-9:]*;)*0*8[;:m]' $$;
      `);
    },
  },
  {
    version: 7,
    // A step's error summary (StepMeta.errors, lib/triage; null: no error line seen). Steps stored
    // before it have none: their lines were never classified (docs/triage.md "Stored with the step").
    async apply(client) {
      await client.query('ALTER TABLE steps ADD COLUMN errors jsonb');
    },
  },
  {
    version: 8,
    // Issue 13, the terminal screen. `produced`: the producer's last line number when the screen
    // merged producer lines into fewer stored lines (StepMeta.produced; null: equal to `last`).
    // `raw`: each append's producer text as sent (AppendBatch.raw) in chunks of at most
    // RAW_CHUNK_BYTES, read back in id order by readRaw (the step row lock orders a step's
    // appends, so ids follow commit order within a step). bytea keeps every byte (text cannot
    // hold NUL). Lines are now updated in place (AppendBatch.updates): the trigram and partial
    // indexes on them follow the UPDATE, so search sees the current text.
    async apply(client) {
      await client.query(`
        ALTER TABLE steps ADD COLUMN produced integer;
        CREATE TABLE raw (
          id      bigserial PRIMARY KEY,
          job_id  text NOT NULL,
          step_id text NOT NULL,
          chunk   bytea NOT NULL
        );
        CREATE INDEX raw_step ON raw (job_id, step_id, id);
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    const current = rows[0]?.v ?? 0;
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await migration.apply(client);
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migration.version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
