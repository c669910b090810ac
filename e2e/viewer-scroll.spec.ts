import { expect, test } from '@playwright/test';
import { completeJob, createJob, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * Scrolling a long step: rows are rendered from cached pages and cached line HTML, and the
 * sticky step bar follows the top row without reading the DOM. Behaviour only; the frame times
 * are measured by e2e/perf-scroll-1m.bench.ts.
 */

const LINES = 30_000;
const text = (n: number) => `\u001b[32mline ${n}\u001b[0m of the ${n % 2 ? 'odd' : 'even'} kind`;

test('rows keep their content and colours after scrolling far away and back', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const jobId = uniqueJobId('scroll');
  const p = await createJob(baseURL!, jobId, { steps: [{ id: 'main', name: 'Main' }] });
  await sendTextLines(p, 'main', LINES, text);
  await setStep(p, 'main', { status: 'failure' });
  await completeJob(p, 'failure');

  const log = new LogPage(page);
  await log.gotoJob(jobId, '#main:5');
  await expect(log.line('main', 5)).toBeInViewport();
  await expect(log.line('main', 5)).toHaveText('line 5 of the odd kind');
  const green = await log.line('main', 5).locator('span[style]').first().evaluate((el) => getComputedStyle(el).color);

  // Far away: the end of the step, then a stop in the middle, each with its own lines.
  await log.scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(log.line('main', LINES)).toBeInViewport();
  await expect(log.line('main', LINES)).toHaveText(`line ${LINES} of the even kind`);
  await log.scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
  // The rows re-render after the scroll: wait until they are the middle ones, then read one.
  const row20 = async () => Number(await log.lines('main').nth(20).getAttribute('data-line'));
  await expect.poll(row20).toBeLessThan(LINES * 0.75);
  const middle = await row20();
  expect(middle).toBeGreaterThan(LINES / 4);
  await expect(log.line('main', middle)).toHaveText(text(middle).replace(/\u001b\[\d+m/g, ''));

  // And back: the same rows, the same text, the same colour, the selection still marked.
  await log.scroller.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(log.line('main', 5)).toBeInViewport();
  await expect(log.line('main', 5)).toHaveText('line 5 of the odd kind');
  await expect(log.line('main', 5)).toHaveAttribute('data-highlighted', '');
  await expect(log.line('main', 5).locator('span[style]').first()).toHaveCSS('color', green);
  for (const n of [1, 2, 3, 4, 6]) await expect(log.line('main', n)).toHaveText(text(n).replace(/\u001b\[\d+m/g, ''));
});

test('the sticky bar names the step of the top row while its header is scrolled away', async ({ page, baseURL }) => {
  const jobId = uniqueJobId('sticky');
  const p = await createJob(baseURL!, jobId, { steps: [{ id: 'first', name: 'First step' }, { id: 'second', name: 'Second step' }] });
  await sendTextLines(p, 'first', 2000, (n) => `first ${n}`);
  await sendTextLines(p, 'second', 2000, (n) => `second ${n}`);
  await setStep(p, 'first', { status: 'failure' });
  await setStep(p, 'second', { status: 'failure' });
  await completeJob(p, 'failure');

  const log = new LogPage(page);
  const bar = page.locator('[data-sticky-step]');
  await log.gotoJob(jobId);
  await expect(log.line('first', 1)).toBeVisible();
  await expect(bar).toHaveCount(0);

  await log.scroller.evaluate((el) => el.scrollTo({ top: 20 * 1000 }));
  await expect(bar).toHaveAttribute('data-sticky-step', 'first');
  await expect(bar).toContainText('First step');

  // Into the second step: its header scrolls by, then its lines are under the bar.
  await log.scroller.evaluate((el) => el.scrollTo({ top: 20 * 2500 }));
  await expect(bar).toHaveAttribute('data-sticky-step', 'second');

  // A click on the bar goes to the step's header, which then stands in for the bar.
  await bar.click();
  await expect(log.section('second')).toBeInViewport();
  await expect(bar).toHaveCount(0);

  await log.scroller.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(bar).toHaveCount(0);
});
