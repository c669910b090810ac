import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, sendManyLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { startProducer } from './ui-fixtures';

/** Live tail: lines appear while a producer writes, follow mode, jump to live, reconnect, end. */

test('lines appear live while a producer writes, then the job completes and the stream closes', async ({ page, baseURL }) => {
  const jobId = uniqueJobId('live');
  const p = await createJob(baseURL!, jobId, { title: 'Live', steps: [{ id: 'run', name: 'Run' }] });
  await sendLines(p, 'run', 1, ['first line']);
  let eventRequests = 0;
  page.on('request', (r) => {
    if (r.url().includes('/events')) eventRequests++;
  });
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.line('run', 1)).toContainText('first line');
  await expect(log.streamState).toHaveText(/live/i);

  const producer = startProducer(p, 'run', { from: 2, to: 60, perTick: 3, everyMs: 50 });
  await expect(log.line('run', 30)).toContainText('live line 30');
  await producer.done;
  await expect(log.line('run', 60)).toContainText('live line 60');
  // Follow mode kept the newest line on screen.
  await expect(log.line('run', 60)).toBeInViewport();
  expect(await log.atBottom()).toBe(true);

  // A step watched while running stays open when it passes; a new step shows up live.
  await setStep(p, 'run', { status: 'success' });
  await expect(log.section('run')).toHaveAttribute('data-status', 'success');
  await expect(log.header('run')).toHaveAttribute('aria-expanded', 'true');
  await setStep(p, 'later', { name: 'Later step', status: 'running' });
  await sendLines(p, 'later', 1, ['later output']);
  await expect(log.header('later')).toHaveAccessibleName(/Later step/);
  await expect(log.line('later', 1)).toContainText('later output');
  await setStep(p, 'later', { status: 'success' });
  await completeJob(p, 'success');
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(page.locator('[data-status="success"]').first()).toBeVisible();
  const after = eventRequests;
  await page.waitForTimeout(4000);
  expect(eventRequests, 'no reconnect after end').toBe(after);
});

test('follow mode stops when the user scrolls up and "jump to live" resumes it', async ({ page, baseURL }) => {
  const jobId = uniqueJobId('follow');
  const p = await createJob(baseURL!, jobId, { steps: [{ id: 'run', name: 'Run' }] });
  await sendManyLines(p, 'run', 400);
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.line('run', 400)).toBeInViewport();
  await expect(log.jumpToLive).toHaveCount(0);

  await log.scrollUp(2000);
  await expect(log.jumpToLive).toBeVisible();
  const top = await log.scroller.evaluate((el) => el.scrollTop);
  const producer = startProducer(p, 'run', { from: 401, to: 460, perTick: 5, everyMs: 40 });
  await producer.done;
  // The lines arrived (the list grew) but the view stayed where the user put it.
  await expect.poll(() => log.scroller.evaluate((el) => el.scrollHeight)).toBeGreaterThan(460 * 20);
  expect(Math.abs((await log.scroller.evaluate((el) => el.scrollTop)) - top)).toBeLessThan(40);
  await expect(log.line('run', 460)).toHaveCount(0);

  await log.jumpToLive.click();
  await expect(log.line('run', 460)).toBeInViewport();
  await expect(log.jumpToLive).toHaveCount(0);
  const more = startProducer(p, 'run', { from: 461, to: 500, perTick: 4, everyMs: 40 });
  await more.done;
  await expect(log.line('run', 500)).toBeInViewport();
  await completeJob(p, 'success');
});

test('a failed stream shows "reconnecting", then recovers without losing lines', async ({ page, baseURL }) => {
  const jobId = uniqueJobId('reconnect');
  const p = await createJob(baseURL!, jobId, { steps: [{ id: 'run', name: 'Run' }] });
  await sendLines(p, 'run', 1, ['before']);
  let failures = 2;
  await page.route('**/api/v1/jobs/*/events*', async (route) => {
    if (failures > 0) {
      failures--;
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.streamState).toHaveText(/reconnecting/i);
  await sendLines(p, 'run', 2, ['while down']);
  await expect(log.streamState).toHaveText(/live/i, { timeout: 30_000 });
  await expect(log.line('run', 2)).toContainText('while down');
  await sendLines(p, 'run', 3, ['after']);
  await expect(log.line('run', 3)).toContainText('after');
  await completeJob(p, 'success');
  await expect(log.streamState).toHaveText(/complete/i);
});
