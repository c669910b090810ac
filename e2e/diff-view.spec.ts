import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId, type Producer } from '../test/support';

/**
 * Issue 12, the diff view (/jobs/{job}/diff, README "Log diff"): two runs of a pipeline (labels
 * repo + workflow, the second failed) whose logs differ in noise (timestamps, durations, hashes,
 * temp paths, ports) and in one real change: the step is listed first, the real lines are
 * shown added and removed and the noise is not, unchanged runs fold, side by side toggles and
 * stays in the URL, `n` goes to the next change, line numbers link into their own runs, hostile
 * text stays text, axe finds nothing in either theme. The shared server only.
 */

test.describe.configure({ mode: 'serial' });

const HOSTILE = `<img src=x onerror="window.__diffXss=1"><script>window.__diffXss=2</script> error TS2322 & "quoted"`;

/** One line of run `run`: every line differs between runs in its noise only (as e2e/diff-api.spec.ts). */
function noisy(run: number, i: number): string {
  const ts = `2026-11-${String(10 + run).padStart(2, '0')}T0${run}:${String(i % 60).padStart(2, '0')}:0${run}.${run}12Z`;
  const hash = (0x5f3759df * run + i * 2654435761).toString(16).replace('-', '').padStart(12, 'c').slice(0, 12);
  return `${ts} [${i}/200] test_module_${i} ok in ${run * 3 + (i % 7)}.${run}s (${hash}a1) tmp=/tmp/run-${run}${i}/x http://localhost:${40000 + run * 100 + i}/`;
}

let green: Producer;
let red: Producer;

test.beforeAll(async ({ baseURL }) => {
  const labels = { repo: `acme/${uniqueJobId('diffview')}`, workflow: 'ci' };
  green = await createJob(baseURL!, uniqueJobId('diffview-green'), { title: 'green', labels, steps: [{ id: 'setup', name: 'Set up' }, { id: 'test', name: 'Run tests' }] });
  await sendLines(green, 'setup', 1, ['checkout', 'install']);
  await setStep(green, 'setup', { status: 'success' });
  await sendLines(green, 'test', 1, Array.from({ length: 200 }, (_, i) => noisy(1, i + 1)));
  await setStep(green, 'test', { status: 'success' });
  await completeJob(green, 'success');

  // the red run's step has another id: it is matched by name
  red = await createJob(baseURL!, uniqueJobId('diffview-red'), { title: 'red', labels, steps: [{ id: 'setup', name: 'Set up' }, { id: 't2', name: 'Run tests' }] });
  await sendLines(red, 'setup', 1, ['checkout', 'install']);
  await setStep(red, 'setup', { status: 'success' });
  const head = Array.from({ length: 200 }, (_, i) => noisy(2, i + 1));
  head[99] = HOSTILE;
  head.push('ERROR 1 test failed');
  await sendLines(red, 't2', 1, head);
  await setStep(red, 't2', { status: 'failure' });
  await completeJob(red, 'failure');
});

async function openDiff(page: Page, query = `?base=${green.jobId}`) {
  await page.goto(`/jobs/${red.jobId}/diff${query}`);
  await expect(page.getByTestId('diff-rows').getByTestId('diff-line').first()).toBeVisible();
}

test('the differing step first, its real change added and removed, the noise not, unchanged runs folded', async ({ page }) => {
  await openDiff(page);
  const steps = page.getByTestId('diff-step');
  await expect(steps.first()).toContainText('Run tests');
  await expect(steps.first()).toHaveAttribute('data-status', 'differs');
  await expect(steps.first()).toContainText('+2 −1');
  await expect(steps.filter({ hasText: 'Set up' })).toHaveAttribute('data-status', 'equal');
  await expect(steps.first().getByRole('button')).toHaveAttribute('aria-current', 'true');

  const rows = page.getByTestId('diff-rows');
  // only the real change: one removed line, two added, whatever the noise
  await expect(rows.locator('[data-op="del"]')).toHaveCount(1);
  await expect(rows.locator('[data-op="add"]')).toHaveCount(2);
  await expect(rows.locator('[data-op="del"]')).toContainText(noisy(1, 100));
  await expect(rows.locator('[data-op="add"]').first()).toContainText(HOSTILE);
  await expect(rows.locator('[data-op="add"]').last()).toContainText('ERROR 1 test failed');
  // unchanged lines around the change show their real (noisy) text of this run
  await expect(rows.getByTestId('diff-line').filter({ hasText: noisy(2, 99) })).toHaveAttribute('data-op', 'same');

  // hostile text is text
  expect(await rows.locator('.ls-diff-text img, .ls-diff-text script').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __diffXss?: number }).__diffXss)).toBeUndefined();

  // 99 unchanged lines before the change: 96 folded (3 of context), 100 after it: 94 folded
  const folds = page.getByTestId('diff-fold');
  await expect(folds).toHaveCount(2);
  await expect(folds.first()).toContainText('96 identical lines');
  await expect(folds.last()).toContainText('94 identical lines');
  await folds.first().getByRole('button').click();
  // the 96 lines are shown (the rows below may now be off screen: the list is virtualized)
  await expect(rows.getByTestId('diff-line').first()).toContainText(noisy(2, 1));
  await expect(folds.filter({ hasText: '96 identical lines' })).toHaveCount(0);

  // the rules applied are listed
  const rules = page.getByTestId('diff-rules');
  await rules.locator('summary').click();
  await expect(rules.locator('li').first()).toBeVisible();
  expect(await rules.locator('li').count()).toBeGreaterThan(3);
});

