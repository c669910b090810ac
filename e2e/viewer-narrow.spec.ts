import { expect, test, type Locator, type Page } from '@playwright/test';
import { createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * The viewer at any width (README "The viewer"): from 360 px up, on the job page and the embed,
 * nothing overflows sideways, the toolbar is one row, and every toolbar action is reachable,
 * inline or behind "More actions" (a disclosure button with a keyboard-operable panel), and works.
 */

const WIDTHS = [360, 600, 900, 1280];
/** Below this viewer width the less-used actions are behind "More actions" (log-viewer.css). */
const MENU_BELOW = 1000;
/** Below this one the steps panel stacks over the log. */
const STACK_BELOW = 720;
const NEEDLES = [50, 100, 150, 200, 250, 300];

let jobId = '';

test.beforeAll(async ({ baseURL }) => {
  jobId = uniqueJobId('narrow');
  const p = await createJob(baseURL!, jobId, {
    title: 'Deploy the web frontend to production (canary, eu-west-1, second attempt)',
    // a pipeline of its own: each worker (and each retry) seeds its own job, and jobs sharing a
    // pipeline would show the run strip, which arrives after load (README "Not yet")
    labels: { branch: 'main', commit: '8c1f2e9a', pipeline: `deploy-frontend-${jobId}` },
    steps: [
      { id: 'prep', name: 'Prepare environment' },
      { id: 'build', name: 'Build and test everything' },
    ],
  });
  await sendLines(p, 'prep', 1, ['prep 1', 'prep 2']);
  await setStep(p, 'prep', { status: 'success' });
  // running, so "Jump to live" and the live state show; long lines wrap at every width
  await sendTextLines(p, 'build', 300, (n) => (NEEDLES.includes(n) ? `needle ${n}` : `build line ${n}: ${'compiling module '.repeat(4)}`));
});

const ROUTES = [
  { name: 'job page', path: () => `/jobs/${jobId}`, full: true },
  { name: 'embed', path: () => `/embed/jobs/${jobId}`, full: false },
];

function toolbar(page: Page): Locator {
  return page.getByRole('toolbar', { name: 'Log controls' });
}

function moreActions(page: Page): Locator {
  return page.getByRole('button', { name: 'More actions' });
}

/** A toolbar control, shown: inline, or by opening "More actions". */
async function reveal(page: Page, control: Locator): Promise<Locator> {
  if (!(await control.isVisible())) {
    await moreActions(page).click();
    await expect(moreActions(page)).toHaveAttribute('aria-expanded', 'true');
  }
  await expect(control).toBeVisible();
  return control;
}

/**
 * No sideways overflow: the document does not scroll sideways, and every control of the
 * toolbar, the job header and the steps panel lies inside the window (the viewer contains its
 * layout, so a control pushed out of it would not widen the document); the toolbar is one row.
 */
async function expectFits(page: Page) {
  const report = await page.evaluate(() => {
    const out: string[] = [];
    const scroller = document.scrollingElement!;
    if (scroller.scrollWidth > window.innerWidth) out.push(`document ${scroller.scrollWidth} > ${window.innerWidth}`);
    const bar = document.querySelector('[role="toolbar"]')!;
    if (bar.scrollWidth > bar.clientWidth) out.push(`toolbar scrolls: ${bar.scrollWidth} > ${bar.clientWidth}`);
    const barBox = bar.getBoundingClientRect();
    const parts = [bar, document.querySelector('header'), document.querySelector('nav[aria-label="Steps"]')];
    let buttonHeight = 0;
    for (const part of parts) {
      if (!part) continue;
      for (const el of part.querySelectorAll<HTMLElement>('button, input, a, h1, li, [role="status"]')) {
        const r = el.getBoundingClientRect();
        // visually hidden text (1 px, clipped) and closed panels take no room
        if (!el.checkVisibility() || r.width <= 1) continue;
        const name = `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').slice(0, 30)}"`;
        if (r.left < -0.5 || r.right > window.innerWidth + 0.5) out.push(`${name} at ${Math.round(r.left)}–${Math.round(r.right)}`);
        if (part === bar && el.closest('[role="group"]') === null) {
          if (r.top < barBox.top - 0.5 || r.bottom > barBox.bottom + 0.5) out.push(`${name} outside the toolbar's row`);
          if (el.tagName === 'BUTTON') {
            buttonHeight = Math.max(buttonHeight, r.height);
            // a label wrapped over two lines overflows its one-line button
            if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) out.push(`${name}: its label does not fit`);
          }
        }
      }
    }
    if (buttonHeight === 0 || barBox.height >= 2 * buttonHeight) out.push(`toolbar ${barBox.height}px high, buttons ${buttonHeight}px`);
    return out;
  });
  expect(report).toEqual([]);
}

