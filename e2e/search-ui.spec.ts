import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/** The in-log search field and the /search page, against the real search endpoints. */

const NEEDLE = `needle-${randomUUID().slice(0, 8)}`;
const CYCLE = `cycle-${randomUUID().slice(0, 8)}`;
const NEAR_END = 99_321;
let bigJob = '';

const SCRIPT = '<script>window.__pwned = (window.__pwned || 0) + 1; alert("script")</script>';
const IMG = '<img src=x onerror="window.__pwned = (window.__pwned || 0) + 1; alert(\'img\')">';

test.beforeAll(async ({ baseURL }) => {
  bigJob = uniqueJobId('search');
  const p = await createJob(baseURL!, bigJob, { title: 'Searchable', steps: [{ id: 'prep', name: 'Prep' }, { id: 'huge', name: 'Huge' }] });
  await sendLines(p, 'prep', 1, ['prep 1', `${CYCLE} in prep`, 'prep 3']);
  await setStep(p, 'prep', { status: 'success' });
  await sendTextLines(
    p,
    'huge',
    100_000,
    (n) => (n === NEAR_END ? `found \u001b[31m${NEEDLE}\u001b[0m here` : n === 40_000 || n === 99_990 ? `line ${n} ${CYCLE}` : `huge line ${n}`),
    50_000,
  );
  await setStep(p, 'huge', { status: 'success' });
  await completeJob(p, 'success');
});

function countRanges(page: Page): string[] {
  const ranges: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/lines?')) ranges.push(r.url());
  });
  return ranges;
}

test('the searchbox finds a line near the end of a collapsed 100k-line step and jumps there with a few range requests', async ({ page }) => {
  const log = new LogPage(page);
  // opened at its first step, so that the last one stays collapsed (without a hash a passed job opens its last step)
  await log.gotoJob(bigJob, '#prep');
  await expect(log.header('huge')).toHaveAttribute('aria-expanded', 'false');
  await page.waitForTimeout(300);
  const ranges = countRanges(page);
  const searches: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/search?')) searches.push(r.url());
  });

  await log.search(NEEDLE);
  const line = log.line('huge', NEAR_END);
  await expect(line).toBeInViewport();
  await expect(line).toHaveAttribute('data-highlighted', '');
  await expect(line).toContainText(`found ${NEEDLE} here`);
  await expect(log.highlighted()).toHaveCount(1);
  // The collapsed step was opened: its neighbouring lines are rows too.
  await expect(log.line('huge', NEAR_END - 3)).toBeVisible();
  await expect(log.searchStatus).toHaveText('1 of 1');
  await expect(page).toHaveURL(new RegExp(`#huge:${NEAR_END}$`));
  // The matched text is marked with the CSS Custom Highlight API, over the needle only.
  await expect.poll(() => page.evaluate(() => CSS.highlights.get('ls-search-current')?.size ?? 0)).toBe(1);
  const marked = await page.evaluate(() =>
    [...(CSS.highlights.get('ls-search-current') ?? [])].map((r) => {
      const range = new Range();
      range.setStart(r.startContainer, r.startOffset);
      range.setEnd(r.endContainer, r.endOffset);
      return range.toString();
    }),
  );
  expect(marked).toEqual([NEEDLE]);

  await page.waitForTimeout(500);
  expect(ranges.length, ranges.join('\n')).toBeLessThanOrEqual(4);
  for (const url of ranges) {
    const from = Number(new URL(url).searchParams.get('from'));
    expect(Math.abs(from - NEAR_END)).toBeLessThan(2000);
  }
  expect(searches).toHaveLength(1);
  const params = new URL(searches[0]!).searchParams;
  expect(params.get('q')).toBe(NEEDLE);
  expect(params.has('step')).toBe(false);
});

test('next and previous cycle through the matches with Enter, Shift+Enter, F3 and the buttons', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(bigJob);
  await log.search(CYCLE);
  await expect(log.searchStatus).toHaveText('1 of 3');
  await expect(log.line('prep', 2)).toHaveAttribute('data-highlighted', '');

  const expectAt = async (k: number, step: string, n: number) => {
    await expect(log.searchStatus).toHaveText(`${k} of 3`);
    await expect(log.line(step, n)).toBeInViewport();
    await expect(log.line(step, n)).toHaveAttribute('data-highlighted', '');
    await expect(log.highlighted()).toHaveCount(1);
  };
  await log.searchBox.press('Enter');
  await expectAt(2, 'huge', 40_000);
  await log.searchBox.press('Enter');
  await expectAt(3, 'huge', 99_990);
  await log.searchBox.press('Enter');
  await expectAt(1, 'prep', 2);
  await log.searchBox.press('Shift+Enter');
  await expectAt(3, 'huge', 99_990);
  await log.button('Previous match').click();
  await expectAt(2, 'huge', 40_000);
  await page.keyboard.press('F3');
  await expectAt(3, 'huge', 99_990);
  await log.button('Next match').click();
  await expectAt(1, 'prep', 2);
  await expect(page).toHaveURL(/#prep:2$/);

  // Case: the query in upper case matches nothing once "Match case" is on.
  await log.searchBox.fill(CYCLE.toUpperCase());
  await log.searchBox.press('Enter');
  await expect(log.searchStatus).toHaveText('1 of 3');
  await log.button('Match case').click();
  await expect(log.button('Match case')).toHaveAttribute('aria-pressed', 'true');
  await expect(log.searchStatus).toHaveText('No matches');
});

