import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, getJob, sendLines, setStep, type Producer } from '../test/support/api';
import { EventsReader } from '../test/support/events';
import { uniqueJobId, uniqueNatsPrefix } from '../test/support/ids';
import { startLogscope, type LogscopeServer } from '../test/support/logscope-server';
import { NATS_TEST_URL, deleteNatsStreams, natsJobConsumers } from '../test/support/nats';
import { createTestDatabase, pgEventsQueryCalls, startPrivatePostgres, type PrivatePostgres, type TestDatabase } from '../test/support/postgres';
import { sleep } from '../test/support/processes';
import { LogPage } from './log-page';

/**
 * Issue 4 "Several servers": two Logscope servers sharing one PostgreSQL database or one NATS
 * JetStream account. A producer writes through server A; viewers connected to server B see
 * the lines live and the end of the job; each server holds one backend subscription per live
 * job whatever the number of its viewers (docs/architecture.md "The live hub").
 * Ports (brief): Logscope 3160-3165, private PostgreSQL 55433.
 */

test.describe.configure({ mode: 'serial' });

async function startJob(server: LogscopeServer, prefix: string): Promise<Producer> {
  const p = await createJob(server.url, uniqueJobId(prefix), { title: 'Several servers', steps: [{ id: 'build', name: 'Build' }] });
  await setStep(p, 'build', { status: 'running' });
  await sendLines(p, 'build', 1, ['line 1']);
  return p;
}

/** Producer on A, Chromium on B: rows show up batch by batch while A is still writing. */
async function followAcrossServers(page: Page, a: LogscopeServer, b: LogscopeServer): Promise<void> {
  const BATCHES = 4;
  const PER_BATCH = 10;
  const total = 1 + BATCHES * PER_BATCH;
  await page.setViewportSize({ width: 1200, height: 1600 });
  const p = await startJob(a, 'multi');
  const log = new LogPage(page);
  await page.goto(`${b.url}/jobs/${p.jobId}`);
  await expect(log.log).toBeVisible();
  await expect(log.streamState).toHaveAttribute('data-stream-state', 'live');
  await expect(log.line('build', 1)).toBeVisible();

  let n = 1;
  for (let batch = 0; batch < BATCHES; batch++) {
    for (let i = 0; i < PER_BATCH; i++) {
      n++;
      await sendLines(p, 'build', n, [`line ${n}`]);
      await sleep(20);
    }
    // The producer has not finished (more batches follow, the job is running) and B already
    // shows the newest line: lines cross servers live, not at completion.
    await expect(log.line('build', n)).toBeVisible();
    await expect(log.streamState).toHaveAttribute('data-stream-state', 'live');
  }
  const rows = log.lines('build');
  await expect(rows).toHaveCount(total);
  expect(await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-line'))))).toEqual(
    Array.from({ length: total }, (_, i) => i + 1),
  );
  expect(await rows.evaluateAll((els) => els.map((el) => el.querySelector('.ls-content')?.textContent ?? ''))).toEqual(
    Array.from({ length: total }, (_, i) => `line ${i + 1}`),
  );

  await setStep(p, 'build', { status: 'success' });
  await completeJob(p, 'success');
  await expect(log.streamState).toHaveAttribute('data-stream-state', 'complete');
}

interface Viewers {
  readers: EventsReader[];
  /** posts line n through `producer` and waits until every reader has it */
  step(n: number): Promise<void>;
  close(): Promise<void>;
}

/** `countB` event streams on B and `countA` on A, opened at the job's cursor like the viewer. */
async function openViewers(p: Producer, a: LogscopeServer, b: LogscopeServer, countA: number, countB: number): Promise<Viewers> {
  const cursor = String((await getJob(b.url, p.jobId)).cursor);
  const readers = [
    ...Array.from({ length: countB }, () => new EventsReader(b.url, p.jobId, cursor)),
    ...Array.from({ length: countA }, () => new EventsReader(a.url, p.jobId, cursor)),
  ];
  const viewers: Viewers = {
    readers,
    async step(n) {
      await sendLines(p, 'build', n, [`line ${n}`]);
      await Promise.all(readers.map((r) => r.waitFor('build', n)));
    },
    close: async () => void (await Promise.all(readers.map((r) => r.close()))),
  };
  return viewers;
}

