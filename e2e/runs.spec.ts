import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completeJob, createJob, freePort, sendLines, setStep, startLogscope, uniqueJobId, type LogscopeServer, type Producer } from '../test/support';
import { LogPage } from './log-page';

/**
 * Issue 12, runs of the same pipeline (docs/runs.md): the job page's run strip (statuses, the
 * current run, last green and first red labelled, click opens), "Compare with last green", and
 * GET /api/v1/jobs/{job}/runs seen through a read key scoped to one repo. Ports: 4380-4389.
 */

test.describe.configure({ mode: 'serial' });

type Final = 'success' | 'failure' | 'cancelled';

/** A job with one step of two lines, completed with `status` (or left running). */
async function run(url: string, id: string, labels: Record<string, string>, status: Final | 'running', key: string | null = null): Promise<Producer> {
  const p = await createJob(url, id, { title: `build ${id}`, labels, steps: [{ id: 'build' }] }, key);
  await setStep(p, 'build', { status: 'running' });
  await sendLines(p, 'build', 1, [`${id} one`, `${id} two`]);
  if (status === 'success' || status === 'failure') await setStep(p, 'build', { status });
  if (status !== 'running') await completeJob(p, status);
  return p;
}

test.describe('run strip (file store)', () => {
  const repo = `acme/${uniqueJobId('runs')}`;
  const labels = { repo, workflow: 'ci' };
  const ids = ['r1', 'r2', 'r3', 'r4', 'r5'].map((n) => uniqueJobId(`runs-${n}`));
  const statuses: (Final | 'running')[] = ['success', 'success', 'failure', 'failure', 'running'];

  test.beforeAll(async ({ baseURL }) => {
    // created one after another: the ids' order is the runs' order
    for (let i = 0; i < ids.length; i++) await run(baseURL!, ids[i]!, labels, statuses[i]!);
  });

  test('shows every run with its status, the current one marked, last green and first red labelled', async ({ page }) => {
    const log = new LogPage(page);
    const [r1, r2, r3, r4, r5] = ids as [string, string, string, string, string];
    await log.gotoJob(r4);
    await expect(log.streamState).toHaveText(/complete/i);
    const strip = page.getByTestId('run-strip');
    const links = strip.locator('a[data-run]');
    await expect(links).toHaveCount(5);
    // oldest left
    expect(await links.evaluateAll((as) => as.map((a) => [a.getAttribute('data-run'), a.getAttribute('data-status')]))).toEqual([
      [r1, 'success'],
      [r2, 'success'],
      [r3, 'failure'],
      [r4, 'failure'],
      [r5, 'running'],
    ]);
    await expect(strip.locator('a[aria-current="page"]')).toHaveAttribute('data-run', r4);
    await expect(strip.locator('li', { has: page.getByTestId('run-last-green') }).locator('a')).toHaveAttribute('data-run', r2);
    await expect(strip.locator('li', { has: page.getByTestId('run-first-red') }).locator('a')).toHaveAttribute('data-run', r3);
    await expect(page.getByTestId('compare-last-green')).toHaveAttribute('href', `/jobs/${r4}/diff?base=${r2}`);
    // the failed step's header compares that step with the same step of the last green run
    await expect(page.locator('[data-section="build"] [data-testid="step-compare-last-green"]')).toHaveAttribute('href', `/jobs/${r4}/diff?base=${r2}&step=build`);

    await strip.locator(`a[data-run="${r2}"]`).click();
    await expect(page).toHaveURL(new RegExp(`/jobs/${r2}$`));
    await expect(page.getByTestId('job-title')).toHaveText(`build ${r2}`);
    await expect(log.streamState).toHaveText(/complete/i);
    await expect(page.getByTestId('run-strip').locator('a[aria-current="page"]')).toHaveAttribute('data-run', r2);
    // a green job offers no comparison; r1 is its last green
    await expect(page.getByTestId('compare-last-green')).toHaveCount(0);
    await expect(page.getByTestId('step-compare-last-green')).toHaveCount(0);
    await expect(page.getByTestId('run-strip').locator('li', { has: page.getByTestId('run-last-green') }).locator('a')).toHaveAttribute('data-run', r1);
  });

  for (const scheme of ['dark', 'light'] as const) {
    test(`axe finds nothing in the strip (${scheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      const log = new LogPage(page);
      await log.gotoJob(ids[3]!);
      await expect(page.getByTestId('compare-last-green')).toBeVisible();
      const result = await new AxeBuilder({ page }).include('[data-testid="run-strip"]').withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
      expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    });
  }

  test('a failed job names the steps that changed since the last green run, with their new error lines', async ({ page, baseURL }) => {
    const pipeline = { repo: `acme/${uniqueJobId('changed')}`, workflow: 'ci' };
    const green = uniqueJobId('changed-green');
    const red = uniqueJobId('changed-red');
    for (const [id, lines, status] of [
      [green, ['compile ok', 'tests passed'], 'success'],
      [red, ['compile ok', 'error: expected 3 to equal 4'], 'failure'],
    ] as const) {
      const p = await createJob(baseURL!, id, { title: `build ${id}`, labels: pipeline, steps: [{ id: 'setup' }, { id: 'test', name: 'Test' }] });
      await sendLines(p, 'setup', 1, ['installing', 'done']);
      await setStep(p, 'setup', { status: 'success' });
      await sendLines(p, 'test', 1, [...lines]);
      await setStep(p, 'test', { status });
      await completeJob(p, status);
    }
    const log = new LogPage(page);
    await log.gotoJob(red);
    const changed = page.getByTestId('changed-steps');
    await expect(changed).toHaveText('Changed since last green: Test +1 −1, 1 new error line');
    await expect(changed.locator('a[data-changed-step="test"]')).toHaveAttribute('href', `/jobs/${red}/diff?base=${green}&step=test`);
    // the unchanged step is not named
    await expect(changed.locator('a[data-changed-step="setup"]')).toHaveCount(0);
  });

  test('a job that is its pipeline\'s only run shows no strip', async ({ page, baseURL }) => {
    const alone = uniqueJobId('runs-alone');
    await run(baseURL!, alone, { repo: `solo/${alone}`, workflow: 'ci' }, 'failure');
    const log = new LogPage(page);
    // the strip is decided once the runs are answered: wait for that answer, then look
    const answered = page.waitForResponse((r) => r.url().includes(`/api/v1/jobs/${alone}/runs`));
    await log.gotoJob(alone);
    expect((await (await answered).json()).runs).toHaveLength(1);
    await expect(log.streamState).toHaveText(/complete/i);
    await expect(page.getByTestId('job-title')).toHaveText(`build ${alone}`);
    await expect(page.getByTestId('run-strip')).toHaveCount(0);
  });
});

test.describe('runs and access (token mode, file store)', () => {
  const KEYS = { a: 'e2e-runs-read-a-0123456789', admin: 'e2e-runs-admin-0123456789' };
  let dir = '';
  let server: LogscopeServer;
  // one pipeline label shared by two repos: only the key's repo may be seen
  const a1 = uniqueJobId('runs-a1');
  const b1 = uniqueJobId('runs-b1');
  const a2 = uniqueJobId('runs-a2');

  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-runs-'));
    const keys = path.join(dir, 'keys.json');
    writeFileSync(
      keys,
      JSON.stringify({
        keys: [
          { id: 'a-read', kind: 'read', secrets: [KEYS.a], scope: { labels: { repo: 'repo-a' } } },
          { id: 'ops', kind: 'admin', secrets: [KEYS.admin] },
        ],
      }),
    );
    server = await startLogscope(await freePort(4380, 4389), `file:${path.join(dir, 'data')}`, { LOGSCOPE_ACCESS: 'token', LOGSCOPE_KEYS: keys }, [], { adminKey: KEYS.admin });
    await run(server.url, a1, { repo: 'repo-a', pipeline: 'shared' }, 'success', KEYS.admin);
    await run(server.url, b1, { repo: 'repo-b', pipeline: 'shared' }, 'success', KEYS.admin);
    await run(server.url, a2, { repo: 'repo-a', pipeline: 'shared' }, 'failure', KEYS.admin);
  });

  test.afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const runs = (job: string, key?: string) => fetch(`${server.url}/api/v1/jobs/${job}/runs`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  test('API: a key scoped to repo A sees no run of repo B; without a credential 401; bad limit 400', async () => {
    const admin = await (await runs(a2, KEYS.admin)).json();
    expect(admin.pipeline).toEqual({ source: 'label', key: { pipeline: 'shared' } });
    expect(admin.runs.map((r: { id: string }) => r.id)).toEqual([a2, b1, a1]);
    expect(admin.lastGreen).toBe(b1);
    const scoped = await (await runs(a2, KEYS.a)).json();
    expect(scoped.runs.map((r: { id: string; current: boolean }) => [r.id, r.current])).toEqual([[a2, true], [a1, false]]);
    expect(scoped.lastGreen).toBe(a1);
    expect(scoped.firstRedSinceGreen).toBe(a2);
    expect((await runs(b1, KEYS.a)).status).toBe(404);
    expect((await runs(a2)).status).toBe(401);
    const bad = await fetch(`${server.url}/api/v1/jobs/${a2}/runs?limit=0`, { headers: { authorization: `Bearer ${KEYS.admin}` } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('bad_request');
  });

  test('browser: the scoped key\'s strip holds only repo A\'s runs', async ({ browser }) => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${KEYS.a}` } });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/jobs/${a2}`);
      await expect(page.getByTestId('stream-state')).toHaveText(/complete/i);
      const links = page.getByTestId('run-strip').locator('a[data-run]');
      await expect(links).toHaveCount(2);
      expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('data-run')))).toEqual([a1, a2]);
      await expect(page.getByTestId('compare-last-green')).toHaveAttribute('href', `/jobs/${a2}/diff?base=${a1}`);
    } finally {
      await context.close();
    }
  });
});