test('on the step page the search is narrowed to the step', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoStep(bigJob, 'huge');
  const request = page.waitForRequest((r) => r.url().includes('/search?'));
  await log.search(CYCLE);
  expect(new URL((await request).url()).searchParams.get('step')).toBe('huge');
  await expect(log.searchStatus).toHaveText('1 of 2');
  await expect(log.line('huge', 40_000)).toHaveAttribute('data-highlighted', '');
  await expect(page).toHaveURL(/#L40000$/);
});

test('a bad or unsupported regex shows the server error inline', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(bigJob);
  await log.button('Regular expression').click();
  await expect(log.button('Regular expression')).toHaveAttribute('aria-pressed', 'true');
  for (const bad of ['(unclosed', '(a)\\1']) {
    await log.search(bad);
    const error = log.toolbarAlert;
    await expect(error).toBeVisible();
    await expect(error).toContainText(/\w/);
    await expect(log.searchBox).toHaveAttribute('aria-invalid', 'true');
  }
  await log.search(`${CYCLE.slice(0, 6)}[0-9a-f]+ in prep`);
  await expect(log.searchStatus).toHaveText('1 of 1');
  await expect(log.searchBox).toHaveAttribute('aria-invalid', 'false');
});

test('Ctrl+F in the log focuses the search field; pressed there, it is left to the browser', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(bigJob, '#prep:1');
  await log.line('prep', 1).click();
  await page.keyboard.press('Control+f');
  await expect(log.searchBox).toBeFocused();
  const prevented = await log.searchBox.evaluate((el) => {
    const e = new KeyboardEvent('keydown', { key: 'f', ctrlKey: true, bubbles: true, cancelable: true });
    el.dispatchEvent(e);
    return e.defaultPrevented;
  });
  expect(prevented).toBe(false);
});

test('/search finds a line across two jobs; a hit opens the job at that line; the form updates the URL', async ({ page, baseURL }) => {
  const token = `across-${randomUUID().slice(0, 8)}`;
  const jobs = [uniqueJobId('sa'), uniqueJobId('sb')];
  for (const [i, id] of jobs.entries()) {
    const p = await createJob(baseURL!, id, { title: `Across ${i}`, steps: [{ id: 'build' }] });
    await sendLines(p, 'build', 1, ['a', 'b', `the ${token} line ${i}`, 'c']);
    await completeJob(p, 'success');
  }
  await page.goto('/');
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/\/search$/);
  await page.getByRole('searchbox', { name: 'Search text' }).fill(token);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/search\\?q=${token}$`));
  for (const id of jobs) await expect(page.locator(`[data-search-job="${id}"]`)).toContainText(`the ${token} line`);
  await expect(page.getByTestId('search-summary')).toContainText('2 matching lines in 2 jobs');
  // Each hit's matched text is marked (CSS Custom Highlight API).
  await expect.poll(() => page.evaluate(() => CSS.highlights.get('ls-search')?.size ?? 0)).toBe(2);
  // Newest job first.
  await expect(page.locator('[data-search-job]').first()).toHaveAttribute('data-search-job', jobs[1]!);

  await page.locator(`[data-search-job="${jobs[0]}"]`).getByRole('link', { name: 'build:3' }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${jobs[0]}#build:3$`));
  const log = new LogPage(page);
  await expect(log.line('build', 3)).toBeInViewport();
  await expect(log.line('build', 3)).toHaveAttribute('data-highlighted', '');

  await page.goto(`/search?q=${token}&regex=1&case=1&label=nope:nope`);
  await expect(page.getByRole('checkbox', { name: 'Regex' })).toBeChecked();
  await expect(page.getByRole('textbox', { name: 'Label' })).toHaveValue('nope:nope');
  await expect(page.getByTestId('search-summary')).toContainText('0 matching lines');
});

test('hostile text in search results and in-log marks never executes', async ({ page, baseURL }) => {
  const token = `hostile-${randomUUID().slice(0, 8)}`;
  const jobId = uniqueJobId('sx');
  const p = await createJob(baseURL!, jobId, { title: `T ${SCRIPT}${IMG}`, steps: [{ id: 'evil' }] });
  await sendLines(p, 'evil', 1, [`${token} ${SCRIPT}`, `${token} ${IMG}`, `\u001b[31m${token}${IMG}\u001b[0m`, `${token} \u001b]8;;javascript:alert(1)\u0007click\u001b]8;;\u0007`]);
  await completeJob(p, 'failure');
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0);

  await page.goto(`/search?q=${token}`);
  const results = page.locator(`[data-search-job="${jobId}"]`);
  await expect(results).toContainText('onerror');
  await expect(results).toContainText('<script>');
  await expect(results.getByRole('heading')).toContainText('T <script>');
  await page.waitForTimeout(300);
  expect(await results.locator('script, img, svg, a[href^="javascript"]').count()).toBe(0);
  expect(await pwned()).toBe(0);

  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await log.search('<img src=x onerror');
  await expect(log.searchStatus).toHaveText('1 of 2');
  await expect(log.line('evil', 2)).toHaveAttribute('data-highlighted', '');
  await page.waitForTimeout(300);
  expect(await log.log.locator('script, img, svg, a[href^="javascript"]').count()).toBe(0);
  expect(await pwned()).toBe(0);
  expect(dialogs).toEqual([]);
});
