import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * The in-log search past its first page of matches (docs/api.md "Search", job search paging):
 * next/previous over every match, exact and lower-bound counts, "Only matching lines" with
 * deep links, a 100k-match step kept virtual, and a running job's matches counted as they arrive.
 */

const TOKEN = `walk-${randomUUID().slice(0, 8)}`;
const MANY = `many-${randomUUID().slice(0, 8)}`;
/** Step `walk`: line 1 opens a group, every even line 2..5000 matches (match k is line 2k). */
const WALK_LINES = 5000;
const WALK_MATCHES = 2500;
const BIG = 100_000;
let walkJob = '';
let bigJob = '';

test.beforeAll(async ({ baseURL }) => {
  walkJob = uniqueJobId('walk');
  const p = await createJob(baseURL!, walkJob, { title: 'Walk', steps: [{ id: 'walk', name: 'Walk step' }] });
  await sendTextLines(p, 'walk', WALK_LINES, (n) => (n === 1 ? '::group::Compile things' : n % 2 === 0 ? `${TOKEN} at ${n}` : `quiet ${n}`));
  await setStep(p, 'walk', { status: 'success' });
  await completeJob(p, 'success');

  bigJob = uniqueJobId('bigmatch');
  const b = await createJob(baseURL!, bigJob, { title: 'Big', steps: [{ id: 'big' }] });
  await sendTextLines(b, 'big', BIG, (n) => `${MANY} row ${n} <b>&amp;</b>`, 50_000);
  await setStep(b, 'big', { status: 'success' });
  await completeJob(b, 'success');
});

async function ready(log: LogPage) {
  await expect(log.streamState).toHaveText(/live|complete/i);
}

function filterRows(page: Page) {
  return page.getByTestId('search-filter').locator('[data-filter-index]');
}

test('next/previous walk past the first 1000 matches and wrap at both ends', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(walkJob);
  await ready(log);
  await log.search(TOKEN);
  await expect(log.searchStatus).toHaveText(`1 of ${WALK_MATCHES}`);
  await expect(log.line('walk', 2)).toHaveAttribute('data-highlighted', '');

  // Shift+F3 from the first match wraps to the last (a page the first answer did not hold).
  await page.keyboard.press('Shift+F3');
  await expect(log.searchStatus).toHaveText(`${WALK_MATCHES} of ${WALK_MATCHES}`);
  await expect(log.line('walk', WALK_LINES)).toBeInViewport();
  await expect(log.line('walk', WALK_LINES)).toHaveAttribute('data-highlighted', '');
  await page.keyboard.press('Shift+F3');
  await expect(log.searchStatus).toHaveText(`${WALK_MATCHES - 1} of ${WALK_MATCHES}`);
  await expect(log.line('walk', WALK_LINES - 2)).toHaveAttribute('data-highlighted', '');
  // F3 twice: the last match, then the first again.
  await page.keyboard.press('F3');
  await page.keyboard.press('F3');
  await expect(log.searchStatus).toHaveText(`1 of ${WALK_MATCHES}`);
  await expect(log.line('walk', 2)).toHaveAttribute('data-highlighted', '');

  // From match 999 (chosen in the filter list), F3 crosses the 1000th into matches 1001 and 1002.
  await log.button('Only matching lines').click();
  await expect(filterRows(page).first()).toBeVisible();
  await page.getByTestId('search-filter').locator('[data-virtuoso-scroller]').evaluate((el) => (el.scrollTop = 998 * 20));
  const row = page.locator('[data-filter-index="998"]');
  await expect(row).toHaveAttribute('data-match-line', String(2 * 999));
  await row.getByRole('link').click();
  await expect(page.getByTestId('search-filter')).toHaveCount(0);
  await expect(log.searchStatus).toHaveText(`999 of ${WALK_MATCHES}`);
  await expect(log.line('walk', 1998)).toHaveAttribute('data-highlighted', '');
  for (const k of [1000, 1001, 1002]) {
    await page.keyboard.press('F3');
    await expect(log.searchStatus).toHaveText(`${k} of ${WALK_MATCHES}`);
    await expect(log.line('walk', 2 * k)).toBeInViewport();
    await expect(log.line('walk', 2 * k)).toHaveAttribute('data-highlighted', '');
  }
  await expect(page).toHaveURL(new RegExp(`#walk:${2 * 1002}$`));
});

test('the count is "N" when exact and "≥ N" only when the server stopped early', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(walkJob);
  await ready(log);
  await log.search(TOKEN);
  await expect(log.searchStatus).toHaveText(`1 of ${WALK_MATCHES}`);
  await expect(log.searchStatus).not.toContainText('≥');

  // A server whose budget ran out answers exact: false (lib/search/search.test.ts checks that it
  // does): the count is then a lower bound.
  await page.route('**/search?*', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...body, exact: false, truncated: true } });
  });
  await log.search(`${TOKEN} at 1`);
  // "walk-… at 1…": lines 10..18, 100..198, 1000..1998 (even) = 5 + 50 + 500 matches
  await expect(log.searchStatus).toHaveText('1 of ≥ 555');
  // Previous wraps to the last match counted; next from there looks for more, finds none, wraps.
  await page.keyboard.press('Shift+F3');
  await expect(log.searchStatus).toHaveText('555 of ≥ 555');
  await expect(log.line('walk', 1998)).toHaveAttribute('data-highlighted', '');
  await page.keyboard.press('F3');
  await expect(log.searchStatus).toHaveText('1 of ≥ 555');
  await expect(log.line('walk', 10)).toHaveAttribute('data-highlighted', '');
});