for (const route of ROUTES) {
  for (const width of WIDTHS) {
    test(`${route.name} at ${width}px: one toolbar row, no overflow, every action reachable and working`, async ({ page, context, baseURL }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await page.setViewportSize({ width, height: width < 600 ? 640 : 720 });
      const log = new LogPage(page);
      await page.goto(`${route.path()}#build:120-135`);
      await expect(log.line('build', 120)).toBeInViewport();
      await expect(log.jumpToLive).toBeVisible();
      await expectFits(page);

      // the less-used actions collapse below MENU_BELOW, and only there
      const expand = log.button('Expand all');
      if (width < MENU_BELOW) {
        await expect(moreActions(page)).toBeVisible();
        await expect(moreActions(page)).toHaveAttribute('aria-expanded', 'false');
        await expect(expand).toBeHidden();
      } else {
        await expect(moreActions(page)).toBeHidden();
        await expect(expand).toBeVisible();
      }

      // the steps panel sits beside the log, or over it on a narrow viewer
      if (route.full) {
        const steps = await page.getByRole('navigation', { name: 'Steps' }).boundingBox();
        const list = await log.log.boundingBox();
        if (width < STACK_BELOW) expect(steps!.y + steps!.height).toBeLessThanOrEqual(list!.y + 0.5);
        else expect(steps!.x + steps!.width).toBeLessThanOrEqual(list!.x + 0.5);
      }

      // search is always in the toolbar itself
      await expect(log.searchBox).toBeVisible();
      await log.search('needle');
      await expect(log.searchStatus).toHaveText('1 of 6');
      await expect(log.line('build', 50)).toHaveAttribute('data-highlighted', '');
      await log.button('Next match').click();
      await expect(log.searchStatus).toHaveText('2 of 6');
      await expect(log.line('build', 100)).toBeInViewport();
      await expectFits(page);

      // collapse all / expand all (from the panel, which then closes)
      await (await reveal(page, log.button('Collapse all'))).click();
      await expect(page.locator('[data-line]')).toHaveCount(0);
      for (const key of ['prep', 'build']) await expect(log.header(key)).toHaveAttribute('aria-expanded', 'false');
      if (width < MENU_BELOW) await expect(moreActions(page)).toHaveAttribute('aria-expanded', 'false');
      await (await reveal(page, expand)).click();
      await log.scroller.evaluate((el) => el.scrollTo(0, 0));
      for (const key of ['prep', 'build']) await expect(log.header(key)).toHaveAttribute('aria-expanded', 'true');
      await expect(log.line('prep', 2)).toBeVisible();
      await expect(log.line('build', 1)).toBeVisible();

      // go to line
      const goTo = await reveal(page, page.getByRole('textbox', { name: 'Go to line' }));
      await expectFits(page);
      await goTo.fill('build:250');
      await goTo.press('Enter');
      await expect(log.line('build', 250)).toBeInViewport();
      await expect(log.line('build', 250)).toHaveAttribute('data-highlighted', '');

      // copy link: the page's canonical URL (the job page, also from the embed)
      await (await reveal(page, log.button(/^Copy link/))).click();
      await expect(log.button('Copied')).toBeVisible();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/jobs/${jobId}#build:250`);
      await expectFits(page);

      // jump to live stays in the toolbar itself
      await log.jumpToLive.click();
      await expect(log.jumpToLive).toBeHidden();
      await expect.poll(() => log.atBottom()).toBe(true);
      await expectFits(page);
    });
  }
}

for (const width of [360, 900]) {
  test(`step page at ${width}px: one toolbar row, no overflow, go to line and copy link from the panel`, async ({ page, context, baseURL }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.setViewportSize({ width, height: 640 });
    const log = new LogPage(page);
    await log.gotoStep(jobId, 'build', '#L120-L135');
    await expect(log.line('build', 120)).toBeInViewport();
    await expect(page.getByTestId('job-title')).toContainText('Build and test everything');
    await expectFits(page);
    await expect(log.searchBox).toBeVisible();
    const goTo = await reveal(page, page.getByRole('textbox', { name: 'Go to line' }));
    await goTo.fill('250');
    await goTo.press('Enter');
    await expect(log.line('build', 250)).toHaveAttribute('data-highlighted', '');
    await (await reveal(page, log.button(/^Copy link/))).click();
    await expect(log.button('Copied')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/jobs/${jobId}/steps/build#L250`);
    await expectFits(page);
  });
}

test('the layout follows the width of the viewer, not of the window', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const log = new LogPage(page);
  await page.goto(`/embed/jobs/${jobId}`);
  await expect(log.scroller).toBeVisible();
  await expect(moreActions(page)).toBeHidden();
  // the embed page's box around the viewer (whose root carries data-theme) narrowed to 480 px
  await page.evaluate(() => {
    (document.querySelector('[data-theme]')!.parentElement as HTMLElement).style.width = '480px';
  });
  await expect(moreActions(page)).toBeVisible();
  await expect(log.button('Expand all')).toBeHidden();
  const fit = await toolbar(page).evaluate((bar) => ({ right: bar.getBoundingClientRect().right, scroll: bar.scrollWidth, client: bar.clientWidth }));
  expect(fit.right).toBeLessThanOrEqual(480);
  expect(fit.scroll).toBeLessThanOrEqual(fit.client);
  await (await reveal(page, log.button('Collapse all'))).click();
  await expect(page.locator('[data-line]')).toHaveCount(0);
});

