import http from 'node:http';
import { expect, test } from '@playwright/test';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { RANGE_BYTES, SSE_FRAME_BYTES, SSE_PER_CLIENT, lineBytes } from '../lib/limits';
import { completeJob, createJob, sendLines, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';

/**
 * Issue 8 "Byte budgets" and "Connections", against the real server (its default limits,
 * lib/limits.ts): a range of 1 MiB lines is shortened and says so, a large `lines` event goes
 * out in several frames, and the event-stream cap per client answers 429 and frees its slot.
 */

test.describe.configure({ mode: 'serial' });

const MiB = 1024 * 1024;
/** 1 MiB lines, just under MAX_LINE_BYTES once JSON-escaped in the NDJSON body */
const bigLine = (n: number) => `${n} `.padEnd(MiB - 200, String.fromCharCode(97 + (n % 26)));

interface Opened {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Promise<string>;
  close(): void;
}

/** A raw GET that stays open (the event stream) until `close`; `body` is the whole answer of a refusal. */
function openStream(url: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
      let text = '';
      const body = new Promise<string>((done) => {
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => done(text));
        response.on('close', () => done(text));
      });
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

test('a range of 1 MiB lines is shortened to the byte budget and says where to go on', async ({ baseURL }) => {
  const p = await createJob(baseURL!, uniqueJobId('limits-range'), { steps: [{ id: 'big' }] });
  for (let n = 1; n <= 6; n += 2) await sendLines(p, 'big', n, [bigLine(n), bigLine(n + 1)]);
  await completeJob(p, 'success');

  const fits = Math.floor(RANGE_BYTES / lineBytes(bigLine(1)));
  const first = await fetch(`${baseURL}/api/v1/jobs/${p.jobId}/steps/big/lines?from=1&limit=5000`);
  expect(first.status).toBe(200);
  const range = (await first.json()) as { lines: { n: number; text: string }[]; last: number; truncated?: boolean; next?: number };
  expect(range.lines.map((l) => l.n)).toEqual(Array.from({ length: fits }, (_, i) => i + 1));
  expect(range).toMatchObject({ last: 6, truncated: true, next: fits + 1 });
  expect(range.lines[0]?.text).toBe(bigLine(1));

  const rest = (await (await fetch(`${baseURL}/api/v1/jobs/${p.jobId}/steps/big/lines?from=${range.next}&limit=5000`)).json()) as typeof range;
  expect(rest.lines.map((l) => l.n)).toEqual(Array.from({ length: 6 - fits }, (_, i) => fits + i + 1));
  expect(rest.truncated).toBeUndefined();
  expect(rest.next).toBeUndefined();
});

test('the viewer shows every line of a page the server cut short', async ({ page, baseURL }) => {
  const p = await createJob(baseURL!, uniqueJobId('limits-view'), { steps: [{ id: 'big', name: 'Big' }] });
  for (let n = 1; n <= 6; n += 2) await sendLines(p, 'big', n, [bigLine(n), bigLine(n + 1)]);
  await sendLines(p, 'big', 7, ['the short last line']);
  await completeJob(p, 'success');
  const log = new LogPage(page);
  // the step's own page: on the job page a passed step starts collapsed
  await log.gotoStep(p.jobId, 'big');
  await expect(log.line('big', 7)).toContainText('the short last line');
  await expect(log.lines('big')).toHaveCount(7);
});

test('lines larger than a frame go out in frames within the budget, in order', async ({ baseURL }) => {
  const p = await createJob(baseURL!, uniqueJobId('limits-frames'), { steps: [{ id: 's' }] });
  const texts = Array.from({ length: 6 }, (_, i) => `${i + 1} `.padEnd(120 * 1024, 'f'));
  await sendLines(p, 's', 1, texts);
  await completeJob(p, 'success');
  const body = await (await fetch(`${baseURL}/api/v1/jobs/${p.jobId}/events`)).text();
  const events: EventSourceMessage[] = [];
  createParser({ onEvent: (e) => events.push(e) }).feed(body);
  const lines = events.filter((e) => e.event === 'lines');
  // the producer's lines may be stored as one event or several; either way no frame passes the
  // budget, and a frame without an id is always followed by the rest of its event
  expect(lines.length).toBeGreaterThanOrEqual(Math.ceil((6 * 120 * 1024) / SSE_FRAME_BYTES));
  for (const frame of lines) expect(Buffer.byteLength(frame.data)).toBeLessThanOrEqual(SSE_FRAME_BYTES);
  expect(lines.at(-1)?.id).toBeTruthy();
  const got = lines.flatMap((e) => (JSON.parse(e.data) as { lines: { n: number; text: string }[] }).lines);
  expect(got.map((l) => l.n)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(got.map((l) => l.text)).toEqual(texts);
  expect(events.at(-1)?.event).toBe('end');
});

test(`the event stream past ${SSE_PER_CLIENT} per client gets 429, and works again after one closes`, async ({ baseURL }) => {
  const p = await createJob(baseURL!, uniqueJobId('limits-sse'), { steps: [{ id: 's' }] });
  await sendLines(p, 's', 1, ['one']);
  const url = `${baseURL}/api/v1/jobs/${p.jobId}/events`;
  const open: Opened[] = [];
  try {
    for (let i = 0; i < SSE_PER_CLIENT; i++) {
      const stream = await openStream(url);
      open.push(stream);
      expect(stream.status).toBe(200);
    }
    const refused = await openStream(url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['content-type']).toContain('application/json');
    expect(JSON.parse(await refused.body)).toMatchObject({ error: { code: 'too_many_requests' } });

    open.shift()?.close();
    // the server sees the close and gives the slot back
    await expect
      .poll(
        async () => {
          const again = await openStream(url);
          if (again.status === 200) open.push(again);
          else again.close();
          return again.status;
        },
        { timeout: 10_000 },
      )
      .toBe(200);
    const another = await openStream(url);
    another.close();
    expect(another.status).toBe(429);
  } finally {
    for (const stream of open) stream.close();
  }
  // every slot is back once the streams are gone
  await expect
    .poll(
      async () => {
        const again = await openStream(url);
        again.close();
        return again.status;
      },
      { timeout: 10_000 },
    )
    .toBe(200);
  await completeJob(p, 'success');
});
