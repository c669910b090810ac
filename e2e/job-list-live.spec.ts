import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, freePort, sendLines, startLogscope, uniqueJobId, type LogscopeServer } from '../test/support';
import { NATS_TEST_URL, deleteNatsStreams, natsReachable } from '../test/support/nats';
import { uniqueNatsPrefix } from '../test/support/ids';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres';

/**
 * Issue 11 "Job list": the list is live over one event stream (`/api/v1/job-list/events`), with
 * no polling, and across servers sharing PostgreSQL or NATS. Servers started here: ports
 * 4350-4359 (brief).
 */

const tag = () => `jl${Math.random().toString(36).slice(2, 8)}`;

/** Counts the page's requests to the listing API and to the list stream. */
function countRequests(page: Page): { list: () => number; streams: () => number } {
  let list = 0;
  let streams = 0;
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname === '/api/v1/jobs') list++;
    if (pathname === '/api/v1/job-list/events') streams++;
  });
  return { list: () => list, streams: () => streams };
}

async function live(page: Page): Promise<void> {
  await expect(page.getByTestId('list-state')).toHaveAttribute('data-state', 'live');
}

test('a new job appears without a reload, its status and lines change live, and nothing polls', async ({ page, baseURL }) => {
  const run = tag();
  const requests = countRequests(page);
  await page.goto(`/?label=run:${run}`);
  await live(page);
  await expect(page.getByText('No jobs match.')).toBeVisible();

  const p = await createJob(baseURL!, uniqueJobId('live-new'), { title: 'Arrives live', labels: { run } });
  const row = page.locator(`tr[data-job="${p.jobId}"]`);
  await expect(row).toContainText('Arrives live');
  await expect(row).toHaveAttribute('data-status', 'running');

  await sendLines(p, 'build', 1, ['one', 'two', 'three']);
  await expect(row.locator('td').nth(5)).toHaveText('3');
  await completeJob(p, 'failure');
  await expect(row).toHaveAttribute('data-status', 'failure');
  await expect(row.locator('[data-status="failure"]')).toBeVisible();

  // a second job: added at the top of the same list, still without a reload
  const q = await createJob(baseURL!, uniqueJobId('live-second'), { title: 'Second', labels: { run } });
  await expect(page.locator(`tr[data-job="${q.jobId}"]`)).toBeVisible();
  await completeJob(q, 'success');
  await expect(page.locator(`tr[data-job="${q.jobId}"]`)).toHaveAttribute('data-status', 'success');

  // one stream, and not one listing request: the list was never polled
  expect(requests.streams()).toBe(1);
  expect(requests.list()).toBe(0);
});

test('a job that leaves the filter leaves the list, live', async ({ page, baseURL }) => {
  const run = tag();
  const p = await createJob(baseURL!, uniqueJobId('live-leaves'), { title: 'Running now', labels: { run } });
  await page.goto(`/?label=run:${run}&status=running`);
  await live(page);
  const row = page.locator(`tr[data-job="${p.jobId}"]`);
  await expect(row).toBeVisible();
  await completeJob(p, 'success');
  await expect(row).toHaveCount(0);
  await expect(page.getByText('No jobs match.')).toBeVisible();
});

test('the list stream refuses a bad filter with a JSON 400 before any stream', async ({ request }) => {
  for (const query of ['label=novalue', 'status=done', 'createdAfter=5&createdBefore=5', `q=${'x'.repeat(201)}`]) {
    const res = await request.get(`/api/v1/job-list/events?${query}`);
    expect(res.status(), query).toBe(400);
    expect(res.headers()['content-type']).toContain('application/json');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  }
});

/** A browser on A's list sees a job created and completed through B; one watch per server. */
async function acrossServers(page: Page, a: LogscopeServer, b: LogscopeServer): Promise<void> {
  const run = tag();
  await page.goto(`${a.url}/?label=run:${run}`);
  await live(page);
  const p = await createJob(b.url, uniqueJobId('across'), { title: 'Made on B', labels: { run } });
  const row = page.locator(`tr[data-job="${p.jobId}"]`);
  await expect(row).toContainText('Made on B');
  await sendLines(p, 'build', 1, ['x', 'y']);
  await expect(row.locator('td').nth(5)).toHaveText('2');
  await completeJob(p, 'failure');
  await expect(row).toHaveAttribute('data-status', 'failure');

  // a second viewer on A shares A's one store watch
  const other = await page.context().newPage();
  await other.goto(`${a.url}/?label=run:${run}`);
  await live(other);
  const health = (await (await fetch(`${a.url}/api/health`)).json()) as { live: { lists?: { watchers: number; viewers: number } } };
  expect(health.live.lists).toEqual({ watchers: 1, viewers: 2 });
  await other.close();
}

test.describe('several servers', () => {
  test.describe.configure({ mode: 'serial' });

  test('postgres: a job created through server B appears live on server A', async ({ page }) => {
    test.setTimeout(120_000);
    let db: TestDatabase | undefined;
    let a: LogscopeServer | undefined;
    let b: LogscopeServer | undefined;
    try {
      db = await createTestDatabase();
      a = await startLogscope(await freePort(4350, 4354), db.url);
      b = await startLogscope(await freePort(4355, 4359), db.url);
      await acrossServers(page, a, b);
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
      await db?.drop();
    }
  });

  test('nats: a job created through server B appears live on server A', async ({ page }) => {
    test.setTimeout(120_000);
    test.skip(!(await natsReachable()), 'NATS is not reachable');
    const prefix = uniqueNatsPrefix();
    const store = `${NATS_TEST_URL}?prefix=${prefix}`;
    let a: LogscopeServer | undefined;
    let b: LogscopeServer | undefined;
    try {
      a = await startLogscope(await freePort(4350, 4354), store);
      b = await startLogscope(await freePort(4355, 4359), store);
      await acrossServers(page, a, b);
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
      await deleteNatsStreams(NATS_TEST_URL, prefix).catch(() => undefined);
    }
  });
});
