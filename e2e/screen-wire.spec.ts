import { expect, test } from '@playwright/test';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { completeJob, createJob, getJob, readAllLines, sendLines, uniqueJobId, type Producer } from '../test/support';

/**
 * The terminal screen (issue 13) through the HTTP API: producer numbers vs stored lines in the
 * answers, `update` events on the stream (step filter, resume by Last-Event-ID), search, the
 * `raw` download beside the final-text ones, and the NDJSON export.
 */

const api = (baseURL: string | undefined) => `${baseURL}/api/v1`;
const ESC = '\x1b';
const PULL = [
  'layer a: waiting',
  'layer b: waiting',
  `${ESC}[2A${ESC}[2Klayer a: 50%`,
  `${ESC}[2Klayer b: 10%`,
  `${ESC}[2A${ESC}[2K${ESC}[32mlayer a: done${ESC}[0m`,
  `${ESC}[2Klayer b: done`,
  'pulled',
];
const SHOWN = ['layer a: done', 'layer b: done', 'pulled'];
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

async function post(p: Producer, step: string, body: string, type: string, query = '') {
  const response = await fetch(`${p.baseURL}/api/v1/jobs/${p.jobId}/steps/${step}/lines${query}`, {
    method: 'POST',
    headers: { 'content-type': type, authorization: `Bearer ${p.token}` },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function events(baseURL: string, jobId: string, headers: Record<string, string> = {}, query = ''): Promise<EventSourceMessage[]> {
  const response = await fetch(`${api(baseURL)}/jobs/${jobId}/events${query}`, { headers });
  const out: EventSourceMessage[] = [];
  createParser({ onEvent: (e) => out.push(e) }).feed(await response.text());
  return out;
}

test.describe('terminal screen over the wire', () => {
  test('a numbered producer redraws: answers, metadata, lines, retries, gaps', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('screen-n'), { steps: [{ id: 'pull', name: 'Pull' }] });
    expect(await sendLines(p, 'pull', 1, PULL.slice(0, 4))).toEqual({ accepted: 4, duplicates: 0, last: 4, lines: 2 });
    // a retry from line 3 with the rest: lines 3-4 are duplicates, nothing is redrawn twice
    expect(await sendLines(p, 'pull', 3, PULL.slice(2))).toEqual({ accepted: 3, duplicates: 2, last: 7, lines: 3 });
    const step = (await getJob(baseURL!, p.jobId)).steps.find((s) => s.id === 'pull');
    expect(step).toMatchObject({ lines: 3, produced: 7 });
    expect((await readAllLines(baseURL!, p.jobId, 'pull')).map((l) => plain(l.text))).toEqual(SHOWN);
    const gap = await post(p, 'pull', JSON.stringify({ n: 9, text: 'x' }), 'application/x-ndjson');
    expect(gap.status).toBe(409);
    expect(gap.body).toMatchObject({ error: { code: 'line_gap', expected: 8 } });
  });

  test('a raw producer (text/plain without first) draws a progress display', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('screen-raw'));
    const up = `${ESC}[1A${ESC}[2K`;
    expect((await post(p, 'get', `fetching\n${up}fetching 40%\n`, 'text/plain')).body).toEqual({ accepted: 2, duplicates: 0, last: 2, lines: 1 });
    expect((await post(p, 'get', `${up}fetching 100%\nunpacking\n`, 'text/plain')).body).toEqual({ accepted: 2, duplicates: 0, last: 4, lines: 2 });
    expect((await readAllLines(baseURL!, p.jobId, 'get')).map((l) => l.text)).toEqual(['fetching 100%', 'unpacking']);
  });

  test('update events stream live and on replay, with the step filter and Last-Event-ID', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('screen-sse'), { steps: [{ id: 'pull' }, { id: 'other' }] });
    await sendLines(p, 'pull', 1, PULL.slice(0, 2));
    await sendLines(p, 'other', 1, ['other one']);
    await sendLines(p, 'pull', 3, PULL.slice(2, 4));
    await sendLines(p, 'pull', 5, PULL.slice(4));
    await completeJob(p, 'success');
    const all = await events(baseURL!, p.jobId);
    const updates = all.filter((e) => e.event === 'update');
    // one event per stored batch (a request's lines may come in more than one)
    expect(updates.flatMap((e) => JSON.parse(e.data).lines.map((l: { n: number; text: string }) => [l.n, plain(l.text)]))).toEqual([
      [1, 'layer a: 50%'],
      [2, 'layer b: 10%'],
      [1, 'layer a: done'],
      [2, 'layer b: done'],
    ]);
    expect(updates.every((e) => e.id && JSON.parse(e.data).step === 'pull')).toBe(true);
    // a viewer applying the events in order holds the step's current text
    const held = new Map<number, string>();
    for (const e of all) if ((e.event === 'lines' || e.event === 'update') && JSON.parse(e.data).step === 'pull') for (const l of JSON.parse(e.data).lines) held.set(l.n, plain(l.text));
    expect([...held.values()]).toEqual(SHOWN);
    // resume right after the first update: the rest exactly
    const at = all.indexOf(updates[0]!);
    const rest = await events(baseURL!, p.jobId, { 'last-event-id': updates[0]!.id! });
    expect(rest.map((e) => e.id)).toEqual(all.slice(at + 1).map((e) => e.id));
    // the other step's viewer gets no update
    const other = await events(baseURL!, p.jobId, {}, '?step=other');
    expect(other.some((e) => e.event === 'update')).toBe(false);
    expect(other.at(-1)?.event).toBe('end');
  });

  test('downloads: ansi and text give the final text, raw what was sent (masked); export and search see the final text', async ({ request, baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('screen-dl'), { steps: [{ id: 'pull', name: 'Pull' }, { id: 'auth', name: 'Auth' }] });
    await sendLines(p, 'pull', 1, PULL);
    await sendLines(p, 'auth', 1, ['::add-mask::hunter2-SECRET', 'login hunter2-SECRET', `half hunter2-${ESC}[1mSECRET${ESC}[0m`]);
    const base = `${api(baseURL)}/jobs/${p.jobId}`;
    const text = await (await request.get(`${base}/log?step=pull&format=text`)).text();
    expect(text).toBe(`${SHOWN.join('\n')}\n`);
    const ansi = await (await request.get(`${base}/log?step=pull`)).text();
    expect(ansi.split('\n').map(plain).slice(0, 3)).toEqual(SHOWN);
    const raw = await request.get(`${base}/log?step=pull&format=raw`);
    expect(raw.headers()['content-disposition']).toBe(`attachment; filename="${p.jobId}-pull.raw.log"`);
    expect(await raw.text()).toBe(`${PULL.join('\n')}\n`);
    const whole = await (await request.get(`${base}/log?format=raw`)).text();
    expect(whole).toBe(
      `${ESC}[1m=== Pull (running)${ESC}[0m\n${PULL.join('\n')}\n${ESC}[1m=== Auth (running)${ESC}[0m\n::add-mask::***\nlogin ***\nhalf ***\n`,
    );
    expect(whole).not.toContain('SECRET');
    const exported = (await (await request.get(`${base}/export?step=pull&ansi=strip`)).text()).trim().split('\n').map((l) => JSON.parse(l).text);
    expect(exported).toEqual(SHOWN);
    const waiting = await (await request.get(`${base}/search?q=waiting`)).json();
    expect(waiting).toMatchObject({ total: 0, matches: [] });
    const done = await (await request.get(`${base}/search?q=done`)).json();
    expect(done.matches.map((m: { n: number }) => m.n)).toEqual([1, 2]);
  });
});
