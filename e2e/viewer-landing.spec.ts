import { expect, test } from '@playwright/test';
import { completeJob, createJob, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * Landing on a deep link when rows wrap: the list opens at the target with estimated row
 * heights; once the rows load, wrapped lines grow and would push the target off screen. The
 * viewer keeps the target in view until the user scrolls.
 */

const LINES = 3_000;
let job = '';

/** CI-like text: every third line is long enough to wrap over several rows. */
function text(n: number): string {
  if (n % 3 !== 0) return `wrap line ${n} ok`;
  return `wrap line ${n} ` + Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
}

test.beforeAll(async ({ baseURL }) => {
  job = uniqueJobId('landing');
  const p = await createJob(baseURL!, job, { title: 'Landing', steps: [{ id: 'wrap', name: 'Wrap' }] });
  await sendTextLines(p, 'wrap', LINES, text);
  await setStep(p, 'wrap', { status: 'success' });
  await completeJob(p, 'success');
});

for (const n of [LINES, LINES / 2, LINES / 2 + 1]) {
  test(`a link to line ${n} of a step with wrapped rows lands on it once heights are known`, async ({ page }) => {
    const log = new LogPage(page);
    await log.gotoJob(job, `#wrap:${n}`);
    const line = log.line('wrap', n);
    await expect(line).toBeInViewport();
    await expect(line).toHaveAttribute('data-highlighted', '');
    await expect(line).toContainText(`wrap line ${n} `);
    // The neighbourhood has loaded and measured: the line is still there.
    await page.waitForLoadState('networkidle');
    await expect(log.line('wrap', n - 1)).toHaveText(new RegExp(`wrap line ${n - 1}`));
    await expect(line).toBeInViewport();
  });
}

test('scrolling after landing is not fought', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(job, `#wrap:${LINES / 2}`);
  const line = log.line('wrap', LINES / 2);
  await expect(line).toBeInViewport();
  await page.waitForLoadState('networkidle');
  const box = (await log.scroller.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const before = await log.scroller.evaluate((el) => el.scrollTop);
  await page.mouse.wheel(0, 4_000);
  await expect.poll(() => log.scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(before + 2_000);
  await page.waitForLoadState('networkidle');
  // Rows loaded and measured after the scroll do not pull the list back to the link.
  await page.waitForTimeout(300);
  await expect(line).not.toBeInViewport();
  expect(await log.scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(before + 2_000);

  // Keys too: open the link again (a fresh load, not a same-document hash navigation), then page down.
  await page.goto('about:blank');
  await log.gotoJob(job, `#wrap:${LINES / 2}`);
  await expect(line).toBeInViewport();
  await page.waitForLoadState('networkidle');
  const top = await log.scroller.evaluate((el) => el.scrollTop);
  await log.scroller.focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('PageDown');
  await expect.poll(() => log.scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(top + 1_000);
  await page.waitForTimeout(300);
  await expect(line).not.toBeInViewport();
});
