import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../errors';
import { backendGate, createTestDatabase, POSTGRES_TEST_URL, postgresReachable, sharedDataHandle, sql, uniqueJobId, type TestDatabase } from '../../../test/support';
import { stepErrorIndex } from '../../ingest';
import { describeLogStoreConformance, makeLines } from '../conformance';
import type { LogStore, StoreEvent } from '../types';
import { createPostgresStore } from './index';
import { LISTEN_APPLICATION_NAME } from './listener';
import type { PostgresStore } from './store';

const TOKEN = { tokenHash: 'c'.repeat(64) };
const gate = await backendGate(`PostgreSQL (${POSTGRES_TEST_URL})`, await postgresReachable());

if (gate === 'fail') {
  it('PostgreSQL is reachable (required on CI)', () => {
    expect.fail(`PostgreSQL at ${POSTGRES_TEST_URL} is not reachable`);
  });
}

if (gate === 'run') {
  describeLogStoreConformance('postgres', async () => {
    const db = await createTestDatabase();
    return sharedDataHandle(
      () => createPostgresStore({ url: db.url }),
      (store) => (store as PostgresStore).listenerCount(),
      () => db.drop(),
    );
  });

  describe('postgres store specifics', () => {
    let db: TestDatabase;
    let a: LogStore;
    let b: LogStore;
    beforeAll(async () => {
      db = await createTestDatabase();
      // two stores on one database stand for two Logscope servers behind a load balancer;
      // they start at the same time, so the migration lock is exercised too
      [a, b] = await Promise.all([createPostgresStore({ url: db.url }), createPostgresStore({ url: db.url })]);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await db?.drop();
    });

    it('applies each migration once when servers start together, with a trigram index', async () => {
      const versions = await sql<{ version: number }>(db.url, 'SELECT version FROM schema_version ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const indexes = await sql<{ indexname: string }>(db.url, "SELECT indexname FROM pg_indexes WHERE tablename = 'lines'");
      // migration 5 replaced the index on the stored text with one on the plain (SGR-stripped) text
    expect(indexes.map((i) => i.indexname)).toEqual(expect.arrayContaining(['lines_plain_trgm', 'lines_plain_inexact']));
    expect(indexes.map((i) => i.indexname)).not.toContain('lines_text_trgm');
      const third = await createPostgresStore({ url: db.url });
      await third.close();
      expect(await sql(db.url, 'SELECT version FROM schema_version')).toHaveLength(versions.length);
    });

    it('upgrades a database of schema 6: steps get the errors column, stored steps read as having none', async () => {
      const old = await createTestDatabase();
      try {
        const id = uniqueJobId('pg-upgrade');
        const first = await createPostgresStore({ url: old.url });
        await first.putJob(id, {}, TOKEN);
        // a step as stored before error lines were recognised: an ingest state without an index
        await first.append(id, 's', { lines: makeLines(1, 2, () => 'error: before the upgrade'), state: { v: 1 } });
        await first.close();
        await sql(old.url, 'ALTER TABLE steps DROP COLUMN errors');
        await sql(old.url, 'ALTER TABLE steps DROP COLUMN produced');
        await sql(old.url, 'DROP TABLE raw');
        await sql(old.url, 'DELETE FROM schema_version WHERE version >= 7');
        const upgraded = await createPostgresStore({ url: old.url });
        try {
          expect((await sql<{ version: number }>(old.url, 'SELECT max(version) AS version FROM schema_version'))[0]?.version).toBe(8);
          const step = (await upgraded.getJob(id))?.steps[0];
          expect(step).toMatchObject({ id: 's', lines: 2 });
          expect(step?.errors).toBeUndefined();
          expect(stepErrorIndex(await upgraded.getStepState(id, 's'))).toBeNull();
          await upgraded.append(id, 's', { lines: makeLines(3, 3), errors: { count: 1, first: 3, truncated: false } });
          expect((await upgraded.getJob(id))?.steps[0]?.errors).toEqual({ count: 1, first: 3, truncated: false });
        } finally {
          await upgraded.close();
        }
      } finally {
        await old.drop();
      }
    });

    it('reconnects LISTEN after its session is killed and backfills by cursor', async () => {
      const id = uniqueJobId('pg-relisten');
      await a.putJob(id, {}, TOKEN);
      const controller = new AbortController();
      const events: StoreEvent[] = [];
      const reading = (async () => {
        for await (const e of b.subscribe(id, null, controller.signal)) events.push(e);
      })();
      await a.append(id, 's', { lines: makeLines(1, 1) });
      const killed = await sql<{ ok: boolean }>(
        db.url,
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
        [LISTEN_APPLICATION_NAME],
      );
      expect(killed.length).toBeGreaterThan(0);
      // written while no LISTEN session exists: only the backfill after reconnecting can see it
      await a.append(id, 's', { lines: makeLines(2, 3) });
      await a.complete(id, 'success');
      await reading;
      expect(events.flatMap((e) => (e.type === 'lines' ? e.lines.map((l) => l.n) : []))).toEqual([1, 2, 3]);
      expect(events.at(-1)?.type).toBe('end');
    });

    it('watchJobs says resync once LISTEN is back after its session is killed, then names jobs again', async () => {
      const controller = new AbortController();
      const changes = b.watchJobs(controller.signal)[Symbol.asyncIterator]();
      expect((await changes.next()).value).toEqual({ type: 'resync' });
      const killed = await sql<{ ok: boolean }>(
        db.url,
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
        [LISTEN_APPLICATION_NAME],
      );
      expect(killed.length).toBeGreaterThan(0);
      // notifications sent while no session listens are lost: the watch must say so
      for (;;) {
        const next = await changes.next();
        if (next.done) throw new Error('watchJobs ended');
        if (next.value.type === 'resync') break;
      }
      const id = uniqueJobId('pg-watch-back');
      await a.putJob(id, {}, TOKEN);
      for (;;) {
        const next = await changes.next();
        if (next.done) throw new Error('watchJobs ended');
        if (next.value.type === 'changed' && next.value.jobs.includes(id)) break;
      }
      controller.abort();
    });

    it('replays events of long lines in byte-bounded pages, every line once and in order', async () => {
      const id = uniqueJobId('pg-pages');
      await a.putJob(id, {}, TOKEN);
      // 12 events of one 1 MiB line each: more than one 8 MiB replay page
      const big = 'x'.repeat(1024 * 1024);
      for (let n = 1; n <= 12; n++) await a.append(id, 's', { lines: makeLines(n, n, () => `${n} ${big}`) });
      await a.complete(id, 'success');
      const controller = new AbortController();
      const seen: number[] = [];
      for await (const event of b.subscribe(id, null, controller.signal)) {
        if (event.type === 'lines') for (const line of event.lines) seen.push(Number(line.text.split(' ')[0]));
      }
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    });

    it('stores NUL and lone surrogates without failing the batch', async () => {
      const id = uniqueJobId('pg-nul');
      await a.putJob(id, { title: 'nul\u0000title', labels: { k: 'v\u0000' } }, TOKEN);
      const lines = [
        { n: 1, ts: 1, stream: 'out' as const, text: 'a\u0000b' },
        { n: 2, ts: 2, stream: 'err' as const, text: 'lone \ud800 high, lone \udc00 low, pair \ud83d\ude80' },
      ];
      await a.append(id, 's', { lines, state: { partial: 'x\u0000y' } });
      const read = await a.readLines(id, 's', 1, 10);
      expect(read.lines.map((l) => l.text)).toEqual(['a\u2400b', 'lone \ufffd high, lone \ufffd low, pair \ud83d\ude80']);
      expect(await a.getStepState(id, 's')).toEqual({ partial: 'x\u0000y' });
      expect((await a.getJob(id))?.title).toBe('nul\u2400title');
    });

    it('rejects with UnavailableError, promptly, when the server cannot be reached', async () => {
      const started = Date.now();
      await expect(createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none' })).rejects.toBeInstanceOf(UnavailableError);
      expect(Date.now() - started).toBeLessThan(20_000);
    });

    it('maps a terminated session to UnavailableError, then recovers', async () => {
      const id = uniqueJobId('pg-kill');
      await a.putJob(id, {}, TOKEN);
      await sql(db.url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'logscope' AND pid <> pg_backend_pid()");
      // a pooled session killed under it fails with 57P01 (or the pool already replaced it)
      const outcome = await a.getJob(id).then(
        (job) => job?.id,
        (error: unknown) => error,
      );
      if (outcome !== id) expect(outcome).toBeInstanceOf(UnavailableError);
      // Every idle pooled session was killed: each may fail one call (a 503) before the pool
      // has replaced them all, then calls succeed again.
      await expect.poll(() => a.getJob(id).then((job) => job?.id, () => 'unavailable'), { timeout: 10_000, interval: 50 }).toBe(id);
    });

    it('close() leaves no session behind', async () => {
      const store = await createPostgresStore({ url: db.url });
      const id = uniqueJobId('pg-close');
      await store.putJob(id, {}, TOKEN);
      const controller = new AbortController();
      const sub = store.subscribe(id, null, controller.signal)[Symbol.asyncIterator]();
      const pending = sub.next();
      await store.close();
      await store.close();
      expect(await pending).toEqual({ done: true, value: undefined });
      controller.abort();
      await a.close();
      await b.close();
      const sessions = await sql(db.url, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'logscope%'");
      expect(sessions).toEqual([]);
    });
  });
}
