import { expect, test, type Page } from '@playwright/test';
import { createJob, uniqueJobId } from '../test/support';

/** Issue 11 "Job list": paging past 100 jobs, the page kept in the URL. */

async function live(page: Page): Promise<void> {
  await expect(page.getByTestId('list-state')).toHaveAttribute('data-state', 'live');
}

const ids = (page: Page) => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job') ?? ''));

test('120 jobs page as 50, 50, 20 with Older and Newer; a reload keeps the page', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const run = `jp${Math.random().toString(36).slice(2, 8)}`;
  const created: string[] = [];
  for (let i = 0; i < 120; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, (_, k) => createJob(baseURL!, uniqueJobId(`page-${String(i + k).padStart(3, '0')}`), { title: `Paged ${i + k}`, labels: { run } })),
    );
    created.push(...batch.map((p) => p.jobId));
  }

  await page.goto(`/?label=run:${run}`);
  await live(page);
  await expect(page.locator('tbody tr')).toHaveCount(50);
  const first = await ids(page);
  await expect(page.getByRole('link', { name: '← Newer' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Older →' }).click();
  await expect(page).toHaveURL(/before=/);
  await live(page);
  await expect(page.locator('tbody tr')).toHaveCount(50);
  const second = await ids(page);

  await page.getByRole('link', { name: 'Older →' }).click();
  await expect(page).toHaveURL(/newer=/);
  await live(page);
  await expect(page.locator('tbody tr')).toHaveCount(20);
  const third = await ids(page);
  await expect(page.getByRole('link', { name: 'Older →' })).toHaveCount(0);

  // every job once, on exactly one page
  const all = [...first, ...second, ...third];
  expect(new Set(all).size).toBe(120);
  expect([...all].sort()).toEqual([...created].sort());

  await page.reload();
  await live(page);
  await expect(page.locator('tbody tr')).toHaveCount(20);
  expect(await ids(page)).toEqual(third);

  await page.getByRole('link', { name: '← Newer' }).click();
  await live(page);
  await expect(page.locator('tbody tr')).toHaveCount(50);
  expect(await ids(page)).toEqual(second);
  await page.getByRole('link', { name: '← Newer' }).click();
  await expect(page).not.toHaveURL(/before=/);
  await live(page);
  expect(await ids(page)).toEqual(first);
});