test.describe('postgres: two servers, one database', () => {
  let db: TestDatabase;
  let a: LogscopeServer;
  let b: LogscopeServer;
  test.beforeAll(async () => {
    test.setTimeout(90_000);
    db = await createTestDatabase();
    a = await startLogscope(3160, db.url);
    b = await startLogscope(3161, db.url);
  });
  test.afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  test('a viewer on B follows lines posted through A live, and sees the job end', async ({ page }) => {
    test.setTimeout(60_000);
    await followAcrossServers(page, a, b);
  });

  test('each server runs one events query per wake-up per live job, whatever its viewers', async () => {
    test.setTimeout(90_000);
    // The per-job subscriptions of the PostgreSQL store are invisible from outside (one LISTEN
    // connection serves them all); pg_stat_statements counts the events query they run once
    // per notification each, so it needs a private cluster that preloads it.
    let priv: PrivatePostgres | undefined;
    let c: LogscopeServer | undefined;
    let d: LogscopeServer | undefined;
    try {
      priv = startPrivatePostgres(55433, { shared_preload_libraries: 'pg_stat_statements' });
      [c, d] = await Promise.all([startLogscope(3164, priv.url()), startLogscope(3165, priv.url())]);
      const p = await startJob(c, 'fanout');
      // three viewers on D, two on C; all live before counting
      const viewers = await openViewers(p, c, d, 2, 3);
      await viewers.step(2);
      // Each server also says so itself: one live feed for the job, carrying all its viewers.
      for (const [server, count] of [[d, 3], [c, 2]] as const) {
        const health = (await (await fetch(`${server.url}/api/health`)).json()) as { live: { feeds: number; jobs: Record<string, number> } };
        expect(health.live.feeds).toBe(1);
        expect(health.live.jobs[p.jobId]).toBe(count);
      }
      const LINES = 20;
      const before = await pgEventsQueryCalls(priv.url());
      for (let n = 3; n < 3 + LINES; n++) await viewers.step(n);
      const calls = (await pgEventsQueryCalls(priv.url())) - before;
      // Each line is one notification and every reader got it before the next was posted, so
      // each server's one feed reads at least once per line: ≥ 2 per line. One subscription
      // per viewer would be ≥ 5 per line.
      expect(calls).toBeGreaterThanOrEqual(2 * LINES);
      expect(calls).toBeLessThan(3 * LINES);
      await viewers.close();
      await completeJob(p, 'success');
    } finally {
      await Promise.all([c?.stop(), d?.stop()]);
      priv?.destroy();
    }
  });
});

test.describe('nats: two servers, one JetStream', () => {
  const prefix = uniqueNatsPrefix();
  const storeUrl = `${NATS_TEST_URL}?prefix=${prefix}`;
  let a: LogscopeServer;
  let b: LogscopeServer;
  test.beforeAll(async () => {
    test.setTimeout(90_000);
    a = await startLogscope(3162, storeUrl);
    b = await startLogscope(3163, storeUrl);
  });
  test.afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await deleteNatsStreams(NATS_TEST_URL, prefix).catch(() => undefined);
  });

  test('a viewer on B follows lines posted through A live, and sees the job end', async ({ page }) => {
    test.setTimeout(60_000);
    await followAcrossServers(page, a, b);
  });

  test('each server holds one JetStream consumer per live job, whatever its viewers', async () => {
    test.setTimeout(60_000);
    const p = await startJob(a, 'fanout');
    const consumers = () => natsJobConsumers(NATS_TEST_URL, prefix, p.jobId);
    // Nothing is written while the viewers connect, so each joins its server's feed at the
    // cursor it asked for: no catch-up replay (whose ordered consumer would linger on the
    // NATS server for its 5-minute inactivity threshold after it is closed).
    const onB = await openViewers(p, a, b, 0, 3);
    await expect.poll(consumers, { timeout: 15_000 }).toBe(1);
    await onB.step(2); // every viewer is live on that one consumer
    expect(await consumers()).toBe(1);
    const onA = await openViewers(p, a, b, 2, 0);
    await expect.poll(consumers, { timeout: 15_000 }).toBe(2);
    await onA.step(3);
    await Promise.all(onB.readers.map((r) => r.waitFor('build', 3)));
    expect(await consumers()).toBe(2);
    await onA.close();
    await onB.close();
    await completeJob(p, 'success');
  });
});
