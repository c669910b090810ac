import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';
import { sendTextLines } from './ui-fixtures';

/**
 * The server-rendered first screen (README "First paint"): the first lines arrive in the page's
 * HTML, escaped; the page shows them before any bundle runs; hydration fetches none of what the
 * page carried; a deep link to a line the page did not carry still opens at that line.
 */

const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 1">';
let jobId = '';

test.beforeAll(async ({ baseURL }) => {
  jobId = uniqueJobId('first-screen');
  const p = await createJob(baseURL!, jobId, { title: 'First screen', steps: [{ id: 'prep', name: 'Prep' }, { id: 'build', name: 'Build' }] });
  await sendLines(p, 'prep', 1, ['prep 1', 'prep 2']);
  await setStep(p, 'prep', { status: 'success' });
  await sendTextLines(p, 'build', 20_000, (n) => (n === 3 ? `\u001b[31m${HOSTILE}\u001b[0m` : `build line ${n}`), 10_000);
  await setStep(p, 'build', { status: 'success' });
  await completeJob(p, 'success');
});

/** The `/lines?` range requests and metadata requests the page makes. */
function recordApi(page: import('@playwright/test').Page) {
  const ranges: URL[] = [];
  const metadata: URL[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith('/lines')) ranges.push(url);
    else if (url.pathname === `/api/v1/jobs/${jobId}`) metadata.push(url);
  });
  return { ranges, metadata };
}

test('the first screen is in the HTML of the page, escaped, with a script that carries the CSP nonce', async ({ baseURL }) => {
  const res = await fetch(`${baseURL}/jobs/${jobId}`);
  expect(res.status).toBe(200);
  const html = await res.text();
  // `#build`'s screen: its header and its first lines, as rows with the DOM hooks
  // without a hash a passed job opens its last step (README "Finding the failure"): the same screen as #build
  expect(html).toContain('data-first-screen-for="[&quot;&quot;,&quot;build&quot;]"');
  expect(html).toMatch(/<div class="ls-row ls-line [^"]*" data-step="build" data-line="1">/);
  expect(html).toContain('build line 40');
  // line 3's markup is text: escaped by the same renderer as the list's rows
  expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
  expect(html).not.toContain('<script>window.__pwned');
  expect(html).not.toContain('<img src=x');
  // the inline script runs under the page's CSP: it carries this response's nonce
  const nonce = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
  expect(nonce).toBeTruthy();
  const inline = [...html.matchAll(/<script nonce="([^"]*)">([^<]*data-first-screen[^<]*)<\/script>/g)];
  expect(inline).toHaveLength(1);
  expect(inline[0]![1]).toBe(nonce);
});

test('the first screen shows before any bundle has loaded', async ({ page }) => {
  await page.route('**/_next/static/chunks/*.js', (route) => route.abort());
  await page.goto(`/jobs/${jobId}#build`);
  const log = new LogPage(page);
  await expect(log.line('build', 1)).toBeInViewport();
  await expect(log.line('build', 3)).toContainText('<script>window.__pwned = 1</script>');
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  // only the screen the hash names is in the document: the others stay in their templates
  await expect(page.locator('[data-step="prep"][data-line]')).toHaveCount(0);
  await expect(log.line('build', 1)).toHaveCount(1);
});

test('hydration fetches neither the metadata nor the lines the page already holds', async ({ page }) => {
  const api = recordApi(page);
  const log = new LogPage(page);
  await log.gotoJob(jobId, '#build');
  await expect(log.scroller).toBeVisible();
  await expect(log.line('build', 1)).toBeInViewport();
  await expect(log.line('build', 1)).toHaveCount(1);
  // the list has replaced the server's screen
  await expect(page.locator('[data-first-screen]')).toHaveCount(0);
  await page.waitForTimeout(500);
  expect(api.metadata.map(String)).toEqual([]);
  // at most the rest of the first page: nothing the page already held
  expect(api.ranges.filter((u) => Number(u.searchParams.get('from')) <= 40).map(String)).toEqual([]);
});

test('a deep link to a line far from the first screen opens at that line', async ({ page }) => {
  const api = recordApi(page);
  const log = new LogPage(page);
  await log.gotoJob(jobId, '#build:17345');
  const line = log.line('build', 17345);
  await expect(line).toBeInViewport();
  await expect(line).toHaveAttribute('data-highlighted', '');
  await expect(line).toContainText('build line 17345');
  await expect(log.line('build', 1)).toHaveCount(0);
  expect(api.metadata.map(String)).toEqual([]);
  // the page's script started the line's page before the bundle loaded; the viewer took it over
  expect(api.ranges.filter((u) => u.searchParams.get('from') === '17001').map(String)).toHaveLength(1);
});

test('the step page and the embed get their first screen too', async ({ page, baseURL }) => {
  for (const path of [`/jobs/${jobId}/steps/build`, `/embed/jobs/${jobId}?step=build`]) {
    const html = await (await fetch(`${baseURL}${path}`)).text();
    expect(html, path).toMatch(/data-step="build" data-line="1"/);
  }
  await page.route('**/_next/static/chunks/*.js', (route) => route.abort());
  await page.goto(`/embed/jobs/${jobId}?step=build`);
  await expect(new LogPage(page).line('build', 2)).toBeInViewport();
});

test('a screen over a collapsed group carries only the lines it shows; opening the group loads the rest', async ({ page, baseURL }) => {
  const id = uniqueJobId('first-screen-groups');
  const p = await createJob(baseURL!, id, { title: 'Groups', steps: [{ id: 'main', name: 'Main' }] });
  // 1 start, 2–401 a group of 398 lines, then lines 402–700
  const text = (n: number) => (n === 2 ? '::group::Setup' : n === 401 ? '::endgroup::' : n > 2 && n < 401 ? `inside ${n}` : `after ${n}`);
  await sendTextLines(p, 'main', 700, text, 700);
  await setStep(p, 'main', { status: 'success' });
  await completeJob(p, 'success');
  // the screen: the header, line 1, the closed group's row (its marker line), then lines 402…
  const html = await (await fetch(`${baseURL}/jobs/${id}`)).text();
  expect(html).toContain('after 450');
  expect(html).not.toContain('inside 200');
  const metadata: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === `/api/v1/jobs/${id}`) metadata.push(r.url());
  });
  const log = new LogPage(page);
  await log.gotoJob(id, '#main');
  await expect(log.line('main', 402)).toBeInViewport();
  await expect(log.line('main', 402)).toContainText('after 402');
  const group = page.locator('[data-group-step="main"][data-group-line="2"] button[aria-expanded]');
  await expect(group).toHaveAttribute('aria-expanded', 'false');
  await group.click();
  await expect(log.line('main', 3)).toContainText('inside 3');
  await expect(log.line('main', 3)).toBeInViewport();
  expect(metadata).toEqual([]);
});
