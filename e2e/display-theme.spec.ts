import { expect, test, type Page } from '@playwright/test';
import { AA_CONTRAST, completeJob, contrastRatio, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { PREFERENCE_KEYS } from '../lib/viewer/preferences';
import { LogPage } from './log-page';

/**
 * Themes (README "Display"): light, dark and system, chosen in the top bar or the viewer's
 * display menu, remembered per browser, on <html> before the first paint (the server-rendered
 * first screen included, before any bundle runs), and the 16 ANSI colours readable (WCAG AA)
 * on the log's background in both themes, read from computed styles.
 */

/** One line per base colour: 30-37 then 90-97. */
const CODES = [30, 31, 32, 33, 34, 35, 36, 37, 90, 91, 92, 93, 94, 95, 96, 97];
const DARK_BG = 'rgb(13, 17, 23)';
const LIGHT_BG = 'rgb(255, 255, 255)';
let jobId = '';

test.beforeAll(async ({ baseURL }) => {
  jobId = uniqueJobId('display-theme');
  const p = await createJob(baseURL!, jobId, { title: 'Themes', steps: [{ id: 'colours', name: 'Colours' }] });
  await sendLines(p, 'colours', 1, CODES.map((c) => `\u001b[${c}mcolour ${c}\u001b[0m plain`));
  await setStep(p, 'colours', { status: 'failure' });
  await completeJob(p, 'failure');
});

async function storeTheme(page: Page, theme: string | null) {
  await page.goto('/api/health');
  await page.evaluate(({ key, value }) => (value === null ? localStorage.removeItem(key) : localStorage.setItem(key, value)), { key: PREFERENCE_KEYS.theme, value: theme });
}

const background = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => getComputedStyle(el).backgroundColor);

/** Each base colour's computed text colour and the log's background, after the list has drawn. */
async function colours(page: Page) {
  const log = new LogPage(page);
  const bg = await log.log.evaluate((el) => getComputedStyle(el.closest('.ls-viewer')!).backgroundColor);
  const out: { code: number; color: string }[] = [];
  for (const [i, code] of CODES.entries()) {
    const span = log.line('colours', i + 1).locator('span[style]').first();
    await expect(span).toHaveText(`colour ${code}`);
    out.push({ code, color: await span.evaluate((el) => getComputedStyle(el).color) });
  }
  return { bg, out };
}

test('system follows prefers-color-scheme; light and dark are chosen in the UI and remembered', async ({ page }) => {
  await storeTheme(page, null);
  const log = new LogPage(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await log.gotoJob(jobId);
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(page.locator('html')).toHaveAttribute('data-ls-theme', 'system');
  expect(await background(page, '.ls-viewer')).toBe(DARK_BG);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => background(page, '.ls-viewer')).toBe(LIGHT_BG);
  expect(await background(page, 'body')).toBe(LIGHT_BG);

  // the top bar's choice wins over the system's, on every page, after a reload too
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-ls-theme', 'light');
  await expect.poll(() => background(page, '.ls-viewer')).toBe(LIGHT_BG);
  await page.reload();
  await expect(log.streamState).toHaveText(/complete/i);
  expect(await background(page, '.ls-viewer')).toBe(LIGHT_BG);
  await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('light');
  await page.goto('/');
  expect(await background(page, 'body')).toBe(LIGHT_BG);

  // the viewer's display menu: the same preference
  await log.gotoJob(jobId);
  await expect(log.streamState).toHaveText(/complete/i);
  await page.getByRole('button', { name: 'Display' }).click();
  const group = page.getByRole('group', { name: 'Theme' });
  await expect(group.getByRole('button', { name: 'Light' })).toHaveAttribute('aria-pressed', 'true');
  await group.getByRole('button', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-ls-theme', 'dark');
  await expect.poll(() => background(page, '.ls-viewer')).toBe(DARK_BG);
  await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.reload();
  await expect(log.streamState).toHaveText(/complete/i);
  expect(await background(page, '.ls-viewer')).toBe(DARK_BG);
  expect(await page.evaluate((key) => localStorage.getItem(key), PREFERENCE_KEYS.theme)).toBe('dark');
});

for (const theme of ['light', 'dark'] as const) {
  test(`the 16 ANSI colours read at AA on the log's background (${theme})`, async ({ page }) => {
    await storeTheme(page, theme);
    const log = new LogPage(page);
    await log.gotoJob(jobId);
    await expect(log.streamState).toHaveText(/complete/i);
    const { bg, out } = await colours(page);
    expect(bg).toBe(theme === 'light' ? LIGHT_BG : DARK_BG);
    for (const { code, color } of out) expect(contrastRatio(color, bg), `ESC[${code}m ${color} on ${bg}`).toBeGreaterThanOrEqual(AA_CONTRAST);
    // a palette per theme, not one palette for both
    expect(new Set(out.map((o) => o.color)).size).toBe(16);
  });
}

test('no flash: the stored theme is on the first paint, before any bundle has run', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const seen: Record<string, string[]> = {};
  for (const theme of ['light', 'dark'] as const) {
    await storeTheme(page, theme);
    await page.emulateMedia({ colorScheme: theme === 'light' ? 'dark' : 'light' });
    await page.route('**/_next/static/chunks/*.js', (route) => route.abort());
    await page.goto(`/jobs/${jobId}`);
    const log = new LogPage(page);
    // the server-rendered first screen, shown by its inline script: no React has run
    await expect(page.locator('[data-first-screen] [data-step="colours"][data-line="2"]')).toBeVisible();
    await expect(page.locator('[data-virtuoso-scroller]')).toHaveCount(0);
    await expect(page.locator('html')).toHaveAttribute('data-ls-theme', theme);
    const want = theme === 'light' ? LIGHT_BG : DARK_BG;
    expect(await background(page, 'body')).toBe(want);
    expect(await background(page, '.ls-first-screen')).toBe(want);
    const red = await log.line('colours', 2).locator('span[style]').evaluate((el) => getComputedStyle(el).color);
    expect(contrastRatio(red, want)).toBeGreaterThanOrEqual(AA_CONTRAST);
    seen[theme] = [red];
    for (const path of ['/', '/search']) {
      await page.goto(path);
      await expect(page.locator('html'), path).toHaveAttribute('data-ls-theme', theme);
      expect(await background(page, 'body'), path).toBe(want);
    }
    await page.unroute('**/_next/static/chunks/*.js');
  }
  expect(seen.light).not.toEqual(seen.dark);

  // and hydrating over it is quiet: no mismatch between the server's markup and the client's
  errors.length = 0;
  await storeTheme(page, 'light');
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(log.scroller).toBeVisible();
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

test('the iframe takes ?theme=light|dark|system', async ({ page }) => {
  await storeTheme(page, null);
  const cases = [
    ['light', 'dark', LIGHT_BG],
    ['dark', 'light', DARK_BG],
    ['system', 'dark', DARK_BG],
    ['system', 'light', LIGHT_BG],
    [null, 'light', DARK_BG],
  ] as const;
  for (const [theme, scheme, want] of cases) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`/embed/jobs/${jobId}${theme ? `?theme=${theme}` : ''}`);
    await expect(page.getByTestId('stream-state')).toHaveText(/complete/i);
    expect(await background(page, '.ls-viewer'), `${theme} under ${scheme}`).toBe(want);
    const { bg, out } = await colours(page);
    for (const { code, color } of out) expect(contrastRatio(color, bg), `${theme}: ESC[${code}m ${color} on ${bg}`).toBeGreaterThanOrEqual(AA_CONTRAST);
  }
});
