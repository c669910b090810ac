import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, uniqueJobId } from '../test/support';

test('the job list shows live jobs first with a ticking duration and links to each job', async ({ page, baseURL }) => {
  const done = await createJob(baseURL!, uniqueJobId('list-done'), { title: 'Finished job' });
  await sendLines(done, 'a', 1, ['x', 'y']);
  await completeJob(done, 'success');
  const live = await createJob(baseURL!, uniqueJobId('list-live'), { title: 'Running job', steps: [{ id: 'a' }, { id: 'b' }] });
  await sendLines(live, 'a', 1, ['x']);

  await page.goto('/');
  const rows = page.locator('tbody tr');
  await expect(rows.first()).toHaveAttribute('data-job', live.jobId);
  const liveRow = page.locator(`tr[data-job="${live.jobId}"]`);
  await expect(liveRow).toContainText('running');
  await expect(liveRow).toContainText('Running job');
  const doneRow = page.locator(`tr[data-job="${done.jobId}"]`);
  await expect(doneRow).toContainText('passed');
  await expect(doneRow.locator('td').nth(5)).toHaveText('2');

  const first = await liveRow.locator('[data-duration]').textContent();
  await expect.poll(async () => liveRow.locator('[data-duration]').textContent(), { timeout: 5000 }).not.toBe(first);

  await liveRow.getByRole('link', { name: 'Running job' }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${live.jobId}$`));
  await expect(page.getByRole('log')).toBeVisible();
  await completeJob(live, 'success');
});

test('the embed is chrome-less, themable, and follows when asked', async ({ page, baseURL }) => {
  const jobId = uniqueJobId('embed');
  const p = await createJob(baseURL!, jobId, { title: 'Embedded', steps: [{ id: 'one' }, { id: 'two' }] });
  await sendLines(p, 'one', 1, Array.from({ length: 200 }, (_, i) => `one ${i + 1}`));
  await sendLines(p, 'two', 1, ['two 1']);
  await page.goto(`/embed/jobs/${jobId}?step=one&theme=light&follow=1`);
  await expect(page.getByRole('log')).toBeVisible();
  await expect(page.locator('[data-theme="light"]')).toHaveCount(1);
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(page.getByTestId('job-title')).toHaveCount(0);
  await expect(page.locator('[data-section="two"]')).toHaveCount(0);
  await expect(page.locator('[data-step="one"][data-line="200"]')).toBeInViewport();
  // Line 200 is visible in the server-rendered first screen already; follow mode is the live
  // viewer's, once it has hydrated and its stream is open.
  await expect(page.getByTestId('stream-state')).toHaveText(/live/i);
  await sendLines(p, 'one', 201, ['one 201']);
  await expect(page.locator('[data-step="one"][data-line="201"]')).toBeInViewport();
  await completeJob(p, 'success');
  await expect(page.getByTestId('stream-state')).toHaveText(/complete/i);
});

test('unknown jobs and steps say so; malformed ids are a 404 page', async ({ page }) => {
  await page.goto('/jobs/no-such-job-here');
  await expect(page.getByText('Job no-such-job-here was not found.')).toBeVisible();
  const bad = await page.goto('/jobs/..%2Fetc');
  expect(bad?.status()).toBe(404);
  const badStep = await page.goto('/jobs/ok/steps/.hidden');
  expect(badStep?.status()).toBe(404);
});
