import { expect, type Locator, type Page } from '@playwright/test';

/** The one page object of the viewer specs: the DOM hooks of docs/api.md, nothing else. */
export class LogPage {
  constructor(readonly page: Page) {}

  async gotoJob(job: string, hash = '') {
    await this.page.goto(`/jobs/${job}${hash}`);
    await expect(this.log).toBeVisible();
  }

  async gotoStep(job: string, step: string, hash = '') {
    await this.page.goto(`/jobs/${job}/steps/${step}${hash}`);
    await expect(this.log).toBeVisible();
  }

  get log(): Locator {
    return this.page.getByRole('log');
  }

  get streamState(): Locator {
    return this.page.getByTestId('stream-state');
  }

  /** The scrolling element of the virtual list. */
  get scroller(): Locator {
    return this.log.locator('[data-virtuoso-scroller]');
  }

  line(step: string, n: number): Locator {
    return this.page.locator(`[data-step="${step}"][data-line="${n}"]`);
  }

  lines(step: string): Locator {
    return this.page.locator(`[data-step="${step}"][data-line]`);
  }

  highlighted(): Locator {
    return this.page.locator('[data-line][data-highlighted]');
  }

  section(key: string): Locator {
    return this.page.locator(`[data-section="${key}"]`);
  }

  /** The header button of a step (`key` = step id) or group (`step/group`). */
  header(key: string): Locator {
    return this.section(key).locator('button[aria-expanded]');
  }

  stepToggle(name: string): Locator {
    return this.page.getByRole('checkbox', { name: `Show ${name}` });
  }

  button(name: string | RegExp): Locator {
    return this.page.getByRole('button', { name });
  }

  get jumpToLive(): Locator {
    return this.page.getByTestId('jump-to-live');
  }

  async scrollUp(px = 600) {
    await this.log.hover();
    await this.page.mouse.wheel(0, -px);
  }

  /** Whether the list is scrolled to (within a row of) its end. */
  async atBottom(): Promise<boolean> {
    return this.scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 30);
  }

  /** The in-log search field (docs/api.md: role `searchbox`). */
  get searchBox(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search log' });
  }

  /** The search's "k of N" counter or its error. */
  get searchStatus(): Locator {
    return this.page.getByTestId('search-status');
  }

  /** An error shown in the toolbar (e.g. the server refused a search regex). */
  get toolbarAlert(): Locator {
    return this.page.getByRole('toolbar', { name: 'Log controls' }).getByRole('alert');
  }

  async search(text: string) {
    await this.searchBox.fill(text);
    await this.searchBox.press('Enter');
  }
}
