import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';

/**
 * Next / previous error (README "Finding the failure"): `e` / `E` and the toolbar's buttons
 * walk the job's error lines across steps and groups, opening what holds them, selecting the
 * line like a deep link; the count says how many and which; a failed step's header shows its
 * first error line, coloured, escaped, and goes there on a click.
 */

let job = '';
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

/** `lint` passed (one error, collapsed); `build` failed (errors at 30 inside a collapsed group, and 80); `test` failed (5 and 40). */
test.beforeAll(async ({ baseURL }) => {
  job = uniqueJobId('triage-errors');
  const p = await createJob(baseURL!, job, {
    title: 'Errors',
    steps: [
      { id: 'lint', name: 'Lint' },
      { id: 'build', name: 'Build' },
      { id: 'test', name: 'Test' },
    ],
  });
  await sendLines(p, 'lint', 1, Array.from({ length: 30 }, (_, i) => (i + 1 === 12 ? 'ERROR: rule no-unused-vars is misconfigured' : `lint ok ${i + 1}`)));
  await setStep(p, 'lint', { status: 'success' });
  const build = Array.from({ length: 100 }, (_, i) => `compiling unit ${i + 1}`);
  build[9] = 'section_start:1700000000:compile[collapsed=true]\r\u001b[0KCompile';
  build[29] = `error: cannot find module 'left-pad' ${HOSTILE}`;
  build[59] = 'section_end:1700000100:compile\r\u001b[0K';
  build[79] = 'npm ERR! code ELIFECYCLE';
  await sendLines(p, 'build', 1, build);
  await setStep(p, 'build', { status: 'failure' });
  const tests = Array.from({ length: 50 }, (_, i) => `test ok ${i + 1}`);
  tests[4] = '\u001b[31mFAIL\u001b[0m src/a.test.ts';
  tests[39] = 'Tests: 1 failed, 12 passed, 13 total';
  await sendLines(p, 'test', 1, tests);
  await setStep(p, 'test', { status: 'failure' });
  await completeJob(p, 'failure');
});

async function open(log: LogPage, hash = '') {
  await log.gotoJob(job, hash);
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(log.page.locator('[data-first-screen]')).toHaveCount(0);
}

/** The header button of the "Compile" group (group ids come from the markers). */
function compile(log: LogPage) {
  return log.page.locator('[data-section^="build/"]').filter({ has: log.page.getByRole('button', { name: /^Compile/ }) }).getByRole('button', { name: /^Compile/ });
}

async function expectAt(log: LogPage, step: string, n: number) {
  const line = log.line(step, n);
  await expect(line).toBeInViewport();
  await expect(line).toHaveAttribute('data-highlighted', '');
  await expect(log.page).toHaveURL(new RegExp(`#${step}:${n}$`));
}

test('e / E walk every error across steps and groups, opening what holds them, and wrap', async ({ page }) => {
  const log = new LogPage(page);
  await open(log, '#lint:1');
  const count = page.getByTestId('error-count');
  await expect(count).toHaveText('5 errors');

  await page.keyboard.press('e');
  await expectAt(log, 'lint', 12);
  await expect(count).toHaveText('1 of 5 errors');

  // inside the collapsed "Compile" group: it opens
  await expect(compile(log)).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('e');
  await expectAt(log, 'build', 30);
  await expect(compile(log)).toHaveAttribute('aria-expanded', 'true');
  await expect(count).toHaveText('2 of 5 errors');

  for (const [step, n, k] of [['build', 80, 3], ['test', 5, 4], ['test', 40, 5]] as const) {
    await page.keyboard.press('e');
    await expectAt(log, step, n);
    await expect(count).toHaveText(`${k} of 5 errors`);
  }
  // past the last error: back to the first, in the collapsed passed step, which opens
  await log.button('Collapse all').click();
  await expect(log.header('lint')).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('e');
  await expectAt(log, 'lint', 12);
  await expect(log.header('lint')).toHaveAttribute('aria-expanded', 'true');

  // and backwards, wrapping to the last
  await page.keyboard.press('Shift+E');
  await expectAt(log, 'test', 40);
  await page.keyboard.press('Shift+E');
  await expectAt(log, 'test', 5);
  await page.keyboard.press('Shift+E');
  await expectAt(log, 'build', 80);
});

test('the toolbar buttons do what the keys do; keys typed in the search field are text', async ({ page }) => {
  const log = new LogPage(page);
  await open(log, '#test:40');
  await log.button('Next error').click();
  await expectAt(log, 'lint', 12);
  await log.button('Previous error').click();
  await expectAt(log, 'test', 40);
  await log.searchBox.fill('e');
  await log.searchBox.press('e');
  await expect(log.searchBox).toHaveValue('ee');
  await expectAt(log, 'test', 40);
});

test('a failed step’s header shows its first error line, coloured and escaped, and goes there', async ({ page }) => {
  const log = new LogPage(page);
  await open(log, '#test');
  const testFirst = log.section('test').locator('[data-first-error]');
  await expect(testFirst).toContainText('line 5');
  await expect(testFirst).toContainText('FAIL src/a.test.ts');
  await expect(testFirst.locator('span[style*="color"]')).toHaveText('FAIL');
  await testFirst.click();
  await expectAt(log, 'test', 5);

  await log.gotoJob(job, '#build');
  const buildFirst = log.section('build').locator('[data-first-error]');
  await expect(buildFirst).toContainText('line 30');
  await expect(buildFirst).toContainText(`error: cannot find module 'left-pad' ${HOSTILE}`);
  await expect(buildFirst.locator('img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  // a passed step's header shows none, even with an error line in it
  await log.gotoJob(job, '#lint');
  await expect(log.header('lint')).toHaveAttribute('aria-expanded', 'true');
  await expect(log.section('lint').locator('[data-first-error]')).toHaveCount(0);
});

test('a failed job without a hash opens at the first error of its first failed step', async ({ page }) => {
  const log = new LogPage(page);
  await open(log);
  const line = log.line('build', 30);
  await expect(line).toBeInViewport();
  await expect(line).toHaveAttribute('data-highlighted', '');
  await expect(compile(log)).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('error-count')).toHaveText('2 of 5 errors');
  // the landing is not written to the address bar; `e` goes on from it
  expect(new URL(page.url()).hash).toBe('');
  await page.keyboard.press('e');
  await expectAt(log, 'build', 80);
});

test('at 360px the error controls fit the toolbar’s one row and still work', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 700 });
  const log = new LogPage(page);
  await open(log, '#lint:1');
  const report = await page.evaluate(() => {
    const bar = document.querySelector('[role="toolbar"]')!;
    const out: string[] = [];
    if (bar.scrollWidth > bar.clientWidth) out.push(`toolbar scrolls: ${bar.scrollWidth} > ${bar.clientWidth}`);
    const barBox = bar.getBoundingClientRect();
    for (const el of bar.querySelectorAll<HTMLElement>('[data-testid="error-nav"], [data-testid="error-nav"] button')) {
      const r = el.getBoundingClientRect();
      if (r.left < 0 || r.right > window.innerWidth) out.push(`${el.textContent} at ${r.left}–${r.right}`);
      if (r.top < barBox.top - 0.5 || r.bottom > barBox.bottom + 0.5) out.push(`${el.textContent} outside the toolbar's row`);
    }
    return out;
  });
  expect(report).toEqual([]);
  // the short count is shown; the long one stays the accessible text
  await expect(page.getByTestId('error-nav')).toContainText('5');
  await expect(page.getByTestId('error-count')).toHaveText('5 errors');
  await log.button('Next error').click();
  await expectAt(log, 'lint', 12);
});
