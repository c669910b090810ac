import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { completeJob, createJob, getJob, readAllLines, sendLines, startLogscope, uniqueJobId, type Producer } from '../test/support';
import { gzipBomb } from '../test/support/gzip-bomb';

/**
 * The write path against the real server (docs/api.md "Writing", "Limits"): appends at the
 * end, Content-Encoding, completed jobs, auth before body, per-job quotas. Every refusal is
 * checked for its exact status and code, and for leaving what was stored as it was.
 */

const api = (baseURL: string | undefined) => `${baseURL}/api/v1`;
const auth = (p: Producer) => ({ authorization: `Bearer ${p.token}` });

async function post(p: Producer, step: string, body: string | Uint8Array, headers: Record<string, string> = {}, query = ''): Promise<Response> {
  return fetch(`${api(p.baseURL)}/jobs/${p.jobId}/steps/${step}/lines${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...auth(p), ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

async function expectError(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: Record<string, unknown> };
  expect(body.error.code).toBe(code);
  return body.error;
}

/** What a job holds, as a reader sees it: metadata without the cursor, and every line. */
async function snapshot(p: Producer): Promise<string> {
  const { cursor: _cursor, ...meta } = await getJob(p.baseURL, p.jobId);
  const lines = await Promise.all(meta.steps.map((s) => readAllLines(p.baseURL, p.jobId, s.id)));
  return JSON.stringify({ meta, lines });
}

test.describe('ingest correctness', () => {
  test('two producers posting text/plain without first both land every line, in order', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('race'));
    const writer = async (name: string) => {
      for (let batch = 0; batch < 10; batch++) {
        const body = Array.from({ length: 10 }, (_, i) => `${name} ${batch * 10 + i}`).join('\n') + '\n';
        const response = await post(p, 's', body);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ accepted: 10, duplicates: 0 });
      }
    };
    await Promise.all([writer('a'), writer('b')]);
    const lines = await readAllLines(baseURL!, p.jobId, 's');
    expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const name of ['a', 'b']) {
      expect(lines.filter((l) => l.text.startsWith(`${name} `)).map((l) => l.text)).toEqual(Array.from({ length: 100 }, (_, i) => `${name} ${i}`));
    }
    // numbered producers keep their idempotency
    const retry = await post(p, 's', 'x\ny\n', {}, '?first=199');
    expect(await retry.json()).toEqual({ accepted: 0, duplicates: 2, last: 200 });
  });

  test('gzip, deflate and br bodies are decoded; other encodings are 415 and store nothing', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('enc'));
    const text = 'héllo\nwörld\n';
    for (const [encoding, encode] of [['gzip', zlib.gzipSync], ['deflate', zlib.deflateSync], ['br', zlib.brotliCompressSync], ['identity', (b: Buffer) => b]] as const) {
      const response = await post(p, encoding, encode(Buffer.from(text)), { 'content-encoding': encoding });
      expect(response.status, encoding).toBe(200);
      expect((await readAllLines(baseURL!, p.jobId, encoding)).map((l) => l.text)).toEqual(['héllo', 'wörld']);
    }
    const before = await snapshot(p);
    for (const encoding of ['compress', 'zstd', 'gzip, br']) {
      await expectError(await post(p, 'other', zlib.gzipSync(Buffer.from(text)), { 'content-encoding': encoding }), 415, 'unsupported_media_type');
    }
    await expectError(await post(p, 'other', Buffer.from('not gzip\n'), { 'content-encoding': 'gzip' }), 400, 'bad_request');
    expect(await snapshot(p)).toBe(before);
  });

  test('a 1 GiB gzip bomb is refused in under a second with nothing stored', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('bomb'));
    const bomb = gzipBomb(1024);
    const before = await snapshot(p);
    const started = performance.now();
    const response = await post(p, 'bomb', bomb, { 'content-encoding': 'gzip' });
    await expectError(response, 413, 'too_large');
    const elapsed = performance.now() - started;
    console.log(`gzip bomb (${bomb.length} bytes → 1 GiB) refused in ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(1000);
    expect(await snapshot(p)).toBe(before);
  });

  test('a completed job is immutable: PUT job/step, lines and complete are 409 job_completed', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('done'), { title: 'Build', labels: { a: '1' }, steps: [{ id: 's' }] });
    await sendLines(p, 's', 1, ['one']);
    await completeJob(p, 'success');
    const before = await snapshot(p);
    const json = { 'content-type': 'application/json', ...auth(p) };
    const put = (body: object) => fetch(`${api(baseURL)}/jobs/${p.jobId}`, { method: 'PUT', headers: json, body: JSON.stringify(body) });
    for (const body of [{ title: 'Rewritten' }, { labels: { a: '2' } }, { steps: [{ id: 'late' }] }, { steps: [{ id: 's', name: 'Renamed' }] }]) {
      await expectError(await put(body), 409, 'job_completed');
    }
    await expectError(await fetch(`${api(baseURL)}/jobs/${p.jobId}/steps/s`, { method: 'PUT', headers: json, body: JSON.stringify({ name: 'x' }) }), 409, 'job_completed');
    await expectError(await post(p, 's', 'late\n'), 409, 'job_completed');
    await expectError(await post(p, 's', 'late\n', {}, '?first=2'), 409, 'job_completed');
    for (const status of ['success', 'failure']) {
      await expectError(await fetch(`${api(baseURL)}/jobs/${p.jobId}/complete`, { method: 'POST', headers: json, body: JSON.stringify({ status }) }), 409, 'job_completed');
    }
    // a PUT that changes nothing (a retry) is answered with the job as it is
    const same = await put({ title: 'Build' });
    expect(same.status).toBe(200);
    expect(await snapshot(p)).toBe(before);
  });

  test('credentials are checked before the body is read', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('auth'));
    const { hostname, port } = new URL(baseURL!);
    /** A request whose body never ends: only an answer given before reading it arrives. */
    const neverEnding = (method: string, route: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ hostname, port, method, path: `/api/v1${route}`, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers } });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
        req.on('error', reject);
        req.write('{"title": "');
        setTimeout(() => {
          req.destroy();
          reject(new Error(`${method} ${route}: no answer while the body was open`));
        }, 5000);
      });
    const routes: [string, string][] = [
      ['PUT', `/jobs/${p.jobId}`],
      ['PUT', `/jobs/${p.jobId}/steps/s`],
      ['POST', `/jobs/${p.jobId}/steps/s/lines`],
      ['POST', `/jobs/${p.jobId}/complete`],
    ];
    for (const [method, route] of routes) {
      const none = await neverEnding(method, route, {});
      expect(none.status, `${method} ${route}`).toBe(401);
      expect(JSON.parse(none.body).error.code).toBe('unauthorized');
      const wrong = await neverEnding(method, route, { authorization: 'Bearer forged' });
      expect(wrong.status, `${method} ${route}`).toBe(403);
    }
    expect((await getJob(baseURL!, p.jobId)).title).toBe('');
  });

  test('steps and groups per job are capped: 409 quota_exceeded naming the limit, nothing stored', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('quota'));
    const json = { 'content-type': 'application/json', ...auth(p) };
    for (let from = 0; from < 1000; from += 500) {
      const steps = Array.from({ length: 500 }, (_, i) => ({ id: `s${from + i}` }));
      const response = await fetch(`${api(baseURL)}/jobs/${p.jobId}`, { method: 'PUT', headers: json, body: JSON.stringify({ steps }) });
      expect(response.status).toBe(200);
    }
    const before = await snapshot(p);
    const quota = { limit: 'steps_per_job', max: 1000 };
    expect(await expectError(await fetch(`${api(baseURL)}/jobs/${p.jobId}/steps/extra`, { method: 'PUT', headers: json, body: '{}' }), 409, 'quota_exceeded')).toMatchObject(quota);
    expect(await expectError(await post(p, 'extra', 'a line\n'), 409, 'quota_exceeded')).toMatchObject(quota);
    expect(await expectError(await fetch(`${api(baseURL)}/jobs/${p.jobId}`, { method: 'PUT', headers: json, body: JSON.stringify({ steps: [{ id: 'extra' }] }) }), 409, 'quota_exceeded')).toMatchObject(quota);
    expect(await snapshot(p)).toBe(before);

    // groups: ingest opens at most 1000 per step; markers past it are kept as plain lines
    const markers = Array.from({ length: 1001 }, (_, i) => `::group::g${i}\n::endgroup::`).join('\n') + '\n';
    expect((await post(p, 's1', markers)).status).toBe(200);
    const step = (await getJob(baseURL!, p.jobId)).steps.find((s) => s.id === 's1');
    expect(step?.groups).toHaveLength(1000);
    expect(step?.lines).toBe(2002);
  });

  test('a job stores at most LOGSCOPE_MAX_JOB_BYTES of text: 409 quota_exceeded, nothing of the batch stored', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-quota-'));
    const port = Number(process.env.LOGSCOPE_E2E_PORT ?? 3100) + 1;
    const server = await startLogscope(port, `file:${dir}`, { LOGSCOPE_MAX_JOB_BYTES: '1000' });
    try {
      const p = await createJob(server.url, uniqueJobId('bytes'));
      await sendLines(p, 'a', 1, ['x'.repeat(600)]);
      const before = await snapshot(p);
      const error = await expectError(await post(p, 'b', `${'y'.repeat(300)}\n${'z'.repeat(200)}\n`), 409, 'quota_exceeded');
      expect(error).toMatchObject({ limit: 'job_bytes', max: 1000 });
      expect(await snapshot(p)).toBe(before);
      expect((await post(p, 'a', `${'y'.repeat(400)}\n`)).status).toBe(200);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
