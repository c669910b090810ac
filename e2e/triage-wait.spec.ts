import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';

/**
 * A deep link to a line a running job has not written yet (README "Finding the failure"): the
 * viewer says it waits, keeps waiting while lines arrive, and goes there when the line comes;
 * the wait can be cancelled; a step that ends without the line says so, on its last line.
 */

async function runningJob(baseURL: string) {
  const id = uniqueJobId('triage-wait');
  const p = await createJob(baseURL, id, { title: 'Waiting', steps: [{ id: 'build', name: 'Build' }] });
  await setStep(p, 'build', { status: 'running' });
  await sendLines(p, 'build', 1, Array.from({ length: 10 }, (_, i) => `build line ${i + 1}`));
  return p;
}

const texts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `build line ${from + i}`);

test('a link to a line not written yet waits for it, then goes there', async ({ page, baseURL }) => {
  const p = await runningJob(baseURL!);
  const log = new LogPage(page);
  await log.gotoJob(p.jobId, '#build:50');
  await expect(log.streamState).toHaveText(/live/i);
  const note = page.getByTestId('line-wait');
  await expect(note).toContainText('Waiting for line 50 of Build…');
  await expect(note.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await expect(page.getByTestId('live-region')).toContainText('Waiting for line 50 of Build');
  await expect(log.line('build', 10)).toBeInViewport();

  // lines arrive short of it: still waiting
  await sendLines(p, 'build', 11, texts(11, 30));
  await expect(log.line('build', 30)).toBeVisible();
  await expect(note).toContainText('Waiting for line 50');

  await sendLines(p, 'build', 31, texts(31, 400));
  const line = log.line('build', 50);
  await expect(line).toBeInViewport();
  await expect(line).toHaveAttribute('data-highlighted', '');
  await expect(note).toHaveCount(0);
  expect(new URL(page.url()).hash).toBe('#build:50');
  await completeJob(p, 'success');
});

test('the wait can be cancelled', async ({ page, baseURL }) => {
  const p = await runningJob(baseURL!);
  const log = new LogPage(page);
  await log.gotoJob(p.jobId, '#build:500');
  await expect(log.streamState).toHaveText(/live/i);
  const note = page.getByTestId('line-wait');
  await note.getByRole('button', { name: 'Cancel' }).click();
  await expect(note).toHaveCount(0);
  await sendLines(p, 'build', 11, texts(11, 600));
  // the viewer has the lines (the steps panel counts them; the view may follow the tail)
  await expect(page.getByRole('navigation', { name: 'Steps' })).toContainText('600');
  // cancelled: the line arriving does not pull the view there
  await expect(note).toHaveCount(0);
  await expect(log.line('build', 500)).not.toBeInViewport();
  await completeJob(p, 'success');
});

test('a step that ends without the line says so and shows its last line', async ({ page, baseURL }) => {
  const p = await runningJob(baseURL!);
  const log = new LogPage(page);
  await log.gotoJob(p.jobId, '#build:900');
  await expect(log.streamState).toHaveText(/live/i);
  await expect(page.getByTestId('line-wait')).toContainText('Waiting for line 900 of Build…');
  await sendLines(p, 'build', 11, texts(11, 40));
  await setStep(p, 'build', { status: 'success' });
  await completeJob(p, 'success');
  const note = page.getByTestId('line-wait');
  await expect(note).toContainText('Line 900 of Build was never written: showing its last line.');
  await expect(log.line('build', 40)).toBeInViewport();
  await expect(page.getByTestId('live-region')).toContainText(/never written|Job complete/);
  await note.getByRole('button', { name: 'Dismiss' }).click();
  await expect(note).toHaveCount(0);
});