test('n and p go from change to change', async ({ page }) => {
  await openDiff(page);
  const pos = page.getByTestId('diff-change-pos');
  await expect(pos).toContainText('2 changes');
  await page.keyboard.press('n');
  await expect(pos).toHaveText('change 1 of 2');
  await expect(page.locator('[data-current]')).toContainText(noisy(1, 100));
  await page.keyboard.press('n');
  await expect(pos).toHaveText('change 2 of 2');
  await expect(page.locator('[data-current]')).toContainText('ERROR 1 test failed');
  await page.keyboard.press('p');
  await expect(pos).toHaveText('change 1 of 2');
});

test('every line number links to its own run and line', async ({ page }) => {
  await openDiff(page);
  const rows = page.getByTestId('diff-rows');
  const removed = rows.locator('[data-op="del"]');
  await expect(removed.getByTestId('diff-n-base')).toHaveAttribute('href', `/jobs/${green.jobId}#test:100`);
  const added = rows.locator('[data-op="add"]').first();
  await expect(added.getByTestId('diff-n-head')).toHaveAttribute('href', `/jobs/${red.jobId}#t2:100`);
  const same = rows.getByTestId('diff-line').filter({ hasText: noisy(2, 99) });
  await expect(same.getByTestId('diff-n-base')).toHaveAttribute('href', `/jobs/${green.jobId}#test:99`);
  await expect(same.getByTestId('diff-n-head')).toHaveAttribute('href', `/jobs/${red.jobId}#t2:99`);
  await added.getByTestId('diff-n-head').click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${red.jobId}#t2:100$`));
  await expect(page.getByTestId('stream-state')).toHaveText(/complete/i);
});

test('side by side toggles, pairs the change and is remembered in the URL', async ({ page }) => {
  await openDiff(page);
  await page.getByTestId('diff-layout-split').click();
  await expect(page.getByTestId('diff-layout-split')).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/[?&]view=split/);
  const pair = page.getByTestId('diff-line').filter({ has: page.locator('[data-testid="diff-half-base"][data-op="del"]') });
  await expect(pair).toHaveCount(1);
  await expect(pair.getByTestId('diff-half-base')).toContainText(noisy(1, 100));
  await expect(pair.getByTestId('diff-half-head')).toHaveAttribute('data-op', 'add');
  await expect(pair.getByTestId('diff-half-head')).toContainText(HOSTILE);
  await page.reload();
  await expect(page.getByTestId('diff-layout-split')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('diff-half-head').filter({ hasText: 'ERROR 1 test failed' })).toHaveAttribute('data-op', 'add');
  await page.getByTestId('diff-layout-unified').click();
  await expect(page).not.toHaveURL(/view=split/);
  await expect(page.getByTestId('diff-half-head')).toHaveCount(0);
});

test('without a base: compared with the last green run', async ({ page }) => {
  await openDiff(page, '');
  await expect(page.locator('h1')).toContainText('(last green)');
  await expect(page.locator('h1').getByRole('link', { name: green.jobId })).toBeVisible();
  await expect(page).toHaveURL(/[?&]step=t2/);
});

