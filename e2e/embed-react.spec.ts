import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { signLink } from '../lib/access/links';
import { EMBED_MESSAGE_SOURCE, EMBED_MESSAGE_VERSION, type EmbedMessage } from '../lib/viewer/embed-messages';
import { REPO_ROOT, freePort, startLogscope, uniqueJobId, type LogscopeServer } from '../test/support';

/**
 * Embedding, from another origin, against a Logscope server with access control on:
 * - `logscope/viewer` in examples/embed-react (plain React 19 + esbuild), served by a static
 *   server on a second origin: two live viewers shown with signed links (CORS + `?access=`);
 * - the iframe route `/embed/jobs/{job}` framed by a parent page on that origin, receiving its
 *   postMessage events.
 * Ports: free ones in 4405-4409 (the host site, the Logscope server, another site).
 */

const PORTS: [number, number] = [4405, 4409];
/** the example's origin (allowed by CORS and for framing) */
let HOST = '';
/** an origin nobody listed */
let OTHER = '';
const LINK_SECRET = 'embed-spec-link-secret-0123456789';
const INGEST_KEY = 'embed-spec-ingest-key-0123456789';
const READ_KEY = 'embed-spec-read-key-0123456789abcdef';
/** only for the harness's start check (`/api/health` is minimal without it) */
const ADMIN_KEY = 'embed-spec-admin-key-0123456789abcdef';
const EXAMPLE_DIST = path.join(REPO_ROOT, 'examples/embed-react/dist');

let server: LogscopeServer;
let hostSite: Server;
let otherSite: Server;
/** pages the spec serves beside the example: path → HTML */
const extraPages = new Map<string, string>();

function staticSite(port: number, root: string | null): Promise<Server> {
  const site = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const extra = extraPages.get(url.pathname);
    if (extra !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(extra);
    }
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    if (!root || !/^[a-z0-9._-]+$/i.test(name)) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = readFileSync(path.join(root, name));
      const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : name.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    site.once('error', reject);
    site.listen(port, '127.0.0.1', () => resolve(site));
  });
}

