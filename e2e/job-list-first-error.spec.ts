import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';

/** Issue 11 "Job list": each failed job's row links to its first error (JobSummary.firstError). */

async function live(page: Page): Promise<void> {
  await expect(page.getByTestId('list-state')).toHaveAttribute('data-state', 'live');
}

test('a failed row links to its first error line, live; other rows link to their job', async ({ page, baseURL }) => {
  const run = `je${Math.random().toString(36).slice(2, 8)}`;
  const failed = await createJob(baseURL!, uniqueJobId('first-error'), { title: 'Fails', labels: { run }, steps: [{ id: 'setup' }, { id: 'test' }] });
  const passed = await createJob(baseURL!, uniqueJobId('no-error'), { title: 'Passes', labels: { run }, steps: [{ id: 'build' }] });
  const quiet = await createJob(baseURL!, uniqueJobId('failed-quiet'), { title: 'Fails quietly', labels: { run }, steps: [{ id: 'build' }] });

  await page.goto(`/?label=run:${run}`);
  await live(page);
  await expect(page.locator('tbody tr')).toHaveCount(3);

  // the job fails while the list is open: its row's link moves to the first error
  await sendLines(failed, 'setup', 1, ['ok']);
  await setStep(failed, 'setup', { status: 'success' });
  await sendLines(failed, 'test', 1, ['running 4 tests', 'test a ... ok', 'error: expected 2, got 3', 'FAIL src/b.test.ts']);
  await setStep(failed, 'test', { status: 'failure' });
  await completeJob(failed, 'failure');
  const row = page.locator(`tr[data-job="${failed.jobId}"]`);
  await expect(row).toHaveAttribute('data-status', 'failure');
  const href = `/jobs/${failed.jobId}#test:3`;
  await expect(row.locator('[data-job-link]')).toHaveAttribute('href', href);
  await expect(row.locator('[data-first-error]')).toHaveText('first error test:3');

  await sendLines(passed, 'build', 1, ['fine']);
  await completeJob(passed, 'success');
  await sendLines(quiet, 'build', 1, ['nothing looks wrong']);
  await completeJob(quiet, 'failure');
  await expect(page.locator(`tr[data-job="${passed.jobId}"]`)).toHaveAttribute('data-status', 'success');
  await expect(page.locator(`tr[data-job="${passed.jobId}"] [data-job-link]`)).toHaveAttribute('href', `/jobs/${passed.jobId}`);
  // failed without an error line: the job itself
  await expect(page.locator(`tr[data-job="${quiet.jobId}"]`)).toHaveAttribute('data-status', 'failure');
  await expect(page.locator(`tr[data-job="${quiet.jobId}"] [data-job-link]`)).toHaveAttribute('href', `/jobs/${quiet.jobId}`);
  await expect(page.locator(`tr[data-job="${quiet.jobId}"] [data-first-error]`)).toHaveCount(0);

  // the link lands on the line
  await row.locator('[data-first-error]').click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${failed.jobId}#test:3$`));
  await expect(page.locator('[data-step="test"][data-line="3"]')).toBeInViewport();
});
