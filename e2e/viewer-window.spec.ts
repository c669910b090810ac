import { expect, test } from '@playwright/test';
import { completeJob, createJob, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * Steps with more rows than one virtual list can hold (Chromium caps element height at ~33.5M
 * px): the list holds a window of rows; every line stays reachable by paging or "go to line".
 */

const LINES = 600_000;
/** Chromium's maximum element height, in px. */
const HEIGHT_CAP = 33_554_428;

test('a 600k-line step is windowed, and every line stays reachable', async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const jobId = uniqueJobId('window');
  const p = await createJob(baseURL!, jobId, { steps: [{ id: 'huge', name: 'Huge' }] });
  await sendTextLines(p, 'huge', LINES, (n) => `row ${n}`);
  await setStep(p, 'huge', { status: 'success' });
  await completeJob(p, 'success');

  const log = new LogPage(page);
  await log.gotoStep(jobId, 'huge', '#L599990');
  await expect(log.line('huge', 599990)).toBeInViewport();
  await expect(log.line('huge', 599990)).toHaveAttribute('data-highlighted', '');
  expect(await log.scroller.evaluate((el) => el.scrollHeight)).toBeLessThan(HEIGHT_CAP / 2);

  // The top of the window offers the rows before it.
  await log.scroller.evaluate((el) => el.scrollTo({ top: 0 }));
  const earlier = log.button('show earlier rows');
  await expect(earlier).toBeInViewport();
  // The first line of the window (rows re-render after the scroll).
  const firstLine = async () => Number(await log.lines('huge').first().getAttribute('data-line'));
  await expect.poll(firstLine).toBeLessThan(LINES - 200);
  const firstShown = await firstLine();
  expect(firstShown).toBeGreaterThan(1);
  await expect(log.line('huge', firstShown)).toBeInViewport();
  await earlier.click();
  await expect(log.line('huge', firstShown - 1)).toBeInViewport();

  // Far jumps recentre the window.
  const goTo = page.getByRole('textbox', { name: 'Go to line' });
  await goTo.fill('1');
  await goTo.press('Enter');
  await expect(log.line('huge', 1)).toBeInViewport();
  await goTo.fill(String(LINES));
  await goTo.press('Enter');
  await expect(log.line('huge', LINES)).toBeInViewport();
  await expect(log.line('huge', LINES)).toContainText(`row ${LINES}`);
});
