import { expect, test } from '@playwright/test';
import http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { completeJob, createJob, sendLines, uniqueJobId } from '../test/support';

/** HTTP contract checks (docs/api.md) against the real server: status codes, bodies, streaming. */

const api = (baseURL: string | undefined) => `${baseURL}/api/v1`;

test.describe('API contract', () => {
  test('ids outside the pattern are 400 JSON errors, never paths', async ({ request, baseURL }) => {
    // Dot segments never reach a route (the URL is normalised first); they still answer JSON.
    for (const id of ['%2e%2e', '%2e%2e%2f%2e%2e%2fetc']) {
      const response = await request.get(`${api(baseURL)}/jobs/${id}`);
      expect([400, 404], id).toContain(response.status());
      expect((await response.json()).error.code, id).toMatch(/bad_request|not_found/);
    }
    for (const id of ['.hidden', '-dash', 'a%2Fb', 'a%00b', 'x'.repeat(129), 'a%20b', '%3Cscript%3E']) {
      const response = await request.get(`${api(baseURL)}/jobs/${id}`);
      expect(response.status(), id).toBe(400);
      expect((await response.json()).error.code).toBe('bad_request');
      const put = await request.put(`${api(baseURL)}/jobs/${id}`, { data: {} });
      expect(put.status(), `PUT ${id}`).toBe(400);
    }
    const step = await request.get(`${api(baseURL)}/jobs/ok/steps/${'s'.repeat(65)}/lines`);
    expect(step.status()).toBe(400);
  });

  test('write tokens are scoped to one job', async ({ request, baseURL }) => {
    const a = await createJob(baseURL!, uniqueJobId('tok-a'));
    const b = await createJob(baseURL!, uniqueJobId('tok-b'));
    const url = `${api(baseURL)}/jobs/${a.jobId}/steps/s1/lines`;
    const line = JSON.stringify({ n: 1, text: 'x' });
    const headers = (token?: string) => ({ 'content-type': 'application/x-ndjson', ...(token ? { authorization: `Bearer ${token}` } : {}) });
    expect((await request.post(url, { headers: headers(), data: line })).status()).toBe(401);
    expect((await request.post(url, { headers: headers(b.token), data: line })).status()).toBe(403);
    expect((await request.post(url, { headers: headers('forged'), data: line })).status()).toBe(403);
    const ok = await request.post(url, { headers: headers(a.token), data: line });
    expect(ok.status()).toBe(200);
    expect(await ok.json()).toEqual({ accepted: 1, duplicates: 0, last: 1 });
    // Re-creating an existing job needs its token: a second creator gets no token.
    expect((await request.put(`${api(baseURL)}/jobs/${a.jobId}`, { data: { title: 'stolen' } })).status()).toBe(401);
    const renamed = await request.put(`${api(baseURL)}/jobs/${a.jobId}`, { data: { title: 'renamed' }, headers: { authorization: `Bearer ${a.token}` } });
    expect(renamed.status()).toBe(200);
  });

  test('gaps, malformed lines, oversized lines and late writes are refused and change nothing', async ({ request, baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('bad'));
    const post = (data: string | Buffer, type = 'application/x-ndjson') =>
      request.post(`${api(baseURL)}/jobs/${p.jobId}/steps/s/lines`, { headers: { 'content-type': type, authorization: `Bearer ${p.token}` }, data });
    await sendLines(p, 's', 1, ['one', 'two']);

    const gap = await post(JSON.stringify({ n: 5, text: 'five' }));
    expect(gap.status()).toBe(409);
    expect((await gap.json()).error).toMatchObject({ code: 'line_gap', expected: 3 });

    const malformed = await post(`${JSON.stringify({ n: 3, text: 'three' })}\n{"n":4,"text":\n${JSON.stringify({ n: 5, text: 'five' })}\n`);
    expect(malformed.status()).toBe(400);
    expect((await malformed.json()).error).toMatchObject({ code: 'bad_request', last: 3 });

    const huge = await post(Buffer.from(`${'a'.repeat(1024 * 1024 + 10)}\n`), 'text/plain');
    expect(huge.status()).toBe(413);

    const wrongType = await post('x', 'application/json');
    expect(wrongType.status()).toBe(400);

    const range = await request.get(`${api(baseURL)}/jobs/${p.jobId}/steps/s/lines?from=1&limit=10`);
    expect((await range.json()).lines.map((l: { text: string }) => l.text)).toEqual(['one', 'two', 'three']);
    expect((await request.get(`${api(baseURL)}/jobs/${p.jobId}/steps/s/lines?limit=5001`)).status()).toBe(400);

    await completeJob(p, 'success');
    const late = await post(JSON.stringify({ n: 4, text: 'late' }));
    expect(late.status()).toBe(409);
    expect((await late.json()).error.code).toBe('job_completed');
  });

  test('lines of a streamed request reach readers while it is still open', async ({ request, baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('stream'));
    const url = new URL(`${api(baseURL)}/jobs/${p.jobId}/steps/s/lines?first=1`);
    const upload = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${p.token}`, 'transfer-encoding': 'chunked' },
    });
    const answer = new Promise<string>((resolve, reject) => {
      upload.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      });
      upload.on('error', reject);
    });
    const stored = async () => {
      const response = await request.get(`${api(baseURL)}/jobs/${p.jobId}/steps/s/lines`);
      return response.ok() ? ((await response.json()).lines as unknown[]).length : 0;
    };
    upload.write('first line\nsecond ');
    await expect.poll(stored, { timeout: 10_000 }).toBe(1);
    upload.write('line\nthird line\n');
    await expect.poll(stored, { timeout: 10_000 }).toBe(3);
    upload.end('fourth');
    expect(JSON.parse(await answer)).toEqual({ accepted: 4, duplicates: 0, last: 4 });
  });

  test('the events stream replays, resumes after any cursor, and ends', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('sse'), { steps: [{ id: 'a', name: 'A' }] });
    await sendLines(p, 'a', 1, ['progress 1%\rprogress 100%', 'two']);
    await sendLines(p, 'a', 3, ['three']);
    await completeJob(p, 'success');

    const read = async (headers: Record<string, string> = {}, query = '') => {
      const response = await fetch(`${api(baseURL)}/jobs/${p.jobId}/events${query}`, { headers });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const events: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (e) => events.push(e) });
      parser.feed(await response.text());
      return events;
    };
    const all = await read();
    expect(all.at(-1)?.event).toBe('end');
    const lines = all.filter((e) => e.event === 'lines').flatMap((e) => JSON.parse(e.data).lines as { n: number; text: string }[]);
    expect(lines.map((l) => l.n)).toEqual([1, 2, 3]);
    expect(lines[0]?.text).toContain('progress 100%');
    expect(lines[0]?.text).not.toContain('\r');
    for (let i = 0; i < all.length; i++) {
      const rest = await read({ 'last-event-id': all[i]!.id! });
      const expected = all.slice(i + 1).map((e) => e.id);
      expect(rest.map((e) => e.id)).toEqual(i === all.length - 1 ? [all[i]!.id] : expected);
      expect(rest.at(-1)?.event).toBe('end');
    }
    const viaQuery = await read({}, `?after=${encodeURIComponent(all[0]!.id!)}`);
    expect(viaQuery.map((e) => e.id)).toEqual(all.slice(1).map((e) => e.id));
    expect((await fetch(`${api(baseURL)}/jobs/no-such-job/events`)).status).toBe(404);
  });

  test('the raw log downloads as ANSI or plain text', async ({ request, baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('dl'), { steps: [{ id: 'a', name: 'Alpha' }] });
    await sendLines(p, 'a', 1, ['\x1b[31mred\x1b[0m plain', 'second']);
    const ansi = await (await request.get(`${api(baseURL)}/jobs/${p.jobId}/log?step=a`)).text();
    expect(ansi).toContain('\x1b[31m');
    const text = await (await request.get(`${api(baseURL)}/jobs/${p.jobId}/log?format=text`)).text();
    expect(text).toBe('=== Alpha (running)\nred plain\nsecond\n');
  });
});

test('a cursor the store cannot parse ends the stream with an error and a long retry', async ({ baseURL }) => {
  const p = await createJob(baseURL!, uniqueJobId('badcursor'));
  await sendLines(p, 's', 1, ['one']);
  const response = await fetch(`${baseURL}/api/v1/jobs/${p.jobId}/events?after=not-a-cursor`);
  const text = await response.text();
  const events: EventSourceMessage[] = [];
  createParser({ onEvent: (e) => events.push(e) }).feed(text);
  expect(events.map((e) => e.event)).toEqual(['error']);
  expect(JSON.parse(events[0]!.data).code).toBe('bad_request');
  expect(text).toContain(`retry: ${24 * 60 * 60 * 1000}`);
});
