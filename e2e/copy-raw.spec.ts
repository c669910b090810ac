import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signLink } from '../lib/access/links';
import { COPY_PAGE_LINES } from '../lib/viewer/copy';
import { completeJob, createJob, freePort, getJob, sendLines, setStep, startLogscope, uniqueJobId, type LogscopeServer, type Producer } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * Issue 11 "Copy and raw" (README "Copy, raw view and downloads"): copy a step, a group or the
 * selected lines — lines never rendered included, read from the server — as text or with
 * colours, with progress and Cancel, refused past the byte cap; the raw view in a tab; the
 * step and job downloads. Servers this spec starts: ports 4340-4349 (brief).
 */

/** The clipboard as the page reads it. */
const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

test.beforeEach(async ({ context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL! });
});

/** A finished job with one step of `count` lines `\e[32mok\e[0m line N`. */
async function coloured(baseURL: string, count: number, step = 'build', name = 'Build'): Promise<Producer> {
  const p = await createJob(baseURL, uniqueJobId('copy'), { title: 'Copy', steps: [{ id: step, name }] });
  await sendTextLines(p, step, count, (n) => `\u001b[32mok\u001b[0m line ${n}`);
  await setStep(p, step, { status: 'success' });
  await completeJob(p, 'success');
  return p;
}

async function open(page: Page, jobId: string, hash = ''): Promise<LogPage> {
  const log = new LogPage(page);
  await log.gotoJob(jobId, hash);
  await expect(log.streamState).toHaveAttribute('data-stream-state', 'complete');
  return log;
}

const status = (page: Page) => page.getByTestId('copy-status');
const stepMenu = (page: Page, name: string) => page.getByRole('button', { name: `Step actions: ${name}` });
const item = (page: Page, name: string | RegExp) => page.getByRole('menuitem', typeof name === 'string' ? { name, exact: true } : { name });
const plain = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `ok line ${from + i}\n`).join('');

