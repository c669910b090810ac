import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/** Deep links: open, scroll to and highlight lines, fetching only the pages around them. */

let bigJob = '';

test.beforeAll(async ({ baseURL }) => {
  bigJob = uniqueJobId('links');
  const p = await createJob(baseURL!, bigJob, { title: 'Big', steps: [{ id: 'prep', name: 'Prep' }, { id: 'huge', name: 'Huge' }] });
  await sendLines(p, 'prep', 1, ['prep 1', 'prep 2', 'prep 3']);
  await setStep(p, 'prep', { status: 'success' });
  await sendTextLines(p, 'huge', 100_000, (n) => `huge line ${n} \u001b[32mok\u001b[0m`, 50_000);
  await setStep(p, 'huge', { status: 'success' });
  await completeJob(p, 'success');
});

test('a deep link into a 100k-line step scrolls to and highlights the line with a few range requests', async ({ page }) => {
  const ranges: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/lines?')) ranges.push(r.url());
  });
  const log = new LogPage(page);
  await log.gotoJob(bigJob, '#huge:73456');
  const line = log.line('huge', 73456);
  await expect(line).toBeInViewport();
  await expect(line).toHaveAttribute('data-highlighted', '');
  await expect(line).toContainText('huge line 73456');
  await expect(log.highlighted()).toHaveCount(1);
  // The passed step was collapsed by default; the link opened it (its lines are rows).
  await expect(log.line('huge', 73450)).toBeVisible();
  await page.waitForTimeout(500);
  expect(ranges.length, ranges.join('\n')).toBeLessThanOrEqual(4);
  for (const url of ranges) {
    const from = Number(new URL(url).searchParams.get('from'));
    expect(Math.abs(from - 73456)).toBeLessThan(2000);
    expect(Number(new URL(url).searchParams.get('limit'))).toBeLessThanOrEqual(5000);
  }
});

test('a range link highlights every line of the range; the hash can change in place', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(bigJob, '#huge:500-505');
  await expect(log.highlighted()).toHaveCount(6);
  await expect(log.line('huge', 503)).toHaveAttribute('data-highlighted', '');
  await page.evaluate(() => {
    window.location.hash = '#prep:2';
  });
  await expect(log.line('prep', 2)).toHaveAttribute('data-highlighted', '');
  await expect(log.highlighted()).toHaveCount(1);
});

test('clicking line numbers sets the hash, shift-click extends, copy link copies the URL', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const log = new LogPage(page);
  await log.gotoJob(bigJob, '#prep');
  await log.line('prep', 1).locator('a').click();
  await expect(page).toHaveURL(/#prep:1$/);
  await log.line('prep', 3).locator('a').click({ modifiers: ['Shift'] });
  await expect(page).toHaveURL(/#prep:1-3$/);
  await expect(log.highlighted()).toHaveCount(3);
  await log.button(/copy link/i).click();
  await expect(log.button('Copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/jobs/${bigJob}#prep:1-3`);
});

test('line numbers are not part of copied text', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoJob(bigJob, '#prep:1');
  await expect(log.line('prep', 3)).toBeVisible();
  const text = await page.evaluate(() => {
    const lines = document.querySelectorAll('[data-step="prep"][data-line]');
    const range = document.createRange();
    range.setStartBefore(lines[0]!);
    range.setEndAfter(lines[lines.length - 1]!);
    const sel = window.getSelection()!;
    sel.removeAllRanges();
    sel.addRange(range);
    return sel.toString();
  });
  expect(text).toContain('prep 1');
  expect(text).not.toMatch(/^\s*1/);
  expect(text.replace(/\s+/g, ' ').trim()).toBe('prep 1 prep 2 prep 3');
});

test('the step page shows one step and honours #L links; "go to line" jumps', async ({ page }) => {
  const log = new LogPage(page);
  await log.gotoStep(bigJob, 'huge', '#L88000-L88002');
  await expect(log.section('prep')).toHaveCount(0);
  await expect(log.line('huge', 88001)).toBeInViewport();
  await expect(log.highlighted()).toHaveCount(3);
  await log.line('huge', 88005).locator('a').click();
  await expect(page).toHaveURL(/#L88005$/);

  await page.getByRole('textbox', { name: 'Go to line' }).fill('99999');
  await page.getByRole('textbox', { name: 'Go to line' }).press('Enter');
  await expect(log.line('huge', 99999)).toBeInViewport();
  await expect(log.line('huge', 99999)).toHaveAttribute('data-highlighted', '');
  await expect(page).toHaveURL(/#L99999$/);
});

test('hostile hashes are ignored', async ({ page }) => {
  const log = new LogPage(page);
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  for (const hash of ['#<img src=x onerror=alert(1)>', '#huge:99999999999999', '#huge:0', '#../../etc:1', '#huge:1-2-3']) {
    await log.gotoJob(bigJob, hash);
    // ignored: the page opens as it does without a hash (a passed job: its last step, nothing selected)
    await expect(log.header('huge')).toHaveAttribute('aria-expanded', 'true');
    await expect(log.header('prep')).toHaveAttribute('aria-expanded', 'false');
    await expect(log.highlighted()).toHaveCount(0);
  }
  expect(dialogs).toBe(0);
});
