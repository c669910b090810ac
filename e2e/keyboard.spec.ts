import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * Keyboard navigation in the virtual log (README "Accessibility"): line and section moves,
 * headers toggled by keyboard, Home/End, the focus surviving its row being unmounted, focus
 * moved by a deep link and by "go to line", and a visible focus ring.
 */

const BIG = 10_000;
/** The group in the big step: its marker line and its end. */
const GROUP_AT = 5_000;
const GROUP_END = 5_010;
let jobId = '';

test.beforeAll(async ({ baseURL }) => {
  jobId = uniqueJobId('keys');
  const p = await createJob(baseURL!, jobId, {
    title: 'Keyboard',
    steps: [
      { id: 'setup', name: 'Setup' },
      { id: 'big', name: 'Big' },
      { id: 'tail', name: 'Tail' },
    ],
  });
  await sendLines(p, 'setup', 1, ['setup 1', 'setup 2', 'setup 3']);
  await setStep(p, 'setup', { status: 'success' });
  await sendTextLines(p, 'big', BIG, (n) => (n === GROUP_AT ? '::group::Middle group' : n === GROUP_END ? '::endgroup::' : `big line ${n}`));
  await setStep(p, 'big', { status: 'failure' });
  await sendLines(p, 'tail', 1, ['tail 1', 'tail 2', 'tail 3']);
  await setStep(p, 'tail', { status: 'failure' });
  await completeJob(p, 'failure');
});

/**
 * What has the keyboard focus: `step:n` for a line, `S:step` for a step header, `G:key` for a
 * group header, `scroller` for the list itself, else the element's tag.
 */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return 'none';
    if (el.hasAttribute('data-virtuoso-scroller')) return 'scroller';
    const item = el.closest('.ls-item');
    const line = item?.querySelector('[data-line]');
    if (line) return `${line.getAttribute('data-step')}:${line.getAttribute('data-line')}`;
    const header = item?.querySelector('[data-section]');
    if (header) return `${header.classList.contains('ls-step-header') ? 'S' : 'G'}:${header.getAttribute('data-section')}`;
    return el.tagName.toLowerCase();
  });
}

async function open(page: Page, hash = '') {
  const log = new LogPage(page);
  await log.gotoJob(jobId, hash);
  // keys go to the hydrated viewer, not the server-rendered first screen
  await expect(log.streamState).toHaveText(/complete/i);
  await expect(log.scroller).toBeVisible();
  return log;
}

test('lines and sections by keyboard across a 10k-line step; Home and End', async ({ page }) => {
  const log = await open(page);
  await log.scroller.focus();
  // Nothing focused yet: the first key focuses the first row on screen.
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => focused(page)).toBe('S:setup');
  await page.keyboard.press('j');
  await expect.poll(() => focused(page)).toBe('S:big');
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => focused(page)).toBe('big:1');
  await page.keyboard.press('j');
  await expect.poll(() => focused(page)).toBe('big:2');
  await page.keyboard.press('k');
  await expect.poll(() => focused(page)).toBe('big:1');
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => focused(page)).toBe('S:big');

  // Sections: the group header 5,000 lines down, then the next step, and back.
  await page.keyboard.press(']');
  await expect.poll(() => focused(page)).toMatch(/^G:big\//);
  const group = page.locator(`[data-group-step="big"][data-group-line="${GROUP_AT}"]`);
  await expect(group).toBeInViewport();
  await page.keyboard.press('Shift+J');
  await expect.poll(() => focused(page)).toBe('S:tail');
  await expect(log.section('tail')).toBeInViewport();
  await page.keyboard.press('[');
  await expect.poll(() => focused(page)).toMatch(/^G:big\//);
  await page.keyboard.press('Shift+K');
  await expect.poll(() => focused(page)).toBe('S:big');
  await expect(log.section('big')).toBeInViewport();

  // The line after the group's last line, moving down from inside it.
  await page.keyboard.press(']');
  for (let i = 0; i < GROUP_END - GROUP_AT + 1; i++) await page.keyboard.press('j');
  await expect.poll(() => focused(page)).toBe(`big:${GROUP_END + 1}`);
  await expect(log.line('big', GROUP_END + 1)).toBeInViewport();

  await page.keyboard.press('End');
  await expect.poll(() => focused(page)).toBe('tail:3');
  await expect(log.line('tail', 3)).toBeInViewport();
  await page.keyboard.press('Home');
  await expect.poll(() => focused(page)).toBe('S:setup');
  await expect(log.section('setup')).toBeInViewport();
});

