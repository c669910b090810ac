/**
 * PostgreSQL part of scripts/bench-search.ts: a throw-away database on the server at the given
 * URL, filled in bulk with SQL (the same lines as the file-store data set: jobs × lines of the
 * bench's text, the trigram index built once after the load, as a migration would), then the same
 * global searches through the PostgreSQL store.
 */
import { createPostgresStore } from '../lib/store/postgres';
import type { LogStore } from '../lib/store/types';
import { createTestDatabase, withPg } from '../test/support/postgres';

export async function benchPostgres(
  adminUrl: string,
  jobs: number,
  lines: number,
  global: (name: string, store: LogStore, filled: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const db = await createTestDatabase(adminUrl);
  const store = await createPostgresStore({ url: db.url });
  try {
    await global('postgres', store, async () => {
      await withPg(db.url, async (client) => {
        await client.query('DROP INDEX lines_plain_trgm; DROP INDEX lines_plain_inexact');
        await client.query(
          `INSERT INTO jobs (id, title, labels, status, created_at, token_hash, masks)
           SELECT 'bench-global-' || lpad(j::text, 5, '0'), 'bench ' || j, '{}', 'running', 1700000000000 + j, repeat('0', 64), '[]'
           FROM generate_series(0, $1::int - 1) j ORDER BY j`,
          [jobs],
        );
        await client.query(
          `INSERT INTO steps (job_id, id, name, status, last) SELECT id, 'main', 'main', 'running', $1 FROM jobs ORDER BY pos`,
          [lines],
        );
        await client.query(
          `INSERT INTO lines (job_id, step_id, n, ts, stream, text)
           SELECT 'bench-global-' || lpad(j::text, 5, '0'), 'main', n, 1700000000000 + n, 'out',
             '2026-11-22T10:00:00Z ' || chr(27) || '[32m[build]' || chr(27) || '[0m compiling module ' || n || ' of ' || $2::int || ' ... ok'
             || CASE WHEN n % 11 = 0 THEN ' warning: deprecated' ELSE '' END
             || CASE WHEN n > $2::int - 10 THEN ' ERROR: link failed (code ' || (n % 7) || ')' ELSE '' END
           FROM generate_series(0, $1::int - 1) j, generate_series(1, $2::int) n`,
          [jobs, lines],
        );
        await client.query('CREATE INDEX lines_plain_trgm ON lines USING gin (logscope_plain(text) gin_trgm_ops)');
        await client.query('CREATE INDEX lines_plain_inexact ON lines (job_id, step_id, n) WHERE logscope_plain_inexact(text)');
        await client.query('ANALYZE');
        const plan = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT n FROM lines WHERE logscope_plain(text) ILIKE '%segfault%' OR logscope_plain_inexact(text)`,
        );
        console.log(`postgres plan for a literal:\n  ${plan.rows.map((r) => r['QUERY PLAN']).join('\n  ')}`);
      });
    });
  } finally {
    await store.close();
    await db.drop();
  }
}
