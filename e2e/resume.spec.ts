import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';

/**
 * A reload in the middle of a live stream: the page comes back from metadata, ranges and the
 * events stream resumed at the job's cursor, with no line missing and none shown twice.
 */
test('a reload mid-stream resumes with no line missing or doubled', async ({ page, baseURL }) => {
  test.setTimeout(90_000);
  const TOTAL = 60;
  await page.setViewportSize({ width: 1200, height: 2000 });
  const p = await createJob(baseURL!, uniqueJobId('resume'), { title: 'Resume', steps: [{ id: 'build', name: 'Build' }] });
  await setStep(p, 'build', { status: 'running' });

  let sent = 0;
  const producer = (async () => {
    while (sent < TOTAL) {
      await sendLines(p, 'build', sent + 1, [`payload ${sent + 1} \x1b[32mok\x1b[0m`]);
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
  })();

  await page.goto(`/jobs/${p.jobId}`);
  const lines = page.locator('[data-step="build"][data-line]');
  await expect.poll(async () => lines.count(), { timeout: 20_000 }).toBeGreaterThan(5);
  await expect.poll(() => sent, { timeout: 20_000 }).toBeGreaterThan(20);
  await page.reload();
  await expect.poll(async () => lines.count(), { timeout: 20_000 }).toBeGreaterThan(20);
  await producer;
  await setStep(p, 'build', { status: 'success' });
  await completeJob(p, 'success');

  // The step may now be collapsed (passed steps start collapsed): open it if needed.
  const header = page.getByRole('button', { name: /Build/ }).first();
  await expect(page.getByTestId('stream-state')).toHaveAttribute('data-stream-state', 'complete', { timeout: 20_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  await expect(lines).toHaveCount(TOTAL, { timeout: 20_000 });
  const numbers = await lines.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-line'))));
  expect(numbers).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
  const texts = await lines.evaluateAll((els) => els.map((el) => el.querySelector('.ls-content')?.textContent ?? ''));
  expect(texts).toEqual(Array.from({ length: TOTAL }, (_, i) => `payload ${i + 1} ok`));
});
