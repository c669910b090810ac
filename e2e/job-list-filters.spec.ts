import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, uniqueJobId } from '../test/support';

/** Issue 11 "Job list": filters by status, label (several), text and time, kept in the URL. */

const tag = () => `jf${Math.random().toString(36).slice(2, 8)}`;

async function live(page: Page): Promise<void> {
  await expect(page.getByTestId('list-state')).toHaveAttribute('data-state', 'live');
}

const shown = (page: Page) => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')).sort());

test('two label filters AND, with status and text; the URL keeps them through a reload', async ({ page, baseURL }) => {
  const run = tag();
  const apiProd = await createJob(baseURL!, uniqueJobId('f-api-prod'), { title: 'API prod', labels: { run, repo: 'acme/api', env: 'prod' } });
  const apiDev = await createJob(baseURL!, uniqueJobId('f-api-dev'), { title: 'API dev', labels: { run, repo: 'acme/api', env: 'dev' } });
  const webProd = await createJob(baseURL!, uniqueJobId('f-web-prod'), { title: 'Web prod', labels: { run, repo: 'acme/web', env: 'prod' } });
  await completeJob(apiProd, 'failure');

  await page.goto(`/?label=run:${run}`);
  await live(page);
  await expect(page.locator('tbody tr')).toHaveCount(3);

  const label = page.getByRole('textbox', { name: 'Label' });
  await label.fill('repo:acme/api');
  await label.press('Enter');
  await expect(page).toHaveURL(/label=repo%3Aacme%2Fapi/);
  await live(page);
  await expect.poll(() => shown(page)).toEqual([apiDev.jobId, apiProd.jobId].sort());

  await page.getByRole('textbox', { name: 'Label' }).fill('env:prod');
  await page.getByRole('textbox', { name: 'Label' }).press('Enter');
  await expect(page).toHaveURL(/label=env%3Aprod/);
  await live(page);
  await expect.poll(() => shown(page)).toEqual([apiProd.jobId]);
  const url = page.url();
  expect(new URL(url).searchParams.getAll('label')).toEqual([`run:${run}`, 'repo:acme/api', 'env:prod']);

  await page.reload();
  await live(page);
  await expect.poll(() => shown(page)).toEqual([apiProd.jobId]);
  await expect(page.getByRole('button', { name: 'Remove label env:prod' })).toBeVisible();

  // a chip removes its label: both acme/api jobs again
  await page.getByRole('button', { name: 'Remove label env:prod' }).click();
  await expect(page).not.toHaveURL(/env%3Aprod/);
  await live(page);
  await expect.poll(() => shown(page)).toEqual([apiDev.jobId, apiProd.jobId].sort());

  // status and text, kept in the URL too
  await page.getByRole('combobox', { name: 'Status' }).selectOption('running');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/status=running/);
  await live(page);
  await expect.poll(() => shown(page)).toEqual([apiDev.jobId]);
  await page.getByRole('combobox', { name: 'Status' }).selectOption('');
  await page.getByRole('searchbox', { name: 'Text' }).fill('web prod');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=web\+prod/);
  await live(page);
  // the acme/api label filter still applies: nothing matches both
  await expect(page.getByText('No jobs match.')).toBeVisible();
  await page.goto(`/?label=run:${run}&q=web+prod`);
  await live(page);
  await expect.poll(() => shown(page)).toEqual([webProd.jobId]);
  await expect(page.getByRole('searchbox', { name: 'Text' })).toHaveValue('web prod');
  await completeJob(apiDev, 'success');
  await completeJob(webProd, 'success');
});

test('a time filter keeps jobs created in the range, and a label in a row adds itself as a filter', async ({ page, baseURL }) => {
  const run = tag();
  const old = await createJob(baseURL!, uniqueJobId('f-time-old'), { title: 'Earlier', labels: { run } });
  const { createdAt } = (await (await fetch(`${baseURL}/api/v1/jobs/${old.jobId}`)).json()) as { createdAt: number };
  const later = await createJob(baseURL!, uniqueJobId('f-time-new'), { title: 'Later', labels: { run, kind: 'nightly' } });
  const laterAt = ((await (await fetch(`${baseURL}/api/v1/jobs/${later.jobId}`)).json()) as { createdAt: number }).createdAt;
  test.skip(laterAt === createdAt, 'both jobs were created in the same millisecond');

  await page.goto(`/?label=run:${run}&createdAfter=${createdAt + 1}`);
  await live(page);
  await expect.poll(() => shown(page)).toEqual([later.jobId]);
  await expect(page.getByLabel('Created after')).not.toHaveValue('');
  await page.goto(`/?label=run:${run}&createdBefore=${createdAt + 1}`);
  await live(page);
  await expect.poll(() => shown(page)).toEqual([old.jobId]);
  await page.goto(`/?label=run:${run}&createdAfter=${Date.now() + 86_400_000}`);
  await live(page);
  await expect(page.getByText('No jobs match.')).toBeVisible();

  await page.goto(`/?label=run:${run}`);
  await live(page);
  await page.locator(`tr[data-job="${later.jobId}"]`).getByRole('link', { name: 'kind=nightly' }).click();
  await expect(page).toHaveURL(/label=kind%3Anightly/);
  await live(page);
  await expect.poll(() => shown(page)).toEqual([later.jobId]);
  await completeJob(old, 'success');
  await completeJob(later, 'success');
});
