import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createJob, sendLines, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';

/**
 * Issue 8's service hardening, against the production build: security headers, malformed
 * percent-encoding, the bind address, connection timeouts and graceful shutdown. The shared
 * server (playwright.config.ts) serves the header and path checks; the others start their own
 * server on 3181-3184 with short limits (LOGSCOPE_*_MS) so that each case takes seconds.
 */

const root = path.resolve(__dirname, '..');
const SPAWN_PORT = 3181;
const FRAMER_PORT = 3184;

// ---------------------------------------------------------------- helpers

interface Spawned {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

/** scripts/server.mjs as a child we can signal and whose exit code and output we read. */
async function spawnServer(port: number, env: Record<string, string>): Promise<Spawned> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/server.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), NEXT_TELEMETRY_DISABLED: '1', HOST: '', LOGSCOPE_INGEST_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output}`);
    const health = await fetch(`${url}/api/health`).then((r) => r.json() as Promise<{ pid?: number }>, () => null);
    if (health?.pid === child.pid) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server on ${port} did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url, output: () => output, exited };
}

async function stop(server: Spawned | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill('SIGKILL');
  await server.exited;
}

/** A request with the path exactly as given (fetch and URL would re-encode a malformed one). */
function rawRequest(base: string, method: string, rawPath: string, body?: string): Promise<{ status: number; type: string; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: rawPath, headers: body === undefined ? {} : { 'content-type': 'text/plain' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves with how long after the call the server closed the socket. */
function closedAfter(socket: net.Socket): Promise<number> {
  const start = Date.now();
  return new Promise((resolve) => socket.once('close', () => resolve(Date.now() - start)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- headers

test.describe('security headers', () => {
  test('every page has a nonce CSP and cannot be framed; every response has nosniff and a referrer policy', async ({ request }) => {
    const nonces = new Set<string>();
    for (const page of ['/', '/jobs/some-job', '/jobs/some-job/steps/s', '/search?q=x', '/no-such-page']) {
      const response = await request.get(page);
      const headers = response.headers();
      const csp = headers['content-security-policy'] ?? '';
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce, page).toBeTruthy();
      nonces.add(nonce!);
      expect(csp, page).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
      expect(csp, page).not.toContain('unsafe-eval');
      expect(csp, page).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options'], page).toBe('DENY');
      expect(headers['x-content-type-options'], page).toBe('nosniff');
      expect(headers['referrer-policy'], page).toBe('same-origin');
      // Next put the same nonce on its own scripts
      expect(await response.text(), page).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(5);

    const embed = (await request.get('/embed/jobs/some-job')).headers();
    expect(embed['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(embed['x-frame-options']).toBe('SAMEORIGIN');

    for (const api of ['/api/health', '/api/v1/jobs', '/api/v1/jobs/missing-job', '/api/v2/nothing']) {
      const headers = (await request.get(api)).headers();
      expect(headers['x-content-type-options'], api).toBe('nosniff');
      expect(headers['referrer-policy'], api).toBe('same-origin');
    }
  });

  test('a raw download is sandboxed and not sniffed', async ({ request, baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('dl'));
    await sendLines(p, 'build', 1, ['<script>alert(1)</script>']);
    const response = await request.get(`/api/v1/jobs/${p.jobId}/log?step=build`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-security-policy']).toBe('sandbox');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
  });

  test('the job page, step page, embed, search and job list hydrate under the CSP without a single violation, their inlined CSS applied', async ({ page, baseURL }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/content security policy|refused to/i.test(message.text())) violations.push(message.text());
    });
    page.on('pageerror', (error) => violations.push(error.message));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => console.error(`Refused to run: CSP ${event.violatedDirective} ${event.blockedURI}`));
    });
    const p = await createJob(baseURL!, uniqueJobId('csp'), { steps: [{ id: 'build', name: 'Build' }] });
    await sendLines(p, 'build', 1, ['\u001b[31mred\u001b[0m line', 'second line']);
    const log = new LogPage(page);
    await log.gotoJob(p.jobId);
    // the lines come from the client viewer: they are there only if React hydrated and ran
    await expect(log.line('build', 2)).toContainText('second line');
    await expect(log.line('build', 1).locator('span[style]').first()).toHaveCSS('color', /rgb\(/);
    // the page's CSS, inlined in its HTML (lib/security/inline-styles.ts), applies: Tailwind's sr-only
    const styled = () => expect(page.locator('.sr-only').first()).toHaveCSS('position', 'absolute');
    await styled();
    await page.goto(`/embed/jobs/${p.jobId}?step=build`);
    await expect(page.getByRole('log')).toContainText('second line');
    await page.goto(`/jobs/${p.jobId}/steps/build`);
    await expect(page.getByRole('log')).toContainText('second line');
    await styled();
    await page.goto(`/search?q=${encodeURIComponent('second line')}`);
    await expect(page.getByTestId('search-summary')).toBeVisible();
    await expect(page.getByRole('search')).toHaveCSS('display', 'flex'); // a Tailwind class
    await page.goto('/');
    await expect(page.locator(`[data-job="${p.jobId}"]`)).toBeVisible();
    expect(violations).toEqual([]);
  });
});

// ---------------------------------------------------------------- malformed paths

test.describe('malformed percent-encoding', () => {
  const bad = ['%', '%zz', '%c0%ae', '%E0%A4%A'];

  test('is a 400 JSON error on every API route, whatever the method', async ({ baseURL }) => {
    for (const id of bad) {
      for (const [method, rawPath, body] of [
        ['GET', `/api/v1/jobs/${id}`],
        ['PUT', `/api/v1/jobs/${id}`, '{}'],
        ['GET', `/api/v1/jobs/${id}/events`],
        ['GET', `/api/v1/jobs/${id}/log`],
        ['GET', `/api/v1/jobs/${id}/search?q=x`],
        ['POST', `/api/v1/jobs/${id}/complete`, '{}'],
        ['PUT', `/api/v1/jobs/ok/steps/${id}`, '{}'],
        ['GET', `/api/v1/jobs/ok/steps/${id}/lines`],
        ['POST', `/api/v1/jobs/ok/steps/${id}/lines`, 'a line\n'],
        ['GET', `/api/unknown/${id}`],
      ] as const) {
        const response = await rawRequest(baseURL!, method, rawPath, body);
        expect(response.status, `${method} ${rawPath}`).toBe(400);
        expect(response.type).toContain('application/json');
        expect(JSON.parse(response.text)).toEqual({ error: { code: 'bad_request', message: 'the path has malformed percent-encoding' } });
      }
    }
  });

  test('is the not-found page in the UI', async ({ baseURL }) => {
    for (const id of bad) {
      for (const rawPath of [`/jobs/${id}`, `/jobs/ok/steps/${id}`, `/embed/jobs/${id}`, `/${id}`]) {
        const response = await rawRequest(baseURL!, 'GET', rawPath);
        expect(response.status, rawPath).toBe(404);
        expect(response.type).toContain('text/html');
      }
    }
  });
});

// ---------------------------------------------------------------- own servers

test.describe('the server process', () => {
  test.describe.configure({ timeout: 120_000 });
  let server: Spawned | undefined;
  test.afterEach(async () => {
    await stop(server);
    server = undefined;
  });

  test('binds to loopback unless HOST says otherwise, and warns when open beyond it without a key', async () => {
    const store = `file:${mkdtempSync(path.join(os.tmpdir(), 'logscope-bind-'))}`;
    server = await spawnServer(SPAWN_PORT, { LOGSCOPE_STORE: store });
    expect(server.output()).toContain(`listening on http://127.0.0.1:${SPAWN_PORT}`);
    expect(server.output()).not.toContain('WARNING');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (external) {
      await expect(fetch(`http://${external}:${SPAWN_PORT}/api/health`)).rejects.toThrow();
    }
    await stop(server);

    server = await spawnServer(SPAWN_PORT, { LOGSCOPE_STORE: store, HOST: '0.0.0.0' });
    expect(server.output()).toContain('WARNING: listening on 0.0.0.0');
    expect(server.output()).toContain('read every log and create jobs');
    if (external) expect((await fetch(`http://${external}:${SPAWN_PORT}/api/health`)).status).toBe(200);
    await stop(server);

    server = await spawnServer(SPAWN_PORT, { LOGSCOPE_STORE: store, HOST: '0.0.0.0', LOGSCOPE_INGEST_KEY: 'k' });
    expect(server.output()).not.toContain('WARNING');
  });

  test('cuts slow and silent clients, keeps a long streamed upload and an idle SSE stream', async () => {
    // 17 s idle: above the SSE heartbeat (15 s), so the stream must survive on heartbeats alone
    const idleMs = 17_000;
    server = await spawnServer(SPAWN_PORT, {
      LOGSCOPE_STORE: `file:${mkdtempSync(path.join(os.tmpdir(), 'logscope-limits-'))}`,
      LOGSCOPE_HEADERS_TIMEOUT_MS: '2000',
      LOGSCOPE_IDLE_TIMEOUT_MS: String(idleMs),
    });
    const { url } = server;
    const port = SPAWN_PORT;
    const p = await createJob(url, uniqueJobId('limits'));

    // slowloris: one header byte a second
    const trickle = net.connect(port, '127.0.0.1');
    trickle.on('error', () => undefined);
    const trickleClosed = closedAfter(trickle);
    const request = `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(60)}`;
    let sent = 0;
    const timer = setInterval(() => {
      if (trickle.writable) trickle.write(request[sent++ % request.length]!);
    }, 1000);
    // a connection that sends nothing at all
    const silent = net.connect(port, '127.0.0.1');
    const silentClosed = closedAfter(silent);
    // a POST that sends its headers and one line, then stalls
    const stalled = net.connect(port, '127.0.0.1');
    const stalledClosed = closedAfter(stalled);
    stalled.write(
      `POST /api/v1/jobs/${p.jobId}/steps/stalled/lines HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.token}\r\n` +
        'Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nstalled\n\r\n',
    );
    // an SSE stream that nothing happens on
    const sse = await fetch(`${url}/api/v1/jobs/${p.jobId}/events`);
    const sseReader = sse.body!.getReader();
    let sseText = '';
    let sseEnded = false;
    void (async () => {
      for (;;) {
        const { done, value } = await sseReader.read().catch(() => ({ done: true, value: undefined }));
        if (done) break;
        sseText += new TextDecoder().decode(value);
      }
      sseEnded = true;
    })();
    // a streamed upload that sends a line a second for longer than the idle timeout
    const seconds = Math.ceil(idleMs / 1000) + 3;
    let uploaded = 0;
    const upload = fetch(`${url}/api/v1/jobs/${p.jobId}/steps/upload/lines?first=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.token}`, 'content-type': 'text/plain' },
      duplex: 'half',
      body: new ReadableStream({
        async pull(controller) {
          if (uploaded >= seconds) return controller.close();
          await sleep(1000);
          uploaded++;
          controller.enqueue(new TextEncoder().encode(`upload line ${uploaded}\n`));
        },
      }),
    } as RequestInit);

    try {
      // 2 s headers timeout, checked every second: cut within a few seconds, not at the idle timeout
      expect(await trickleClosed).toBeLessThan(6_000);
      expect(await silentClosed).toBeLessThan(6_000);
      const response = await upload;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ accepted: seconds, duplicates: 0, last: seconds });
      // the stalled POST is cut by the idle timeout, not before; its one line is kept
      const stalledAfter = await stalledClosed;
      expect(stalledAfter).toBeGreaterThan(idleMs - 1_000);
      expect(stalledAfter).toBeLessThan(idleMs + 3_000);
      const kept = await (await fetch(`${url}/api/v1/jobs/${p.jobId}/steps/stalled/lines?from=1&limit=10`)).json();
      expect(kept.lines.map((l: { text: string }) => l.text)).toEqual(['stalled']);
      // the SSE stream outlived the idle timeout on heartbeats
      expect(sseEnded).toBe(false);
      expect(sseText).toContain(':');
    } finally {
      clearInterval(timer);
      trickle.destroy();
      silent.destroy();
      stalled.destroy();
      await sseReader.cancel().catch(() => undefined);
    }
  });

  test('SIGTERM: in-flight appends finish or are cut within the grace, SSE ends, the store closes, exit 0, restart works', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-shutdown-'));
    const graceMs = 3_000;
    const env = { LOGSCOPE_STORE: `file:${dir}`, LOGSCOPE_SHUTDOWN_GRACE_MS: String(graceMs) };
    server = await spawnServer(SPAWN_PORT, env);
    const { url } = server;
    const p = await createJob(url, uniqueJobId('term'));
    expect(existsSync(path.join(dir, 'logscope.lock'))).toBe(true);

    /** Streams `count` lines (or forever), one every 100 ms; resolves with the status and body, or the error. */
    const lineStream = (step: string, count: number) => {
      let written = 0;
      const result = fetch(`${url}/api/v1/jobs/${p.jobId}/steps/${step}/lines?first=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.token}`, 'content-type': 'text/plain' },
        duplex: 'half',
        body: new ReadableStream({
          async pull(controller) {
            if (written >= count) return controller.close();
            await sleep(100);
            written++;
            controller.enqueue(new TextEncoder().encode(`${step} ${written}\n`));
          },
        }),
      } as RequestInit).then(
        async (response) => ({ status: response.status, body: await response.text() }),
        (error: Error) => ({ status: 0, body: error.message }),
      );
      return { result, written: () => written };
    };
    const finishing = lineStream('finishing', 20);
    const endless = lineStream('endless', Number.POSITIVE_INFINITY);
    const sse = await fetch(`${url}/api/v1/jobs/${p.jobId}/events`);
    const sseDone = sse.body!.pipeTo(new WritableStream()).then(
      () => Date.now(),
      () => Date.now(),
    );
    await sleep(1_000);
    const endlessBeforeSignal = endless.written();
    const signalled = Date.now();
    server.child.kill('SIGTERM');

    const exit = await server.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeLessThan(graceMs + 2_000);
    // the SSE stream was ended at once, not at the end of the grace
    expect((await sseDone) - signalled).toBeLessThan(1_500);
    // the upload that ended within the grace was answered in full
    expect(await finishing.result).toEqual({ status: 200, body: JSON.stringify({ accepted: 20, duplicates: 0, last: 20 }) });
    expect((await endless.result).status).toBe(0);
    expect(server.output()).toContain('SIGTERM: shutting down');
    // the store was closed: its directory lock is released
    expect(existsSync(path.join(dir, 'logscope.lock'))).toBe(false);

    server = await spawnServer(SPAWN_PORT, env);
    const read = async (step: string) =>
      ((await (await fetch(`${server!.url}/api/v1/jobs/${p.jobId}/steps/${step}/lines?from=1&limit=1000`)).json()) as { lines: { n: number; text: string }[] }).lines;
    expect((await read('finishing')).map((l) => l.text)).toEqual(Array.from({ length: 20 }, (_, i) => `finishing ${i + 1}`));
    // every line the endless upload had sent before the signal is stored, in order, once
    const endlessLines = await read('endless');
    expect(endlessLines.length).toBeGreaterThanOrEqual(endlessBeforeSignal - 1);
    expect(endlessLines.map((l) => l.text)).toEqual(Array.from({ length: endlessLines.length }, (_, i) => `endless ${i + 1}`));
  });

  test('/embed/** may be framed by the configured origins only; other pages by no one', async ({ page }) => {
    const framer = http.createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<iframe id="f" src="${target}"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(FRAMER_PORT, '127.0.0.1', resolve));
    try {
      server = await spawnServer(SPAWN_PORT, {
        LOGSCOPE_STORE: `file:${mkdtempSync(path.join(os.tmpdir(), 'logscope-embed-'))}`,
        LOGSCOPE_EMBED_ORIGINS: `http://127.0.0.1:${FRAMER_PORT}, not-an-origin`,
      });
      expect(server.output()).toContain('LOGSCOPE_EMBED_ORIGINS: ignoring "not-an-origin"');
      const p = await createJob(server.url, uniqueJobId('embed'));
      await sendLines(p, 'build', 1, ['framed line']);
      const frame = (src: string) => page.goto(`http://127.0.0.1:${FRAMER_PORT}/?src=${encodeURIComponent(src)}`);
      await frame(`${server.url}/embed/jobs/${p.jobId}?step=build`);
      await expect(page.frameLocator('#f').getByText('framed line')).toBeVisible();
      // the job page refuses the same framer (the browser blanks the frame)
      await frame(`${server.url}/jobs/${p.jobId}`);
      await page.waitForTimeout(2_000);
      expect(await page.frameLocator('#f').getByText('framed line').count()).toBe(0);
      expect(await page.frameLocator('#f').getByRole('log').count()).toBe(0);
      const csp = (await fetch(`${server.url}/embed/jobs/${p.jobId}`)).headers.get('content-security-policy');
      expect(csp).toMatch(new RegExp(`frame-ancestors 'self' http://127\\.0\\.0\\.1:${FRAMER_PORT}($|;)`));
    } finally {
      framer.close();
    }
  });
});