test('copies a whole step, lines never rendered included, as text and with colours', async ({ page, baseURL, request }) => {
  const p = await coloured(baseURL!, 12_000);
  await open(page, p.jobId);
  // a passed job opens its last step (README "Finding the failure"): collapse it, so that not
  // one of its lines is rendered
  await new LogPage(page).header('build').click();
  await expect(new LogPage(page).header('build')).toHaveAttribute('aria-expanded', 'false');
  await expect(new LogPage(page).lines('build')).toHaveCount(0);

  await stepMenu(page, 'Build').click();
  await item(page, 'Copy step').click();
  await expect(status(page)).toHaveAttribute('data-copy-state', 'copied');
  await expect(status(page)).toContainText('Copied step Build: 12,000 lines');
  const text = await clipboard(page);
  expect(text).toBe(plain(1, 12_000)); // no line numbers, no escape codes
  expect(text).toBe(await (await request.get(`/api/v1/jobs/${p.jobId}/log?step=build&format=text`)).text());

  await stepMenu(page, 'Build').click();
  await item(page, 'Copy step with colours').click();
  await expect(status(page)).toContainText('Copied step Build with colours: 12,000 lines');
  const ansi = await clipboard(page);
  expect(ansi.split('\n')[0]).toMatch(/^\u001b\[32mok\u001b\[0?m line 1$/);
  expect(ansi).toBe(await (await request.get(`/api/v1/jobs/${p.jobId}/log?step=build`)).text());
});

test('copies the selected lines: a deep-link range, then a shift-click range', async ({ page, baseURL }) => {
  const p = await coloured(baseURL!, 300);
  const log = await open(page, p.jobId, '#build:5-9');
  const menu = page.getByRole('button', { name: 'Copy and download' });
  await menu.click();
  await item(page, 'Copy lines 5–9').click();
  await expect(status(page)).toContainText('Copied lines 5–9: 5 lines');
  expect(await clipboard(page)).toBe(plain(5, 9));

  await log.line('build', 12).locator('.ls-gutter').click();
  await log.line('build', 20).locator('.ls-gutter').click({ modifiers: ['Shift'] });
  await menu.click();
  await item(page, 'Copy lines 12–20 with colours').click();
  await expect(status(page)).toContainText('Copied lines 12–20 with colours: 9 lines');
  const copied = await clipboard(page);
  expect(copied.split('\n')).toHaveLength(10);
  expect(copied).toContain('\u001b[32m');
  expect(copied.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain(12, 20));
});

test('without a selection the toolbar says how to make one', async ({ page, baseURL }) => {
  const p = await coloured(baseURL!, 10);
  await open(page, p.jobId);
  await page.getByRole('button', { name: 'Copy and download' }).click();
  await expect(item(page, /select them first/)).toHaveAttribute('aria-disabled', 'true');
});

test('copies a group from its header: its marker line to its last line', async ({ page, baseURL, request }) => {
  const p = await createJob(baseURL!, uniqueJobId('copy-group'), { title: 'Groups', steps: [{ id: 'ci', name: 'CI' }] });
  await sendLines(p, 'ci', 1, ['before', '::group::Unit tests', 'test 1 \u001b[32mok\u001b[0m', 'test 2 \u001b[31mfailed\u001b[0m', '::endgroup::', 'after']);
  await setStep(p, 'ci', { status: 'failure' });
  await completeJob(p, 'failure');
  const group = (await getJob(baseURL!, p.jobId)).steps[0]!.groups[0]!;
  await open(page, p.jobId);

  await page.getByRole('button', { name: 'Group actions: Unit tests' }).click();
  await item(page, 'Copy group').click();
  await expect(status(page)).toContainText('Copied group Unit tests: 4 lines');
  const all = (await (await request.get(`/api/v1/jobs/${p.jobId}/log?step=ci&format=text`)).text()).split('\n');
  expect(await clipboard(page)).toBe(`${all.slice(group.start - 1, group.end!).join('\n')}\n`);
  expect(await clipboard(page)).toContain('test 2 failed\n');
  expect(await clipboard(page)).not.toContain('before');
});

test('a big copy shows its progress and can be cancelled, leaving the clipboard as it was', async ({ page, baseURL }) => {
  const p = await coloured(baseURL!, 30_000, 'big', 'Big');
  await open(page, p.jobId);
  // hold every range request of the copy (its pages are COPY_PAGE_LINES long; the viewer's own
  // pages of the open step pass) after the first until the test lets it go
  let hold = true;
  const held: (() => void)[] = [];
  let seen = 0;
  await page.route(`**/api/v1/jobs/${p.jobId}/steps/big/lines?*`, async (route) => {
    if (new URL(route.request().url()).searchParams.get('limit') !== String(COPY_PAGE_LINES)) return route.continue();
    seen++;
    if (hold && seen > 1) await new Promise<void>((release) => held.push(release));
    await route.continue().catch(() => {}); // a cancelled copy's request is gone by then
  });
  const release = () => held.splice(0).forEach((r) => r());

  await stepMenu(page, 'Big').click();
  await item(page, 'Copy step').click();
  const progress = status(page).getByRole('progressbar', { name: 'Copying step Big' });
  await expect(progress).toHaveAttribute('value', '5000');
  await expect(progress).toHaveAttribute('max', '30000');
  await expect(status(page)).toContainText('Copying step Big: 5,000 of 30,000 lines');
  hold = false;
  release();
  await expect(status(page)).toContainText('Copied step Big: 30,000 lines');
  expect(await clipboard(page)).toBe(plain(1, 30_000));

  hold = true;
  seen = 0;
  await stepMenu(page, 'Big').click();
  await item(page, 'Copy step with colours').click();
  await expect(progress).toHaveAttribute('value', '5000');
  await status(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page)).toHaveAttribute('data-copy-state', 'cancelled');
  await expect(status(page)).toContainText('nothing was copied');
  release();
  expect(await clipboard(page)).toBe(plain(1, 30_000));
});

test('when the browser refuses to write after the fetch, "Copy now" copies with a fresh click', async ({ page, baseURL }) => {
  // a browser that refuses both writes once the click is old (no promise in ClipboardItem, the gesture expired)
  await page.addInitScript(() => {
    const clip = navigator.clipboard;
    const writeText = clip.writeText.bind(clip);
    let refusals = 1;
    clip.write = () => Promise.reject(new DOMException('Document is not focused.', 'NotAllowedError'));
    clip.writeText = (text: string) => (refusals-- > 0 ? Promise.reject(new DOMException('denied', 'NotAllowedError')) : writeText(text));
  });
  const p = await coloured(baseURL!, 20);
  await open(page, p.jobId);
  await stepMenu(page, 'Build').click();
  await item(page, 'Copy step').click();
  await expect(status(page)).toHaveAttribute('data-copy-state', 'ready');
  await expect(status(page)).toContainText('the browser needs another click');
  await status(page).getByRole('button', { name: 'Copy now' }).click();
  await expect(status(page)).toContainText('Copied step Build: 20 lines');
  expect(await clipboard(page)).toBe(plain(1, 20));
});

test('a copy over the byte cap copies nothing and offers the download instead', async ({ page, baseURL }) => {
  // 17,500 lines of 1,000 bytes: past the 16 MiB cap (MAX_COPY_BYTES)
  const p = await createJob(baseURL!, uniqueJobId('copy-cap'), { title: 'Cap', steps: [{ id: 'huge', name: 'Huge' }] });
  await sendTextLines(p, 'huge', 17_500, (n) => `${String(n).padStart(6, '0')} ${'x'.repeat(992)}`, 5000);
  await setStep(p, 'huge', { status: 'success' });
  await completeJob(p, 'success');
  await open(page, p.jobId);
  await page.evaluate(() => navigator.clipboard.writeText('before'));

  await stepMenu(page, 'Huge').click();
  await item(page, 'Copy step').click();
  await expect(status(page)).toHaveAttribute('data-copy-state', 'too-large', { timeout: 60_000 });
  await expect(status(page)).toContainText('Too big to copy: step Huge is more than 16 MiB');
  expect(await clipboard(page)).toBe('before');
  const instead = status(page).getByRole('link', { name: 'Download the step instead' });
  const [download] = await Promise.all([page.waitForEvent('download'), instead.click()]);
  expect(download.suggestedFilename()).toBe(`${p.jobId}-huge.txt`);
});

test('the raw view opens in a tab as inline text/plain, sandboxed, for a step and for the job', async ({ page, baseURL, request }) => {
  const p = await coloured(baseURL!, 50);
  await open(page, p.jobId);

  await stepMenu(page, 'Build').click();
  const [raw] = await Promise.all([page.waitForEvent('popup'), item(page, 'View raw').click()]);
  await raw.waitForLoadState();
  expect(raw.url()).toContain(`/api/v1/jobs/${p.jobId}/log?step=build&format=text&disposition=inline`);
  expect(await raw.evaluate(() => document.contentType)).toBe('text/plain');
  expect(await raw.locator('body').innerText()).toBe(plain(1, 50));
  const answer = await request.get(raw.url());
  expect(answer.headers()).toMatchObject({
    'content-type': 'text/plain; charset=utf-8',
    'content-disposition': `inline; filename="${p.jobId}-build.txt"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'; frame-ancestors 'none'",
    'cache-control': 'no-store',
  });
  await raw.close();

  await page.getByRole('button', { name: 'Copy and download' }).click();
  const [job] = await Promise.all([page.waitForEvent('popup'), item(page, 'View raw log').click()]);
  await job.waitForLoadState();
  expect(job.url()).toContain(`/api/v1/jobs/${p.jobId}/log?format=text&disposition=inline`);
  expect(await job.locator('body').innerText()).toBe(`=== Build (success)\n${plain(1, 50)}`);
  await job.close();

  const bad = await request.get(`/api/v1/jobs/${p.jobId}/log?disposition=render`);
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe('bad_request');
});

test('download buttons save the step and the job', async ({ page, baseURL, request }) => {
  const p = await coloured(baseURL!, 40);
  await open(page, p.jobId);

  const save = async (openMenu: () => Promise<void>, name: string) => {
    await openMenu();
    const [download] = await Promise.all([page.waitForEvent('download'), item(page, name).click()]);
    return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
  };
  const stepMenuOpen = () => stepMenu(page, 'Build').click();
  const jobMenuOpen = () => page.getByRole('button', { name: 'Copy and download' }).click();

  const step = await save(stepMenuOpen, 'Download');
  expect(step.name).toBe(`${p.jobId}-build.log`);
  expect(step.text).toBe(await (await request.get(`/api/v1/jobs/${p.jobId}/log?step=build`)).text());
  expect(step.text).toContain('\u001b[32m');
  const stepText = await save(stepMenuOpen, 'Download as text');
  expect(stepText).toEqual({ name: `${p.jobId}-build.txt`, text: plain(1, 40) });
  const job = await save(jobMenuOpen, 'Download log');
  expect(job.name).toBe(`${p.jobId}.log`);
  expect(job.text).toBe(await (await request.get(`/api/v1/jobs/${p.jobId}/log`)).text());
  const jobText = await save(jobMenuOpen, 'Download log as text');
  expect(jobText).toEqual({ name: `${p.jobId}.txt`, text: `=== Build (success)\n${plain(1, 40)}` });
});

test.describe('with read access required (a signed link, then its cookie)', () => {
  const LINK_SECRET = 'e2e-copy-link-secret-0123456789';
  const ADMIN = 'e2e-copy-admin-0123456789abcd';
  let dir = '';
  let server: LogscopeServer | undefined;

  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-copy-'));
    const keys = path.join(dir, 'keys.json');
    writeFileSync(keys, JSON.stringify({ keys: [{ id: 'ops', kind: 'admin', secrets: [ADMIN] }] }));
    server = await startLogscope(await freePort(4340, 4349), `file:${path.join(dir, 'data')}`, { LOGSCOPE_ACCESS: 'token', LOGSCOPE_KEYS: keys, LOGSCOPE_LINK_SECRET: LINK_SECRET }, [], { adminKey: ADMIN });
  });
  test.afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('copy, raw view and download work as the viewer reads; nothing without a credential', async ({ page, context }) => {
    const url = server!.url;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    const p = await createJob(url, uniqueJobId('copy-token'), { title: 'Private', steps: [{ id: 'build', name: 'Build' }] }, ADMIN);
    await sendLines(p, 'build', 1, ['secret one', 'secret two']);
    await setStep(p, 'build', { status: 'success' });
    await completeJob(p, 'success');
    const token = signLink(LINK_SECRET, { job: p.jobId, expires: Math.floor(Date.now() / 1000) + 600 });

    await page.goto(`${url}/jobs/${p.jobId}?access=${token}`);
    await expect(page.getByTestId('stream-state')).toHaveAttribute('data-stream-state', 'complete');
    await stepMenu(page, 'Build').click();
    await item(page, 'Copy step').click();
    await expect(status(page)).toHaveAttribute('data-copy-state', 'copied');
    expect(await clipboard(page)).toBe('secret one\nsecret two\n');

    await stepMenu(page, 'Build').click();
    const [raw] = await Promise.all([page.waitForEvent('popup'), item(page, 'View raw').click()]);
    await raw.waitForLoadState();
    expect(await raw.locator('body').innerText()).toBe('secret one\nsecret two\n');
    await raw.close();

    await stepMenu(page, 'Build').click();
    const [download] = await Promise.all([page.waitForEvent('download'), item(page, 'Download as text').click()]);
    expect(readFileSync((await download.path())!, 'utf8')).toBe('secret one\nsecret two\n');

    const anonymous = await fetch(`${url}/api/v1/jobs/${p.jobId}/log?step=build&format=text&disposition=inline`);
    expect(anonymous.status).toBe(401);

    // an embed (no cookie in a cross-site frame) puts its signed link into the links it offers
    await page.goto(`${url}/embed/jobs/${p.jobId}?access=${token}`);
    await expect(page.getByTestId('stream-state')).toHaveAttribute('data-stream-state', 'complete');
    await stepMenu(page, 'Build').click();
    const href = await item(page, 'View raw').getAttribute('href');
    expect(href).toContain(`access=${token}`);
    const linked = await fetch(new URL(href!, url)); // no cookie: the link token alone
    expect(linked.status).toBe(200);
    expect(await linked.text()).toBe('secret one\nsecret two\n');
  });
});
