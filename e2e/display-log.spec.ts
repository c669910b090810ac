import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, getJob, setStep, uniqueJobId, type Producer } from '../test/support';
import { sendTextLines } from './ui-fixtures';
import { PREFERENCE_KEYS } from '../lib/viewer/preferences';
import { SHORTCUTS } from '../lib/viewer/shortcuts';
import { formatClock } from '../lib/viewer/timestamps';
import { LogPage } from './log-page';

/**
 * The log's display (README "Display"): wrapping (`w`), the timestamp gutter (Shift+T) with its
 * gap markers, and the shortcuts overlay (`?`), each remembered per browser where it is a
 * preference. The browser runs in a fixed zone (Kolkata, UTC+5:30, no summer time) so local
 * times are known.
 */

test.use({ timezoneId: 'Asia/Kolkata' });
const KOLKATA_MINUTES = 330;
const LONG = `long ${'abcdefghij '.repeat(80)}end`;
const FILLER = 40;
let jobId = '';
/** the step's start (ms), as the server stamped it */
let start = 0;
/** each line's ts */
const stamps = new Map<number, number>();

async function sendStamped(p: Producer, lines: { n: number; ts: number; text: string }[]) {
  const response = await fetch(`${p.baseURL}/api/v1/jobs/${p.jobId}/steps/main/lines`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${p.token}` },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  expect(response.status).toBe(200);
}

test.beforeAll(async ({ baseURL }) => {
  jobId = uniqueJobId('display-log');
  const p = await createJob(baseURL!, jobId, { title: 'Display', steps: [{ id: 'main', name: 'Main' }] });
  await setStep(p, 'main', { status: 'running' });
  start = (await getJob(baseURL!, jobId)).steps[0]!.startedAt!;
  const lines = [
    { n: 1, ts: start + 1000, text: 'first' },
    { n: 2, ts: start + 2500, text: LONG },
    { n: 3, ts: start + 44_500, text: 'after a pause' },
    { n: 4, ts: start + 45_000, text: 'right after' },
    ...Array.from({ length: FILLER }, (_, i) => ({ n: 5 + i, ts: start + 45_000 + (i + 1) * 100, text: `filler ${5 + i}` })),
  ];
  for (const l of lines) stamps.set(l.n, l.ts);
  await sendStamped(p, lines);
  await setStep(p, 'main', { status: 'failure' });
  await completeJob(p, 'failure');
});

async function open(page: Page, prefs: Record<string, string> = {}) {
  await page.goto('/api/health');
  await page.evaluate(
    ([keys, values]) => {
      for (const key of Object.values(keys)) localStorage.removeItem(key);
      for (const [k, v] of Object.entries(values)) localStorage.setItem(k, v);
    },
    [PREFERENCE_KEYS, prefs] as const,
  );
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(log.scroller).toBeVisible();
  return log;
}

/** the row's height, or 0 while the list has it unmounted (it re-renders rows when their heights change) */
const height = async (page: Page, n: number) => (await new LogPage(page).line('main', n).boundingBox())?.height ?? 0;
const stored = (page: Page, key: string) => page.evaluate((k) => localStorage.getItem(k), key);

test('wrap: `w` turns long lines into one sideways-scrolling row and back; rows stay measured; remembered', async ({ page }) => {
  const log = await open(page);
  const overflow = () => log.scroller.evaluate((el) => el.scrollWidth - el.clientWidth);
  /** line 3 starts where line 2 ends: the virtual list measured the new height */
  const adjacent = async () => {
    const [a, b] = [await log.line('main', 2).boundingBox(), await log.line('main', 3).boundingBox()];
    return Math.abs(a!.y + a!.height - b!.y);
  };
  expect(await height(page, 2)).toBeGreaterThan(60);
  expect(await overflow()).toBeLessThanOrEqual(1);

  await page.keyboard.press('w');
  await expect.poll(() => height(page, 2)).toBe(20);
  expect(await overflow()).toBeGreaterThan(1000);
  await expect.poll(adjacent).toBeLessThanOrEqual(1);
  expect(await stored(page, PREFERENCE_KEYS.wrap)).toBe('off');
  // the end of the list is where the measured rows put it: the last row ends at the scroller's
  // visible bottom, with neither blank space under it nor a part cut off
  await log.scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  const last = log.line('main', 4 + FILLER);
  await expect(last).toBeInViewport();
  const bottomGap = () =>
    last.evaluate((row) => {
      const scroller = row.closest('[data-virtuoso-scroller]')!;
      return Math.abs(scroller.getBoundingClientRect().top + scroller.clientHeight - row.getBoundingClientRect().bottom);
    });
  await expect.poll(bottomGap).toBeLessThanOrEqual(2);

  await page.reload();
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(log.line('main', 2)).toBeVisible();
  await expect.poll(() => height(page, 2)).toBe(20);
  await page.getByRole('button', { name: 'Display' }).click();
  const wrap = page.getByRole('button', { name: 'Wrap long lines' });
  await expect(wrap).toHaveAttribute('aria-pressed', 'false');
  await wrap.click();
  await expect(wrap).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => height(page, 2)).toBeGreaterThan(60);
  await expect.poll(adjacent).toBeLessThanOrEqual(1);
  expect(await overflow()).toBeLessThanOrEqual(1);
  expect(await stored(page, PREFERENCE_KEYS.wrap)).toBe('on');
});

test('toggling wrap keeps the line at the top of the log where it was', async ({ page, baseURL }) => {
  const id = uniqueJobId('display-wrap-anchor');
  const p = await createJob(baseURL!, id, { steps: [{ id: 'main', name: 'Main' }] });
  await sendTextLines(p, 'main', 3000, (n) => (n % 3 === 0 ? `line ${n} ${'word '.repeat(120)}` : `line ${n}`));
  await setStep(p, 'main', { status: 'failure' });
  await completeJob(p, 'failure');
  await open(page);
  const log = new LogPage(page);
  await log.gotoJob(id, '#main:1500');
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(log.line('main', 1500)).toBeInViewport();
  /** the line of the first row whose bottom is below the scroller's top edge */
  const top = () =>
    log.scroller.evaluate((el) => {
      const edge = el.getBoundingClientRect().top;
      const first = [...el.querySelectorAll('[data-index]')].find((item) => item.getBoundingClientRect().bottom > edge + 1);
      return first?.querySelector('[data-line]')?.getAttribute('data-line') ?? null;
    });
  await log.scrollUp(300);
  await expect.poll(top).not.toBeNull();
  const before = await top();
  await page.keyboard.press('w');
  await expect.poll(() => height(page, 1500 - (1500 % 3))).toBe(20);
  await expect.poll(top).toBe(before);
  await page.keyboard.press('w');
  await expect.poll(() => height(page, 1500 - (1500 % 3))).toBeGreaterThan(40);
  await expect.poll(top).toBe(before);
});

test('timestamps: Shift+T cycles off, local, UTC, since step start; gaps over 10 s are marked; remembered', async ({ page }) => {
  const log = await open(page);
  const ts = (n: number) => log.line('main', n).locator('.ls-ts');
  await expect(page.locator('.ls-ts')).toHaveCount(0);

  await page.keyboard.press('Shift+T');
  await expect(ts(1)).toHaveAttribute('data-ts', formatClock(stamps.get(1)!, KOLKATA_MINUTES));
  await expect(ts(3)).toHaveAttribute('data-ts', formatClock(stamps.get(3)!, KOLKATA_MINUTES));
  // the 42 s pause before line 3 is marked; the others are not
  await expect(log.line('main', 3)).toHaveAttribute('data-gap', '+42s');
  await expect(log.line('main', 3).locator('.ls-gap')).toHaveAttribute('title', '42s after the previous line');
  for (const n of [1, 2, 4, 5]) await expect(log.line('main', n)).not.toHaveAttribute('data-gap');
  // the gutter is not text: a copied line is still only its text
  await expect(log.line('main', 3)).toHaveText('after a pause');
  expect(await stored(page, PREFERENCE_KEYS.timestamps)).toBe('local');

  await page.keyboard.press('Shift+T');
  await expect(ts(1)).toHaveAttribute('data-ts', `${formatClock(stamps.get(1)!, 0)}Z`);
  await page.keyboard.press('Shift+T');
  await expect(ts(1)).toHaveAttribute('data-ts', '+0:01.000');
  await expect(ts(3)).toHaveAttribute('data-ts', '+0:44.500');
  await expect(log.line('main', 3)).toHaveAttribute('data-gap', '+42s');

  await page.reload();
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(ts(4)).toHaveAttribute('data-ts', '+0:45.000');

  // Shift+T typed into a field is text, not a shortcut
  await log.searchBox.click();
  await page.keyboard.press('Shift+T');
  await expect(log.searchBox).toHaveValue('T');
  await expect(ts(4)).toHaveAttribute('data-ts', '+0:45.000');
  await log.searchBox.fill('');
  await log.log.click({ position: { x: 300, y: 200 } });

  await page.keyboard.press('Shift+T');
  await expect(page.locator('.ls-ts')).toHaveCount(0);
  await expect(page.locator('[data-gap]')).toHaveCount(0);

  // the display menu sets the same preference
  await page.getByRole('button', { name: 'Display' }).click();
  await page.getByRole('group', { name: 'Timestamps' }).getByRole('button', { name: 'UTC' }).click();
  await expect(ts(2)).toHaveAttribute('data-ts', `${formatClock(stamps.get(2)!, 0)}Z`);
  expect(await stored(page, PREFERENCE_KEYS.timestamps)).toBe('utc');
});

test('with timestamps on, the server-rendered first screen leaves room for the gutter: the text does not move', async ({ page }) => {
  const left = (n: number) => new LogPage(page).line('main', n).locator('.ls-content').evaluate((el) => el.getBoundingClientRect().left);
  await open(page, { [PREFERENCE_KEYS.timestamps]: 'utc' });
  const listed = await left(1);
  await page.route('**/_next/static/chunks/*.js', (route) => route.abort());
  await page.goto(`/jobs/${jobId}`);
  await expect(page.locator('[data-first-screen] [data-step="main"][data-line="1"]')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-ls-timestamps', 'utc');
  expect(Math.abs((await left(1)) - listed)).toBeLessThanOrEqual(1);
  await page.unroute('**/_next/static/chunks/*.js');
});

test('the shortcuts overlay lists the table, keeps focus inside, closes on Escape and gives focus back', async ({ page }) => {
  const log = await open(page);
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await log.scroller.focus();
  await page.keyboard.press('?');
  await expect(dialog).toBeVisible();
  for (const s of SHORTCUTS) {
    const row = dialog.locator(`[data-shortcut="${s.id}"]`);
    await expect(row).toContainText(s.label);
    await expect(row).toContainText(s.description);
  }
  for (const group of new Set(SHORTCUTS.map((s) => s.group))) await expect(dialog.getByRole('heading', { name: group })).toBeVisible();
  const close = dialog.getByRole('button', { name: 'Close' });
  await expect(close).toBeFocused();
  const inside = () => page.evaluate(() => document.activeElement?.closest('dialog') !== null);
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
    expect(await inside()).toBe(true);
  }
  // the rest of the viewer's keys sleep while it is open
  await page.keyboard.press('w');
  expect(await stored(page, PREFERENCE_KEYS.wrap)).toBeNull();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(log.scroller).toBeFocused();

  // `?` toggles; from the display menu, focus goes back to its button
  await page.keyboard.press('?');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('?');
  await expect(dialog).toBeHidden();
  const display = page.getByRole('button', { name: 'Display' });
  await display.click();
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(dialog).toBeVisible();
  await close.click();
  await expect(dialog).toBeHidden();
  await expect(display).toBeFocused();
});