test('the focused row keeps the focus when it is scrolled away and back, and the next key moves on from it', async ({ page }) => {
  const log = await open(page);
  await log.scroller.focus();
  for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'j', 'j']) await page.keyboard.press(key);
  await expect.poll(() => focused(page)).toBe('big:3');

  // Far away: the row is unmounted, the focus waits on the list (keys still reach it).
  await log.scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
  await expect(log.line('big', 3)).toHaveCount(0);
  await expect.poll(() => focused(page)).toBe('scroller');
  // Back: the row is rendered again and takes the focus back.
  await log.scroller.evaluate((el) => el.scrollTo(0, 0));
  await expect(log.line('big', 3)).toBeVisible();
  await expect.poll(() => focused(page)).toBe('big:3');

  // Away again, then a key: it moves on from the focused row, not from where the list is.
  await log.scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
  await expect.poll(() => focused(page)).toBe('scroller');
  await page.keyboard.press('j');
  await expect.poll(() => focused(page)).toBe('big:4');
  await expect(log.line('big', 4)).toBeInViewport();
});

test('Enter and Space on a header toggle it; the focus stays on the header', async ({ page }) => {
  const log = await open(page);
  await log.scroller.focus();
  await page.keyboard.press('Home');
  await expect.poll(() => focused(page)).toBe('S:setup');
  await expect(log.header('setup')).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(log.header('setup')).toHaveAttribute('aria-expanded', 'true');
  await expect(log.line('setup', 3)).toBeVisible();
  await page.keyboard.press('j');
  await expect.poll(() => focused(page)).toBe('setup:1');
  await page.keyboard.press('k');
  await page.keyboard.press(' ');
  await expect(log.header('setup')).toHaveAttribute('aria-expanded', 'false');
  await expect(log.line('setup', 1)).toHaveCount(0);
  await expect.poll(() => focused(page)).toBe('S:setup');

  // A group header, reached by section moves.
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await expect.poll(() => focused(page)).toMatch(/^G:big\//);
  const groupButton = page.locator(`[data-group-line="${GROUP_AT}"] button[aria-expanded]`);
  await expect(groupButton).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Enter');
  await expect(groupButton).toHaveAttribute('aria-expanded', 'false');
  await expect(log.line('big', GROUP_AT + 1)).toHaveCount(0);
  await page.keyboard.press('j');
  await expect.poll(() => focused(page)).toBe(`big:${GROUP_END + 1}`);
});

test('Enter on a focused line selects it and puts it in the address bar', async ({ page }) => {
  const log = await open(page);
  await log.scroller.focus();
  for (const key of ['ArrowDown', 'j', 'j', 'j']) await page.keyboard.press(key);
  await expect.poll(() => focused(page)).toBe('big:2');
  await page.keyboard.press('Enter');
  await expect(log.line('big', 2)).toHaveAttribute('data-highlighted', '');
  await expect(page).toHaveURL(/#big:2$/);
});

test('a deep link focuses its line', async ({ page }) => {
  const log = await open(page, '#big:7000');
  await expect(log.line('big', 7000)).toBeInViewport();
  await expect.poll(() => focused(page)).toBe('big:7000');
  // and the keys go on from there
  await page.keyboard.press('j');
  await expect.poll(() => focused(page)).toBe('big:7001');
});

test('"go to line" moves the focus to the line', async ({ page }) => {
  const log = await open(page);
  const input = page.getByRole('textbox', { name: 'Go to line' });
  await input.fill('big:8000');
  await input.press('Enter');
  await expect(log.line('big', 8000)).toBeInViewport();
  await expect.poll(() => focused(page)).toBe('big:8000');
  await page.keyboard.press('k');
  await expect.poll(() => focused(page)).toBe('big:7999');
});

test('the focused row and header show a visible focus ring', async ({ page }) => {
  const log = await open(page);
  await log.scroller.focus();
  const ring = () =>
    page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor };
    });
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => focused(page)).toBe('S:setup');
  const header = await ring();
  expect(header.style).toBe('solid');
  expect(header.width).toBe('2px');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect.poll(() => focused(page)).toBe('big:1');
  const line = await ring();
  expect(line).toEqual(header);
  // the accent colour, not the text colour
  expect(line.color).not.toBe(await log.line('big', 1).evaluate((el) => getComputedStyle(el).color));
});