async function api(method: string, urlPath: string, token: string, body: unknown, type = 'application/json') {
  const res = await fetch(`${server.url}/api/v1${urlPath}`, {
    method,
    headers: { 'content-type': type, authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${urlPath} → ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

interface Job {
  id: string;
  token: string;
}

async function createJob(id: string, steps: { id: string; name: string }[]): Promise<Job> {
  const created = await api('PUT', `/jobs/${id}`, INGEST_KEY, { title: `Job ${id}`, steps });
  return { id, token: String(created.writeToken) };
}

async function sendLines(job: Job, step: string, from: number, to: number, text = (n: number) => `${step} line ${n}`) {
  const body = Array.from({ length: to - from + 1 }, (_, i) => JSON.stringify({ n: from + i, text: text(from + i) })).join('\n');
  await api('POST', `/jobs/${job.id}/steps/${step}/lines`, job.token, body, 'application/x-ndjson');
}

function signed(job: string, path = `/jobs/${job}`): { token: string; url: string } {
  const token = signLink(LINK_SECRET, { job, expires: Math.floor(Date.now() / 1000) + 3600 });
  return { token, url: `${server.url}${path}?access=${encodeURIComponent(token)}` };
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  // the library and the example, built as a user would (the example links `logscope` itself)
  execFileSync(process.execPath, ['scripts/build-viewer.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, ['examples/embed-react/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  // the published types serve a consumer's strict TypeScript (the example's own tsconfig)
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/embed-react'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const hostPort = await freePort(...PORTS);
  hostSite = await staticSite(hostPort, EXAMPLE_DIST);
  const otherPort = await freePort(...PORTS);
  otherSite = await staticSite(otherPort, null);
  HOST = `http://127.0.0.1:${hostPort}`;
  OTHER = `http://127.0.0.1:${otherPort}`;
  const store = mkdtempSync(path.join(os.tmpdir(), 'logscope-embed-'));
  const keys = path.join(store, 'keys.json');
  writeFileSync(
    keys,
    JSON.stringify({
      keys: [
        { id: 'embed-read', kind: 'read', secrets: [READ_KEY], scope: { all: true } },
        { id: 'embed-admin', kind: 'admin', secrets: [ADMIN_KEY] },
      ],
    }),
  );
  server = await startLogscope(await freePort(...PORTS), `file:${path.join(store, 'data')}`, {
    LOGSCOPE_KEYS: keys,
    LOGSCOPE_ACCESS: 'token',
    LOGSCOPE_LINK_SECRET: LINK_SECRET,
    LOGSCOPE_INGEST_KEY: INGEST_KEY,
    LOGSCOPE_CORS_ORIGINS: HOST,
    LOGSCOPE_EMBED_ORIGINS: HOST,
  }, [], { adminKey: ADMIN_KEY });
});

test.afterAll(async () => {
  await server?.stop();
  await new Promise((r) => hostSite?.close(r));
  await new Promise((r) => otherSite?.close(r));
});

/** The example page's two viewers. */
function viewers(page: Page) {
  const a = page.locator('#viewer-a');
  const b = page.locator('#viewer-b');
  const line = (root: typeof a, step: string, n: number) => root.locator(`[data-step="${step}"][data-line="${n}"]`);
  return { a, b, line };
}

test('the library on another origin: two live viewers from signed links, collapse, deep link, theme, independence, no style leaks', async ({ page }) => {
  const jobA = await createJob(uniqueJobId('embed-a'), [
    { id: 'build', name: 'Build' },
    { id: 'test', name: 'Test' },
  ]);
  const jobB = await createJob(uniqueJobId('embed-b'), [{ id: 'run', name: 'Run' }]);
  await sendLines(jobA, 'build', 1, 10);
  await sendLines(jobA, 'test', 1, 3);
  await sendLines(jobB, 'run', 1, 5);
  const linkA = signed(jobA.id);
  const linkB = signed(jobB.id);

  const apiRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/')) apiRequests.push(r.url());
  });
  await page.goto(`${HOST}/?a=${encodeURIComponent(linkA.url)}&b=${encodeURIComponent(linkB.url)}&goto=build:5`);
  const { a, b, line } = viewers(page);
  await expect(line(a, 'build', 1)).toContainText('build line 1');
  await expect(line(b, 'run', 1)).toContainText('run line 1');
  await expect(a.getByTestId('job-title')).toHaveText(`Job ${jobA.id}`);
  await expect(b.getByTestId('stream-state')).toHaveText(/live/i);

  // Lines arrive live in each viewer, from its own job only.
  await sendLines(jobA, 'build', 11, 40);
  await sendLines(jobB, 'run', 6, 12);
  await expect(line(a, 'build', 40)).toContainText('build line 40');
  await expect(line(b, 'run', 12)).toContainText('run line 12');
  await expect(a.locator('[data-step="run"]')).toHaveCount(0);
  await expect(b.locator('[data-step="build"]')).toHaveCount(0);

  // Every API call and the live stream went to the Logscope origin with the signed link.
  expect(apiRequests.length).toBeGreaterThan(0);
  for (const url of apiRequests) {
    expect(new URL(url).origin, url).toBe(server.url);
    expect(new URL(url).searchParams.get('access') ?? '', url).toMatch(/^lsl1\./);
  }
  expect(apiRequests.some((u) => u.includes('/events'))).toBe(true);

  // Theme: A dark, B light, each from its own prop.
  await expect(a.locator('.ls-viewer')).toHaveAttribute('data-theme', 'dark');
  await expect(b.locator('.ls-viewer')).toHaveAttribute('data-theme', 'light');
  expect(await a.locator('.ls-viewer').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(13, 17, 23)');
  expect(await b.locator('.ls-viewer').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(255, 255, 255)');

  // Collapse a step in A (the last one, on screen while following): its lines go, the rest stays.
  const testHeader = a.locator('[data-section="test"] button[aria-expanded]');
  await testHeader.click();
  await expect(testHeader).toHaveAttribute('aria-expanded', 'false');
  await expect(a.locator('[data-step="test"][data-line]')).toHaveCount(0);
  await expect(line(a, 'build', 40)).toBeVisible();
  await expect(line(b, 'run', 12)).toBeVisible();

  // Deep link through the `line` prop: the host sets it, A opens the step and goes there.
  await page.locator('#go-a').click();
  await expect(line(a, 'build', 5)).toHaveAttribute('data-highlighted', '');
  await expect(line(a, 'build', 5)).toBeInViewport();
  expect(new URL(page.url()).hash).toBe('');
  await expect(b.locator('[data-highlighted]')).toHaveCount(0);

  // A click on a line number is reported to the host; the host page's hash stays its own.
  await line(a, 'build', 7).locator('.ls-gutter').click();
  await expect(page.locator('#status')).toContainText('clicked build:7');
  await expect(line(a, 'build', 7)).toHaveAttribute('data-highlighted', '');
  expect(new URL(page.url()).hash).toBe('');
  await expect(b.locator('[data-highlighted]')).toHaveCount(0);

  // Styles: the host's loud body styles do not reach the viewer, the viewer's reset does not reach the host.
  const inside = await a.locator('.ls-embed').evaluate((el) => {
    const s = getComputedStyle(el);
    return { font: s.fontFamily, color: s.color, letterSpacing: s.letterSpacing, textAlign: s.textAlign, lineHeight: s.lineHeight };
  });
  expect(inside.font).toMatch(/^ui-sans-serif/);
  expect(inside.color).not.toBe('rgb(128, 0, 0)');
  expect(inside.letterSpacing).toBe('normal');
  expect(inside.textAlign).toBe('left');
  expect(inside.lineHeight).not.toBe('32.5px');
  const toolButton = a.getByRole('toolbar').getByRole('button').first();
  expect(await toolButton.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgb(255, 105, 180)');
  const hostButton = await page.locator('#go-a').evaluate((el) => {
    const s = getComputedStyle(el);
    return { bg: s.backgroundColor, padding: s.padding, margin: s.margin };
  });
  expect(hostButton).toEqual({ bg: 'rgb(255, 105, 180)', padding: '6px 14px', margin: '4px' });
  expect(await page.locator('#root > h1').evaluate((el) => getComputedStyle(el).marginBottom)).toBe('16px');
  expect(await page.locator('body').evaluate((el) => getComputedStyle(el).letterSpacing)).toBe('3px');

  // The end of a job reaches its own viewer and callback only.
  await api('POST', `/jobs/${jobB.id}/complete`, jobB.token, { status: 'success' });
  await expect(b.getByTestId('stream-state')).toHaveText(/complete/i);
  await expect(page.locator('#status')).toContainText('ended: B success');
  await expect(a.getByTestId('stream-state')).toHaveText(/live/i);
});

test('the library without a valid link shows the server refusal, not the log', async ({ page }) => {
  const job = await createJob(uniqueJobId('embed-denied'), [{ id: 'run', name: 'Run' }]);
  await sendLines(job, 'run', 1, 3);
  const expired = signLink(LINK_SECRET, { job: job.id, expires: Math.floor(Date.now() / 1000) - 10 });
  const other = signed(uniqueJobId('embed-other'));
  const a = `${server.url}/jobs/${job.id}?access=${expired}`;
  await page.goto(`${HOST}/?a=${encodeURIComponent(a)}&b=${encodeURIComponent(other.url.replace(/jobs\/[^?]+/, `jobs/${job.id}`))}`);
  const { a: viewerA, b: viewerB } = viewers(page);
  await expect(viewerA.getByRole('alert')).toContainText(/401/);
  // a valid link for another job: the job is "not found", never shown
  await expect(viewerB.getByRole('alert')).toContainText(/not found/i);
  await expect(page.locator('[data-line]')).toHaveCount(0);
});

test('the library with a read key: Bearer on every request, the live stream read with fetch', async ({ page }) => {
  const jobA = await createJob(uniqueJobId('embed-key-a'), [{ id: 'run', name: 'Run' }]);
  const jobB = await createJob(uniqueJobId('embed-key-b'), [{ id: 'run', name: 'Run' }]);
  await sendLines(jobA, 'run', 1, 5);
  await sendLines(jobB, 'run', 1, 5);
  await page.addInitScript((key) => sessionStorage.setItem('logscope-read-key', key), READ_KEY);
  const reads: { url: string; type: string; auth: string | undefined }[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(server.url)) reads.push({ url: r.url(), type: r.resourceType(), auth: r.headers()['authorization'] });
  });
  await page.goto(`${HOST}/?base=${encodeURIComponent(server.url)}&a=${jobA.id}&b=${jobB.id}`);
  const { a, b, line } = viewers(page);
  await expect(line(a, 'run', 5)).toContainText('run line 5');
  await expect(b.getByTestId('stream-state')).toHaveText(/live/i);
  await sendLines(jobA, 'run', 6, 30);
  await sendLines(jobB, 'run', 6, 9);
  await expect(line(a, 'run', 30)).toContainText('run line 30');
  await expect(line(b, 'run', 9)).toContainText('run line 9');

  expect(reads.length).toBeGreaterThan(0);
  for (const r of reads) {
    expect(r.auth, r.url).toBe(`Bearer ${READ_KEY}`);
    expect(new URL(r.url).searchParams.has('access'), r.url).toBe(false);
  }
  const streams = reads.filter((r) => new URL(r.url).pathname.endsWith('/events'));
  expect(streams.length).toBeGreaterThanOrEqual(2);
  for (const r of streams) expect(r.type, r.url).toBe('fetch');

  await api('POST', `/jobs/${jobA.id}/complete`, jobA.token, { status: 'cancelled' });
  await expect(a.getByTestId('stream-state')).toHaveText(/complete/i);
  await expect(page.locator('#status')).toContainText('ended: A cancelled');
});

function parentPage(src: string): string {
  // the listener a parent page uses (README "Embedding"): origin and source checked
  return `<!doctype html><html><body>
<iframe id="logs" src="${src.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" style="width:800px;height:400px;border:0"></iframe>
<script>
window.__messages = [];
window.__all = [];
window.addEventListener('message', (event) => window.__all.push(event.origin));
window.addEventListener('message', (event) => {
  if (event.origin !== ${JSON.stringify(server.url)}) return;
  if (event.source !== document.getElementById('logs').contentWindow) return;
  const m = event.data;
  if (!m || m.source !== 'logscope' || m.v !== 1) return;
  window.__messages.push(m);
});
</script></body></html>`;
}

async function messages(page: Page): Promise<EmbedMessage[]> {
  return page.evaluate(() => (window as unknown as { __messages: EmbedMessage[] }).__messages);
}

test('the iframe route on another origin: signed link, postMessage events to the allowed parent only', async ({ page }) => {
  const job = await createJob(uniqueJobId('embed-frame'), [{ id: 'build', name: 'Build' }]);
  await sendLines(job, 'build', 1, 5);
  const link = signed(job.id);
  const frameUrl = `${server.url}/embed/jobs/${job.id}?access=${encodeURIComponent(link.token)}&parentOrigin=${encodeURIComponent(HOST)}`;
  extraPages.set('/parent.html', parentPage(frameUrl));
  const frameMethods: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(server.url)) frameMethods.push(r.method());
  });
  await page.goto(`${HOST}/parent.html`);
  const frame = page.frameLocator('#logs');
  await expect(frame.locator('[data-step="build"][data-line="5"]')).toContainText('build line 5');

  await expect.poll(async () => (await messages(page)).map((m) => m.type)).toContain('ready');
  const ready = (await messages(page)).find((m) => m.type === 'ready')!;
  expect(ready).toEqual({ source: EMBED_MESSAGE_SOURCE, v: EMBED_MESSAGE_VERSION, type: 'ready', job: job.id, step: null });
  const heights = async () => (await messages(page)).filter((m) => m.type === 'height').map((m) => (m as { height: number }).height);
  await expect.poll(async () => (await heights()).length).toBeGreaterThan(0);
  const before = (await heights()).at(-1)!;

  // Live lines make the content taller: a new height is posted.
  await sendLines(job, 'build', 6, 60);
  await expect(frame.locator('[data-step="build"][data-line="60"]')).toContainText('build line 60');
  await expect.poll(async () => (await heights()).at(-1)!).toBeGreaterThan(before);

  await frame.locator('[data-step="build"][data-line="60"] .ls-gutter').click();
  await expect.poll(async () => (await messages(page)).filter((m) => m.type === 'line')).toEqual([
    { source: 'logscope', v: 1, type: 'line', job: job.id, step: 'build', line: 60, to: 60, url: `${server.url}/jobs/${job.id}#build:60` },
  ]);

  await api('POST', `/jobs/${job.id}/complete`, job.token, { status: 'failure' });
  await expect.poll(async () => (await messages(page)).filter((m) => m.type === 'ended')).toEqual([
    { source: 'logscope', v: 1, type: 'ended', job: job.id, status: 'failure' },
  ]);
  // the frame wrote nothing: every request it made to Logscope was a read
  expect(frameMethods.length).toBeGreaterThan(0);
  expect([...new Set(frameMethods)]).toEqual(['GET']);
});

test('the iframe route posts nothing to an unlisted parentOrigin, and an unlisted origin cannot frame it', async ({ page }) => {
  const job = await createJob(uniqueJobId('embed-deny'), [{ id: 'build', name: 'Build' }]);
  await sendLines(job, 'build', 1, 3);
  const link = signed(job.id);
  // framed by an allowed origin, but asking for messages to go elsewhere: none is sent
  const frameUrl = `${server.url}/embed/jobs/${job.id}?access=${encodeURIComponent(link.token)}&parentOrigin=${encodeURIComponent('http://evil.test')}`;
  extraPages.set('/parent-evil.html', parentPage(frameUrl));
  await page.goto(`${HOST}/parent-evil.html`);
  const frame = page.frameLocator('#logs');
  await expect(frame.locator('[data-step="build"][data-line="3"]')).toContainText('build line 3');
  await api('POST', `/jobs/${job.id}/complete`, job.token, { status: 'success' });
  await expect(frame.getByTestId('stream-state')).toHaveText(/complete/i);
  expect(await page.evaluate(() => (window as unknown as { __all: string[] }).__all)).toEqual([]);

  // an origin not in LOGSCOPE_EMBED_ORIGINS: the browser refuses to render the frame (frame-ancestors)
  const blocked = `${server.url}/embed/jobs/${job.id}?access=${encodeURIComponent(link.token)}`;
  extraPages.set('/framer.html', `<!doctype html><iframe id="logs" src="${blocked.replace(/&/g, '&amp;')}"></iframe>`);
  const response = page.waitForResponse((r) => r.url().startsWith(`${server.url}/embed/`));
  await page.goto(`${OTHER}/framer.html`);
  const csp = (await response).headers()['content-security-policy'] ?? '';
  expect(csp).toContain(`frame-ancestors 'self' ${HOST}`);
  await expect(page.frameLocator('#logs').locator('[role="log"]')).toHaveCount(0);
});

/**
 * What does not fit a narrow viewer, inside `root` (a selector): controls of the toolbar, the
 * job header and the steps panel outside the root's box, a root that scrolls sideways, a
 * toolbar of more than one row. Empty when it fits.
 */
function misfits(rootSelector: string): string[] {
  const root = document.querySelector<HTMLElement>(rootSelector)!;
  const box = root.getBoundingClientRect();
  const out: string[] = [];
  if (root.scrollWidth > root.clientWidth + 1) out.push(`root scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  const bar = root.querySelector('[role="toolbar"]')!;
  const barBox = bar.getBoundingClientRect();
  let buttonHeight = 0;
  for (const part of [bar, root.querySelector('header'), root.querySelector('nav[aria-label="Steps"]')]) {
    if (!part) continue;
    for (const el of part.querySelectorAll<HTMLElement>('button, input, a, h1, li, [role="status"]')) {
      const r = el.getBoundingClientRect();
      if (!el.checkVisibility() || r.width <= 1) continue;
      const name = `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').slice(0, 30)}"`;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`${name} at ${Math.round(r.left - box.left)}–${Math.round(r.right - box.left)} of ${Math.round(box.width)}`);
      if (part === bar && el.closest('[role="group"]') === null && el.tagName === 'BUTTON') buttonHeight = Math.max(buttonHeight, r.height);
    }
  }
  if (buttonHeight === 0 || barBox.height >= 2 * buttonHeight) out.push(`toolbar ${barBox.height}px high, buttons ${buttonHeight}px`);
  return out;
}