/** The accessible name (or text) of the control with focus. */
async function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '';
  });
}

for (const route of ROUTES) {
  test(`${route.name} at 600px: the "More actions" panel works from the keyboard`, async ({ page }) => {
    await page.setViewportSize({ width: 600, height: 720 });
    const log = new LogPage(page);
    await page.goto(route.path());
    await expect(log.scroller).toBeVisible();
    const more = moreActions(page);
    const expand = log.button('Expand all');

    // Enter opens it on its first control; arrows, Home and End move (and wrap)
    await more.focus();
    await page.keyboard.press('Enter');
    await expect(more).toHaveAttribute('aria-expanded', 'true');
    await expect(expand).toBeFocused();
    const order = ['Expand all', 'Collapse all', 'Go to line', 'Go', 'Copy link', 'Copy and download'];
    for (const name of [...order.slice(1), order[0]!]) {
      await page.keyboard.press('ArrowDown');
      expect(await focusedName(page)).toBe(name);
    }
    await page.keyboard.press('ArrowUp');
    expect(await focusedName(page)).toBe('Copy and download');
    await page.keyboard.press('Home');
    expect(await focusedName(page)).toBe('Expand all');
    await page.keyboard.press('End');
    expect(await focusedName(page)).toBe('Copy and download');

    // Escape closes it and gives focus back to the button
    await page.keyboard.press('Escape');
    await expect(more).toHaveAttribute('aria-expanded', 'false');
    await expect(more).toBeFocused();
    await expect(expand).toBeHidden();

    // Space opens it; Enter on an action runs it, closes the panel, focus back on the button
    await page.keyboard.press(' ');
    await expect(expand).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.locator('[data-line]')).toHaveCount(0);
    await expect(log.header('build')).toHaveAttribute('aria-expanded', 'false');
    await expect(more).toHaveAttribute('aria-expanded', 'false');
    await expect(more).toBeFocused();

    // ↑ on the button opens it on its last control; go to line by keyboard
    await page.keyboard.press('ArrowUp');
    await expect(more).toHaveAttribute('aria-expanded', 'true');
    expect(await focusedName(page)).toBe('Copy and download');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await focusedName(page)).toBe('Go to line');
    await page.keyboard.type('build:200');
    await page.keyboard.press('Enter');
    await expect(log.line('build', 200)).toHaveAttribute('data-highlighted', '');
    await expect(more).toHaveAttribute('aria-expanded', 'false');

    // Tab out of it closes it
    await more.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await page.keyboard.press('Tab');
    await expect(more).toHaveAttribute('aria-expanded', 'false');
    await expect(log.searchBox).toBeFocused();

    // a click outside closes it
    await more.click();
    await expect(more).toHaveAttribute('aria-expanded', 'true');
    await log.log.click({ position: { x: 300, y: 300 } });
    await expect(more).toHaveAttribute('aria-expanded', 'false');
    await expect(expand).toBeHidden();
  });
}

for (const width of [360, 900]) {
  test(`at ${width}px the server's first screen is laid out as the viewer: nothing moves when it hydrates`, async ({ page }) => {
    await page.setViewportSize({ width, height: 640 });
    const log = new LogPage(page);
    const boxes = async () => ({
      toolbar: await toolbar(page).boundingBox(),
      log: await log.log.boundingBox(),
      more: await moreActions(page).isVisible(),
    });
    // the page's HTML and CSS alone (no bundle): the first screen under the collapsed toolbar
    await page.route('**/_next/static/chunks/*.js', (route) => route.abort());
    await page.goto(`/jobs/${jobId}#build`);
    await expect(log.line('build', 1)).toBeInViewport();
    const before = await boxes();
    expect(before.more).toBe(true);
    await expectFits(page);

    // the same page with its bundle: hydrated, the list in place of the server's screen
    await page.unroute('**/_next/static/chunks/*.js');
    await page.reload();
    await expect(log.scroller).toBeVisible();
    await expect(page.locator('[data-first-screen]')).toHaveCount(0);
    await expect(log.line('build', 1)).toBeInViewport();
    expect(await boxes()).toEqual(before);
  });
}
