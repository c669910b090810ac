import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * Opening a job without a hash (README "Finding the failure"): a failed job opens at the first
 * error of its first failed step, on the server-rendered first screen already and at the same
 * place once hydrated; a passed job opens the step this browser opened last (by name), else
 * its last step — never a page of collapsed headers.
 */

const FIRST_ERROR = 1_500;
let passed = '';
let passedAgain = '';
let failed = '';

async function passedJob(baseURL: string, prefix: string) {
  const id = uniqueJobId('triage-land');
  const steps = [
    { id: `${prefix}prep`, name: 'Prep' },
    { id: `${prefix}build`, name: 'Build' },
    { id: `${prefix}deploy`, name: 'Deploy' },
  ];
  const p = await createJob(baseURL, id, { title: 'Passed', steps });
  for (const s of steps) {
    await sendLines(p, s.id, 1, Array.from({ length: 30 }, (_, i) => `${s.name} line ${i + 1}`));
    await setStep(p, s.id, { status: 'success' });
  }
  await completeJob(p, 'success');
  return id;
}

test.beforeAll(async ({ baseURL }) => {
  passed = await passedJob(baseURL!, '');
  // the same pipeline's next run: other step ids, the same names
  passedAgain = await passedJob(baseURL!, 'r2-');
  failed = uniqueJobId('triage-land-failed');
  const p = await createJob(baseURL!, failed, { title: 'Failed', steps: [{ id: 'setup', name: 'Set up' }, { id: 'test', name: 'Test' }] });
  await sendTextLines(p, 'setup', 200, (n) => `setting up ${n}`);
  await setStep(p, 'setup', { status: 'success' });
  await sendTextLines(p, 'test', 3_000, (n) =>
    n === FIRST_ERROR ? '\u001b[31mFAIL\u001b[0m src/parser.test.ts > parses nested groups' : n === 2_500 ? 'Error: second failure' : `test output ${n} ok`,
  );
  await setStep(p, 'test', { status: 'failure' });
  await completeJob(p, 'failure');
});

/** The page with its scripts blocked: only the server's HTML and its inline script run. */
async function withoutBundles(page: Page) {
  await page.route('**/_next/static/chunks/*.js', (route) => route.abort());
}

async function hydrated(log: LogPage) {
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(log.page.locator('[data-first-screen]')).toHaveCount(0);
}

test('a failed job opens at its first error on the server-rendered screen, and stays there once hydrated', async ({ page, browser }) => {
  await withoutBundles(page);
  await page.goto(`/jobs/${failed}`);
  const log = new LogPage(page);
  const ssrLine = log.line('test', FIRST_ERROR);
  await expect(ssrLine).toBeInViewport();
  await expect(ssrLine).toContainText('FAIL src/parser.test.ts');
  // a few lines of context above it
  await expect(log.line('test', FIRST_ERROR - 3)).toBeInViewport();
  const ssrY = (await ssrLine.boundingBox())!.y;

  const fresh = await browser.newPage();
  try {
    const live = new LogPage(fresh);
    // Where the first error sits each time the page paints, from the first screen to the list.
    await fresh.addInitScript((n: number) => {
      const w = window as unknown as { __ys: number[] };
      w.__ys = [];
      const probe = () => {
        const el = document.querySelector(`[data-line="${n}"]`) ?? document.querySelector(`[data-first-screen] [data-line="${n}"]`);
        if (el) w.__ys.push(Math.round(el.getBoundingClientRect().y));
        if (w.__ys.length < 2_000) requestAnimationFrame(probe);
      };
      requestAnimationFrame(probe);
    }, FIRST_ERROR);
    await fresh.goto(`/jobs/${failed}`);
    await hydrated(live);
    const line = live.line('test', FIRST_ERROR);
    await expect(line).toBeInViewport();
    await expect(line).toHaveAttribute('data-highlighted', '');
    expect(Math.abs((await line.boundingBox())!.y - ssrY)).toBeLessThanOrEqual(2);
    // no frame showed it anywhere else: no jump after hydration
    const ys = await fresh.evaluate(() => (window as unknown as { __ys: number[] }).__ys);
    expect(ys.length).toBeGreaterThan(0);
    expect(ys.filter((y) => Math.abs(y - ssrY) > 2)).toEqual([]);
    // the address bar keeps no hash: the landing is not a link the user chose
    expect(new URL(fresh.url()).hash).toBe('');
  } finally {
    await fresh.close();
  }
});

test('a failed step’s own page opens at its first error', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoStep(failed, 'test');
  await hydrated(log);
  const line = log.line('test', FIRST_ERROR);
  await expect(line).toBeInViewport();
  await expect(line).toHaveAttribute('data-highlighted', '');
});

test('a passed job opens its last step, never a page of collapsed headers', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(passed);
  await hydrated(log);
  await expect(log.header('deploy')).toHaveAttribute('aria-expanded', 'true');
  await expect(log.line('deploy', 1)).toBeInViewport();
  await expect(log.header('prep')).toHaveAttribute('aria-expanded', 'false');
  await expect(log.header('build')).toHaveAttribute('aria-expanded', 'false');
});

test('a passed job opens the step this browser opened last, by name, on the first screen too', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(passed);
  await hydrated(log);
  await log.header('build').click();
  await expect(log.line('build', 1)).toBeVisible();

  // the next run of the pipeline: its "Build" step opens, not its last
  await log.gotoJob(passedAgain);
  await hydrated(log);
  await expect(log.header('r2-build')).toHaveAttribute('aria-expanded', 'true');
  await expect(log.line('r2-build', 1)).toBeInViewport();
  await expect(log.header('r2-deploy')).toHaveAttribute('aria-expanded', 'false');

  // before any bundle runs, the page's script already shows that step's screen
  await withoutBundles(page);
  await page.goto(`/jobs/${passedAgain}`);
  await expect(log.line('r2-build', 1)).toBeInViewport();
  await expect(log.line('r2-deploy', 1)).toHaveCount(0);
});