for (const width of [360, 900]) {
  test(`at ${width}px wide the library viewer and the iframe keep one toolbar row; the rest is behind "More actions"`, async ({ page }) => {
    const job = await createJob(uniqueJobId(`embed-${width}`), [
      { id: 'build', name: 'Build the web frontend for production' },
      { id: 'test', name: 'Run every test suite' },
    ]);
    await sendLines(job, 'build', 1, 30, (n) => `build line ${n}: ${'compiling module '.repeat(6)}`);
    await sendLines(job, 'test', 1, 3);
    const link = signed(job.id);

    // the library: the host page gives viewer A a box `width` px wide
    await page.setViewportSize({ width: width + 48, height: 800 });
    await page.goto(`${HOST}/?a=${encodeURIComponent(link.url)}&b=${encodeURIComponent(link.url)}`);
    await page.addStyleTag({ content: `.panes { display: block } #viewer-a { width: ${width}px; border: 0 }` });
    const { a, line } = viewers(page);
    await expect(line(a, 'build', 30)).toContainText('build line 30');
    expect(Math.round((await a.locator('.ls-embed').boundingBox())!.width)).toBe(width);
    expect(await page.evaluate(misfits, '#viewer-a .ls-embed')).toEqual([]);
    const more = a.getByRole('button', { name: 'More actions' });
    await expect(more).toBeVisible();
    await expect(a.getByRole('button', { name: 'Collapse all' })).toBeHidden();
    await more.click();
    await expect(more).toHaveAttribute('aria-expanded', 'true');
    expect(await page.evaluate(misfits, '#viewer-a .ls-embed')).toEqual([]);
    await a.getByRole('button', { name: 'Collapse all' }).click();
    await expect(a.locator('[data-line]')).toHaveCount(0);
    // the other viewer on the page was not touched
    const b = viewers(page).b;
    await expect(b.locator('[data-line]').first()).toBeVisible();
    await expect(b.locator('[data-section] button[aria-expanded="false"]')).toHaveCount(0);

    // the iframe, `width` px wide in a page of that origin
    await page.setViewportSize({ width: Math.max(width + 48, 400), height: 800 });
    const frameUrl = `${server.url}/embed/jobs/${job.id}?access=${encodeURIComponent(link.token)}&parentOrigin=${encodeURIComponent(HOST)}`;
    extraPages.set(`/narrow-${width}.html`, parentPage(frameUrl).replace('width:800px', `width:${width}px`));
    await page.goto(`${HOST}/narrow-${width}.html`);
    const frame = page.frameLocator('#logs');
    await expect(frame.locator('[data-step="build"][data-line="30"]')).toContainText('build line 30');
    const embedded = page.frames().find((f) => f.url().startsWith(`${server.url}/embed/`))!;
    expect(await embedded.evaluate(() => document.documentElement.clientWidth)).toBe(width);
    expect(await embedded.evaluate(misfits, 'body')).toEqual([]);
    const frameMore = frame.getByRole('button', { name: 'More actions' });
    await expect(frameMore).toBeVisible();
    await frameMore.click();
    await frame.getByRole('button', { name: 'Collapse all' }).click();
    await expect(frame.locator('[data-line]')).toHaveCount(0);
    expect(await embedded.evaluate(misfits, 'body')).toEqual([]);
  });
}