test('"Only matching lines" lists the matches with their step, group and line, each a deep link back to the log', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(walkJob);
  await ready(log);
  await log.searchBox.fill(TOKEN);
  await log.log.click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+F');
  const filter = page.getByTestId('search-filter');
  await expect(filter).toBeVisible();
  await expect(log.button('Only matching lines')).toHaveAttribute('aria-pressed', 'true');
  // (the typed query may have run on its own before Shift+F: "1 of N", else "N matches")
  await expect(log.searchStatus).toHaveText(new RegExp(`^(1 of ${WALK_MATCHES}|${WALK_MATCHES} matches)$`));
  const rows = filterRows(page);
  await expect(rows.first()).toContainText(`${TOKEN} at 2`);
  // Only matching lines: every row shown has the token, none of the quiet lines is there.
  const texts = await rows.locator('.ls-text').allTextContents();
  expect(texts.length).toBeGreaterThan(5);
  for (const text of texts) expect(text).toContain(TOKEN);
  await expect(filter).not.toContainText('quiet');
  // Each row: the step's name, its group and the line number, as a link to the line.
  const link = rows.nth(2).getByRole('link');
  await expect(link).toHaveText(/Walk step.*Compile things.*6/);
  await expect(link).toHaveAttribute('href', '#walk:6');
  // The matched text is marked in the rows.
  await expect.poll(() => page.evaluate(() => CSS.highlights.get('ls-search')?.size ?? 0)).toBeGreaterThan(5);

  await link.click();
  await expect(filter).toHaveCount(0);
  await expect(page).toHaveURL(/#walk:6$/);
  await expect(log.line('walk', 6)).toBeInViewport();
  await expect(log.line('walk', 6)).toHaveAttribute('data-highlighted', '');
  await expect(log.searchStatus).toHaveText(`3 of ${WALK_MATCHES}`);
  await expect(log.button('Only matching lines')).toHaveAttribute('aria-pressed', 'false');
});

test('a 100k-match step stays virtual in filter mode: a bounded number of rows and of pages fetched', async ({ page }) => {
  const searches: URL[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/search?')) searches.push(new URL(r.url()));
  });
  const log = new LogPage(page);
  await log.gotoJob(bigJob);
  await ready(log);
  await log.search(MANY);
  await expect(log.searchStatus).toHaveText(`1 of ${BIG}`);
  await log.button('Only matching lines').click();
  const rows = filterRows(page);
  await expect(rows.first()).toContainText(`${MANY} row 1 <b>&amp;</b>`);
  expect(await rows.count()).toBeLessThan(200);

  // To the end: the last match is there, the DOM still holds a screenful of rows.
  const scroller = page.getByTestId('search-filter').locator('[data-virtuoso-scroller]');
  await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
  const last = page.locator(`[data-filter-index="${BIG - 1}"]`);
  await expect(last).toContainText(`${MANY} row ${BIG} <b>&amp;</b>`);
  await expect(last.getByRole('link')).toHaveAttribute('href', `#big:${BIG}`);
  expect(await rows.count()).toBeLessThan(200);
  // Escaped text: the markup in the lines is text, never elements.
  expect(await page.getByTestId('search-filter').locator('.ls-text b').count()).toBe(0);
  // Only the pages looked at were fetched, not the 200 pages of every match.
  expect(searches.length).toBeLessThan(10);
  expect(searches.some((u) => Number(u.searchParams.get('offset')) >= BIG - 500)).toBe(true);

  // In filter mode next/previous move through the list itself: F3 from the first match, then back.
  await page.keyboard.press('F3');
  await expect(log.searchStatus).toHaveText(`2 of ${BIG}`);
  const second = page.locator('[data-filter-index="1"]');
  await expect(second).toBeInViewport();
  await expect(second).toHaveAttribute('data-highlighted', '');
  await page.keyboard.press('Shift+F3');
  await page.keyboard.press('Shift+F3');
  await expect(log.searchStatus).toHaveText(`${BIG} of ${BIG}`);
  await expect(last).toHaveAttribute('data-highlighted', '');
  await expect(page.getByTestId('search-filter')).toBeVisible();
  expect(await rows.count()).toBeLessThan(200);
});

test("a running job's new matching lines are counted as they arrive, and show in filter mode", async ({ page, baseURL }) => {
  const live = `live-${randomUUID().slice(0, 8)}`;
  const jobId = uniqueJobId('livesearch');
  const p = await createJob(baseURL!, jobId, { title: 'Live search', steps: [{ id: 'run' }] });
  await sendLines(p, 'run', 1, ['start', `${live} one`, 'quiet']);
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.streamState).toHaveText(/live/i);
  await log.search(live);
  await expect(log.searchStatus).toHaveText('1 of 1');

  await sendLines(p, 'run', 4, [`${live} two`, 'quiet', `${live} three`]);
  await expect(log.searchStatus).toHaveText('1 of 3');
  await log.button('Only matching lines').click();
  await expect(filterRows(page)).toHaveCount(3);
  await sendLines(p, 'run', 7, [`${live} four`]);
  await expect(filterRows(page)).toHaveCount(4);
  await expect(filterRows(page).last()).toContainText(`${live} four`);
  await expect(log.searchStatus).toHaveText('1 of 4');
  await completeJob(p, 'success');
});
