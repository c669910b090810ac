import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';

/**
 * The viewer's one polite live region (README "Finding the failure"): stream status changes,
 * and new error lines summed per step, throttled — never one announcement per line.
 */

test('announces the stream’s status and new error lines, summed, never every line', async ({ page, baseURL }) => {
  const job = uniqueJobId('triage-live-region');
  const p = await createJob(baseURL!, job, { title: 'Live region', steps: [{ id: 'build', name: 'Build' }] });
  await setStep(p, 'build', { status: 'running' });
  await sendLines(p, 'build', 1, ['starting', 'ERROR: an error before the page opened']);
  const log = new LogPage(page);
  await log.gotoJob(job);
  await expect(log.streamState).toHaveText(/live/i);

  const region = page.getByRole('status').filter({ has: page.locator('p') });
  await expect(region).toHaveAttribute('aria-live', 'polite');
  // the live indicator is not a second one
  await expect(log.streamState).toHaveAttribute('aria-live', 'off');
  await expect(region).toContainText('Streaming live');

  // 30 lines, 3 of them error lines: one summary, not 30 (or 3) announcements
  const lines = Array.from({ length: 30 }, (_, i) => ([5, 15, 25].includes(i) ? `ERROR: failure ${i}` : `working ${i}`));
  await sendLines(p, 'build', 3, lines);
  await expect(region).toContainText(/\d+ new error lines? in Build/);
  await expect.poll(async () => (await region.locator('p').allTextContents()).join(' | ')).toMatch(/3 new error lines in Build|1 new error line in Build.*2 new error lines in Build/);
  const texts = await region.locator('p').allTextContents();
  expect(texts.every((t) => !/working|failure \d/.test(t))).toBe(true);
  // the previous error (before the page opened) is not announced
  expect(texts.join(' ')).not.toMatch(/4 new error/);

  await setStep(p, 'build', { status: 'failure' });
  await completeJob(p, 'failure');
  await expect(region).toContainText('Job failed');
});