test('while the API computes (202) the view says so, then shows the diff it asks for again', async ({ page, baseURL }) => {
  // the diff is computed and cached first: the one 202 the view sees is the one made up here
  for (;;) {
    const answer = await fetch(`${baseURL}/api/v1/jobs/${red.jobId}/diff?base=${green.jobId}&step=t2`);
    if (answer.status === 200) break;
    expect(answer.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  let answered202 = 0;
  await page.route(/\/api\/v1\/jobs\/[^/]+\/diff\?.*step=/, async (route) => {
    if (answered202 > 0) return route.continue();
    answered202++;
    await route.fulfill({
      status: 202,
      headers: { 'retry-after': '1', 'cache-control': 'no-store' },
      json: { status: 'computing', job: red.jobId, base: green.jobId, step: { head: 't2', base: 'test' }, progress: { phase: 'reading', lines: 150, total: 401 } },
    });
  });
  await page.goto(`/jobs/${red.jobId}/diff?base=${green.jobId}&step=t2`);
  await expect(page.getByTestId('diff-computing')).toHaveText('Comparing… (reading, 150 of 401 lines)');
  await expect(page.getByTestId('diff-rows').locator('[data-op="del"]')).toContainText(noisy(1, 100));
  await expect(page.getByTestId('diff-computing')).toHaveCount(0);
  expect(answered202).toBe(1);
});

test('a live job: the diff grows as its step does', async ({ page, baseURL }) => {
  const labels = { repo: `acme/${uniqueJobId('diffview-live')}`, workflow: 'ci' };
  const done = await createJob(baseURL!, uniqueJobId('diffview-live-green'), { labels, steps: [{ id: 'build', name: 'Build' }] });
  await sendLines(done, 'build', 1, ['compile a', 'compile b', 'compile c', 'link']);
  await completeJob(done, 'success');
  const live = await createJob(baseURL!, uniqueJobId('diffview-live-red'), { labels, steps: [{ id: 'build', name: 'Build' }] });
  await setStep(live, 'build', { status: 'running' });
  await sendLines(live, 'build', 1, ['compile a', 'compile B changed']);
  await page.goto(`/jobs/${live.jobId}/diff?base=${done.jobId}`);
  const rows = page.getByTestId('diff-rows');
  await expect(rows.locator('[data-op="add"]')).toHaveText([/compile B changed/]);
  await expect(page.getByTestId('diff-counts')).toContainText('live');
  await sendLines(live, 'build', 3, ['compile c', 'link', 'ERROR late failure']);
  await expect(rows.locator('[data-op="add"]')).toHaveText([/compile B changed/, /ERROR late failure/]);
  await completeJob(live, 'failure');
  await expect(page.getByTestId('diff-counts')).not.toContainText('live');
});

test('a diff of many hunks: only the rows on screen are in the page, hunks paged in as the list scrolls', async ({ page, baseURL }) => {
  const LINES = 3000;
  const labels = { repo: `acme/${uniqueJobId('diffview-many')}`, workflow: 'ci' };
  const a = await createJob(baseURL!, uniqueJobId('diffview-many-a'), { labels, steps: [{ id: 'build', name: 'Build' }] });
  await sendLines(a, 'build', 1, Array.from({ length: LINES }, (_, i) => `line ${i + 1} ok`));
  await completeJob(a, 'success');
  const b = await createJob(baseURL!, uniqueJobId('diffview-many-b'), { labels, steps: [{ id: 'build', name: 'Build' }] });
  // every 10th line changed: 600 hunks, six of the view's pages
  await sendLines(b, 'build', 1, Array.from({ length: LINES }, (_, i) => ((i + 1) % 10 === 0 ? `line ${i + 1} CHANGED` : `line ${i + 1} ok`)));
  await completeJob(b, 'failure');
  const offsets: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith('/diff') && url.searchParams.has('step')) offsets.push(url.searchParams.get('offset') ?? '');
  });
  await page.goto(`/jobs/${b.jobId}/diff?base=${a.jobId}`);
  const rows = page.getByTestId('diff-rows');
  await expect(rows.getByTestId('diff-line').first()).toBeVisible();
  expect(await rows.getByTestId('diff-line').count()).toBeLessThan(200);
  const last = rows.getByTestId('diff-n-head').filter({ hasText: /^3000$/ });
  await expect
    .poll(async () => {
      await rows.locator('[data-virtuoso-scroller]').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      return last.count();
    })
    .toBe(1);
  await expect(last.locator('xpath=..')).toContainText('line 3000 CHANGED');
  expect(offsets).toEqual(expect.arrayContaining(['0', '100', '500']));
  expect(await rows.getByTestId('diff-line').count()).toBeLessThan(200);
});

test('a malformed job or base id is the 404 page; a malformed step is ignored', async ({ page }) => {
  expect((await page.goto(`/jobs/${red.jobId}/diff?base=${encodeURIComponent('../<x>')}`))?.status()).toBe(404);
  expect((await page.goto(`/jobs/${encodeURIComponent('bad id!')}/diff?base=${green.jobId}`))?.status()).toBe(404);
  await openDiff(page, `?base=${green.jobId}&step=${encodeURIComponent('<img src=x>')}`);
  await expect(page.getByTestId('diff-step').first().getByRole('button')).toHaveAttribute('aria-current', 'true');
});

for (const scheme of ['dark', 'light'] as const) {
  test(`axe finds nothing on the diff view, ${scheme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openDiff(page);
    await page.getByTestId('diff-rules').locator('summary').click();
    const unified = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    await page.getByTestId('diff-layout-split').click();
    await expect(page.getByTestId('diff-half-head').first()).toBeVisible();
    const split = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    const found = [...unified.violations, ...split.violations].map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(found).toEqual([]);
  });
}
