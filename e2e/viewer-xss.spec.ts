import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';

/** Every server string (text, names, titles, labels, group names) is shown as text, never run. */

const SCRIPT = '<script>window.__pwned = (window.__pwned || 0) + 1; alert("script")</script>';
const IMG = '<img src=x onerror="window.__pwned = (window.__pwned || 0) + 1; alert(\'img\')">';
const SVG = '<svg onload="window.__pwned=1"><a href="javascript:alert(1)">js</a></svg>';

test('hostile markup in log text, step names, group names, titles and labels never executes', async ({ page, baseURL }) => {
  const jobId = uniqueJobId('xss');
  const p = await createJob(baseURL!, jobId, {
    title: `Title ${SCRIPT}${IMG}`,
    labels: { [`k${IMG}`.slice(0, 60)]: `v${SCRIPT}`, branch: IMG },
    steps: [{ id: 'evil', name: `Step ${IMG}` }],
  });
  await sendLines(p, 'evil', 1, [
    SCRIPT,
    IMG,
    SVG,
    `\u001b[31m${IMG}\u001b[0m`,
    `::group::${IMG}`,
    'inside',
    '::endgroup::',
    `\u001b]8;;javascript:alert(1)\u0007click\u001b]8;;\u0007`,
  ]);
  await setStep(p, 'evil', { status: 'failure' });
  await completeJob(p, 'failure');

  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const log = new LogPage(page);
  for (const path of [`/`, `/jobs/${jobId}`, `/jobs/${jobId}/steps/evil`, `/embed/jobs/${jobId}?step=evil`]) {
    await page.goto(path);
    await expect(page.getByText('Title <script>', { exact: false }).or(log.log).first()).toBeVisible();
    if (path !== '/') await expect(log.line('evil', 2)).toContainText('onerror');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0), path).toBe(0);
  }
  await page.goto(`/jobs/${jobId}`);
  await expect(page.getByTestId('job-title')).toContainText('<script>');
  await expect(log.header('evil')).toHaveAccessibleName(/Step <img src=x/);
  await expect(log.line('evil', 1)).toHaveText(SCRIPT);
  await expect(page.getByText(`v${SCRIPT}`)).toBeVisible();
  await expect(page.getByRole('button', { name: /<img src=x/ }).first()).toBeVisible();
  // No element from the payloads exists in the log.
  expect(await log.log.locator('script, img, svg, a[href^="javascript"]').count()).toBe(0);
  expect(dialogs).toEqual([]);
});
