import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { uniqueDatabaseName } from './ids';

/**
 * PostgreSQL for tests: a throw-away database per run on the machine's shared server (so runs
 * and workers never see each other's rows), one-statement helpers, and a private cluster a
 * test may stop and start without touching the shared server.
 */
export const POSTGRES_TEST_URL = process.env.LOGSCOPE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs `fn` on a connection of its own to `url`, closed afterwards. */
export async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs one statement on a connection of its own and returns its rows. */
export async function sql<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  return withPg(url, async (client) => (await client.query<R>(text, params)).rows);
}

export async function postgresReachable(url = POSTGRES_TEST_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  /** drops the database (with FORCE); a second call does nothing */
  drop(): Promise<void>;
}

/** A new database on the cluster whose maintenance database `adminUrl` names. */
export async function createTestDatabase(adminUrl = POSTGRES_TEST_URL): Promise<TestDatabase> {
  const name = uniqueDatabaseName();
  await withPg(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withPg(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * How many times the stores' "events after cursor" query ran (pg_stat_statements, which must
 * be preloaded): every live subscription runs it once per wake-up, so it counts subscriptions.
 */
export async function pgEventsQueryCalls(url: string): Promise<number> {
  return withPg(url, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await c.query<{ calls: string | null }>(
      `SELECT sum(calls)::text AS calls FROM pg_stat_statements WHERE query LIKE '%FROM events e WHERE e.job_id = $1 AND e.id > $2%'`,
    );
    return Number(rows[0]?.calls ?? 0);
  });
}

export interface PrivatePostgres {
  /** connection URL of database `db` */
  url(db?: string): string;
  stop(): void;
  start(): void;
  destroy(): void;
}

const pgBin = (tool: string) => {
  const versions = spawnSync('ls', ['/usr/lib/postgresql']).stdout.toString().trim().split('\n');
  return `/usr/lib/postgresql/${versions.sort().at(-1)}/bin/${tool}`;
};

/**
 * A throw-away PostgreSQL cluster on `port`, owned by the postgres user (initdb refuses root).
 * `settings` are extra server parameters (`-c key=value`), e.g. shared_preload_libraries.
 */
export function startPrivatePostgres(port: number, settings: Record<string, string> = {}): PrivatePostgres {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-pg-'));
  chmodSync(dir, 0o700);
  const { uid, gid } = userIds('postgres');
  chownSync(dir, uid, gid);
  const asPostgres = (args: string[]) => {
    const result = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  };
  asPostgres([pgBin('initdb'), '-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const extra = Object.entries(settings)
    .map(([key, value]) => ` -c ${key}=${value}`)
    .join('');
  const start = () =>
    asPostgres([pgBin('pg_ctl'), '-D', `${dir}/data`, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on${extra}`, '-l', `${dir}/log`, '-w', 'start']);
  const stop = () => asPostgres([pgBin('pg_ctl'), '-D', `${dir}/data`, '-m', 'fast', '-w', 'stop']);
  start();
  return {
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim();
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim();
  return { uid: Number(uid), gid: Number(gid) };
}
