import { gzipSync } from 'node:zlib';
import { expect } from '@playwright/test';
import type { JobMeta } from '../../lib/contracts';
import { BUILD_LINES, Ctx, INGEST_KEY, SEARCH_LINES, expectError, expectOk, jobRef, type Fixture, type Job } from './context';
import { chunk, errorOf, head, jsonOf, prng, sleep, type Answer, type Wire } from './http';

/**
 * Issue 8's bad-input table: each case sends something hostile or careless and asserts the
 * exact answer (status, error code, details) and what is stored. The runner
 * (e2e/bad-input.spec.ts) runs every case against every backend and checks around each one
 * that the shared fixture jobs did not change at all; cases that must store something do it
 * in a fresh job and assert exactly what it holds.
 */

export type Category = 'framing' | 'content' | 'ids and paths' | 'streaming and disconnects' | 'search' | 'limits' | 'auth and headers';

export interface CaseSpec {
  name: string;
  run(t: Ctx): Promise<void>;
}

export interface BadInputCase extends CaseSpec {
  category: Category;
}

/** Server settings the suite runs with, so that limits are reached with small inputs. */
export const LIMITS = {
  maxBodyBytes: 4 * 1024 * 1024,
  rangeBytes: 32 * 1024,
  ssePerClient: 6,
  queueBytes: 1024 * 1024,
  masksPerJob: 3,
  jobBytes: 16 * 1024 * 1024,
  /** a connection silent both ways this long is closed (a reader that never reads, too) */
  idleTimeoutMs: 4_000,
};

export const SERVER_ENV: Record<string, string> = {
  LOGSCOPE_INGEST_KEY: INGEST_KEY,
  LOGSCOPE_MAX_BODY_BYTES: String(LIMITS.maxBodyBytes),
  LOGSCOPE_RANGE_BYTES: String(LIMITS.rangeBytes),
  LOGSCOPE_SSE_PER_CLIENT: String(LIMITS.ssePerClient),
  LOGSCOPE_QUEUE_BYTES: String(LIMITS.queueBytes),
  LOGSCOPE_MAX_MASKS_PER_JOB: String(LIMITS.masksPerJob),
  LOGSCOPE_MAX_JOB_BYTES: String(LIMITS.jobBytes),
  LOGSCOPE_IDLE_TIMEOUT_MS: String(LIMITS.idleTimeoutMs),
};

const MiB = 1024 * 1024;
const NDJSON = 'application/x-ndjson';
const nd = (records: unknown[]) => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
const build = (t: Ctx) => t.fx.victim.lines('build');
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** Every route of the API with `id` in place of the job id (and `s` as step). */
function apiRoutes(id: string): [string, string][] {
  return [
    ['GET', `/api/v1/jobs/${id}`],
    ['PUT', `/api/v1/jobs/${id}`],
    ['GET', `/api/v1/jobs/${id}/steps/s`],
    ['PUT', `/api/v1/jobs/${id}/steps/s`],
    ['GET', `/api/v1/jobs/${id}/steps/s/lines`],
    ['POST', `/api/v1/jobs/${id}/steps/s/lines`],
    ['POST', `/api/v1/jobs/${id}/complete`],
    ['GET', `/api/v1/jobs/${id}/events`],
    ['GET', `/api/v1/jobs/${id}/log`],
    ['GET', `/api/v1/jobs/${id}/search?q=x`],
    ['GET', `/api/v1/jobs/${id}/runs`],
    ['GET', `/api/v1/jobs/${id}/diff`],
    ['GET', `/api/v1/jobs/${id}/diff?base=other&step=s`],
  ];
}

/** Every route with the fixture's job and `step` in place of the step id. */
function stepRoutes(job: string, step: string): [string, string][] {
  return [
    ['GET', `/api/v1/jobs/${job}/steps/${step}`],
    ['PUT', `/api/v1/jobs/${job}/steps/${step}`],
    ['GET', `/api/v1/jobs/${job}/steps/${step}/lines`],
    ['POST', `/api/v1/jobs/${job}/steps/${step}/lines`],
  ];
}

async function everyRoute(t: Ctx, routes: [string, string][], expectAnswer: (a: Answer, route: string) => void, token?: string): Promise<void> {
  for (const [method, path] of routes) {
    const body = method === 'GET' ? undefined : method === 'POST' && path.endsWith('/lines') ? 'a line\n' : '{}';
    const headers: Record<string, string> = token ? auth(token) : {};
    if (body !== undefined) headers['content-type'] = path.endsWith('/lines') ? 'text/plain' : 'application/json';
    const answer = await t.wire.send(method, path, { headers, ...(body !== undefined ? { body } : {}) });
    expectAnswer(answer, `${method} ${path}`);
  }
}

const expectBadPath = (a: Answer, route: string) => {
  expect(a.status, `${route}: ${a.text.slice(0, 200)}`).toBe(400);
  expect(jsonOf<{ error: { code: string } }>(a).error.code, route).toBe('bad_request');
};

/** Writes `text` to step `s` of a fresh job and returns its stored texts. */
async function storeText(t: Ctx, tag: string, body: string | Buffer, type = 'text/plain'): Promise<{ job: Job; answer: Answer; texts: string[] }> {
  const job = await t.fresh(tag);
  const answer = await t.wire.lines(job.lines('s'), body, job.token, type);
  return { job, answer, texts: await t.texts(job, 's') };
}

/** A fresh job that stored `texts` in step `s` exactly and answered 200 with all of them. */
async function expectStoredAs(t: Ctx, tag: string, body: string | Buffer, expected: string[], type = 'text/plain'): Promise<Job> {
  const { job, answer, texts } = await storeText(t, tag, body, type);
  expect(expectOk(answer)).toEqual({ accepted: expected.length, duplicates: 0, last: expected.length });
  expect(texts).toEqual(expected);
  return job;
}

/** Opens an event stream over a raw socket and resolves once its head arrived. */
async function openEvents(t: Ctx, path: string, headers: [string, string][] = []) {
  const socket = await t.wire.openRaw(head('GET', path, [['Accept', 'text/event-stream'], ...headers]));
  const deadline = Date.now() + 10_000;
  while (!socket.received.includes('\r\n\r\n') && Date.now() < deadline) await sleep(10);
  return socket;
}

async function liveViewers(t: Ctx): Promise<number> {
  const health = jsonOf<{ live: { viewers: number } }>(await t.wire.get('/api/health'));
  return health.live.viewers;
}

async function waitViewers(t: Ctx, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await liveViewers(t)) !== count) {
    if (Date.now() > deadline) throw new Error(`live viewers did not come back to ${count} in ${timeoutMs} ms (${await liveViewers(t)})`);
    await sleep(50);
  }
}

/** The events of an SSE answer, parsed loosely (event name, id, data). */
function sseEvents(text: string): { event: string; id?: string; data: string }[] {
  const body = text.includes('\r\n\r\n') ? text.slice(text.indexOf('\r\n\r\n') + 4) : text;
  const events: { event: string; id?: string; data: string }[] = [];
  for (const block of body.split(/\n\n/)) {
    const fields = block.split('\n').filter((l) => l && !l.startsWith(':'));
    const event = fields.find((l) => l.startsWith('event:'))?.slice(6).trim();
    const data = fields.find((l) => l.startsWith('data:'))?.slice(5).trim();
    const id = fields.find((l) => l.startsWith('id:'))?.slice(3).trim();
    if (event && data !== undefined) events.push({ event, data, ...(id ? { id } : {}) });
  }
  return events;
}

// ================================================================ framing

const framing: CaseSpec[] = [
  {
    name: 'lines with an unsupported Content-Type (application/json, text/html, multipart) are 400',
    run: async (t) => {
      for (const type of ['application/json', 'text/html', 'multipart/form-data; boundary=x', 'image/png']) {
        expectError(await t.wire.lines(build(t), '{"n":7,"text":"x"}\n', t.fx.victim.token, type), 400, 'bad_request');
      }
    },
  },
  {
    name: 'JSON where NDJSON is expected: a JSON array body is 400 and stores nothing',
    run: async (t) => {
      const body = JSON.stringify([{ n: 7, text: 'x' }, { n: 8, text: 'y' }]);
      expectError(await t.wire.lines(build(t), body, t.fx.victim.token, NDJSON), 400, 'bad_request', { last: BUILD_LINES.length });
    },
  },
  {
    name: 'NDJSON with a broken record in the middle stores the records before it and nothing after',
    run: async (t) => {
      const job = await t.fresh('broken-record');
      const body = nd([{ n: 1, text: 'one' }, { n: 2, text: 'two' }, '{"n":3,"text":"thr', { n: 4, text: 'four' }]);
      expectError(await t.wire.lines(job.lines('s'), body, job.token, NDJSON), 400, 'bad_request', { last: 2 });
      expect(await t.texts(job, 's')).toEqual(['one', 'two']);
    },
  },
  {
    name: 'NDJSON records of the wrong shape (string, array, null, missing text, bad n, bad stream, extra field) are 400',
    run: async (t) => {
      const next = BUILD_LINES.length + 1;
      const bad = [
        '"just a string"',
        '[1,2]',
        'null',
        JSON.stringify({ n: next }),
        JSON.stringify({ n: 0, text: 'x' }),
        JSON.stringify({ n: -1, text: 'x' }),
        JSON.stringify({ n: 1.5, text: 'x' }),
        JSON.stringify({ n: String(next), text: 'x' }),
        `{"n":1e400,"text":"x"}`,
        JSON.stringify({ n: next, text: 'x', stream: 'stdin' }),
        JSON.stringify({ n: next, text: 'x', ts: 'yesterday' }),
        JSON.stringify({ n: next, text: 'x', ts: -5 }),
        JSON.stringify({ n: next, text: 'x', evil: true }),
        JSON.stringify({ n: next, text: 42 }),
      ];
      for (const record of bad) expectError(await t.wire.lines(build(t), record, t.fx.victim.token, NDJSON), 400, 'bad_request', { last: BUILD_LINES.length });
    },
  },
  {
    name: 'an NDJSON line number past the end is 409 line_gap with the line to send',
    run: async (t) => {
      const answer = await t.wire.lines(build(t), nd([{ n: BUILD_LINES.length + 5, text: 'far' }]), t.fx.victim.token, NDJSON);
      expectError(answer, 409, 'line_gap', { expected: BUILD_LINES.length + 1, last: BUILD_LINES.length });
    },
  },
  {
    name: 'text lines with a bad ?first= or ?stream= are 400 (0, -1, abc, 1.5, 1e400, stream=in)',
    run: async (t) => {
      for (const query of ['first=0', 'first=-1', 'first=abc', 'first=1.5', 'first=1e400', 'stream=in', 'first=']) {
        expectError(await t.wire.lines(`${build(t)}?${query}`, 'x\n', t.fx.victim.token), 400, 'bad_request');
      }
    },
  },
  {
    name: 'PUT job with a body that is not JSON (truncated, BOM, single quotes) is 400',
    run: async (t) => {
      for (const body of ['{"title":', '\ufeff{}', "{'title':'x'}", '{"title":"x"}}', 'undefined']) {
        expectError(await t.wire.json('PUT', t.fx.victim.path, body, t.fx.victim.token), 400, 'bad_request');
      }
    },
  },
  {
    name: 'PUT job with JSON of the wrong shape (array, null, string, unknown field, wrong types) is 400',
    run: async (t) => {
      for (const body of ['[]', 'null', '"x"', '{"bogus":1}', '{"title":5}', '{"labels":["a"]}', '{"steps":[{"id":"../x"}]}', '{"steps":{}}']) {
        expectError(await t.wire.json('PUT', t.fx.victim.path, body, t.fx.victim.token), 400, 'bad_request');
      }
    },
  },
  {
    name: 'PUT job with a JSON body over 256 KiB is 413, sent whole or only announced',
    run: async (t) => {
      const big = JSON.stringify({ title: 'x'.repeat(300 * 1024) });
      expectError(await t.wire.json('PUT', t.fx.victim.path, big, t.fx.victim.token), 413, 'too_large');
      const announced = await t.wire.raw(
        head('PUT', t.fx.victim.path, [['Content-Type', 'application/json'], ['Authorization', `Bearer ${t.fx.victim.token}`], ['Content-Length', String(10 * MiB)]]),
      );
      expect(announced.status).toBe(413);
    },
  },
  {
    name: 'PUT step and complete with bodies that are not JSON or of the wrong shape are 400',
    run: async (t) => {
      const job = await t.fresh('step-body', ['s']);
      await t.unchanged([job], async () => {
        for (const body of ['{', '{"status":"done"}', '{"name":7}', '{"extra":1}', '[]']) {
          expectError(await t.wire.json('PUT', `${job.path}/steps/s`, body, job.token), 400, 'bad_request');
        }
        for (const body of ['', '{', '{"status":"running"}', '{"status":"success","x":1}', 'null']) {
          expectError(await t.wire.json('POST', `${job.path}/complete`, body, job.token), 400, 'bad_request');
        }
      });
    },
  },
  {
    name: 'raw: two different Content-Length headers are refused by the HTTP parser (400)',
    run: async (t) => {
      const body = nd([{ n: BUILD_LINES.length + 1, text: 'smuggled' }]);
      const answer = await t.wire.raw(
        head('POST', build(t), [['Content-Type', NDJSON], ['Authorization', `Bearer ${t.fx.victim.token}`], ['Content-Length', String(body.length)], ['Content-Length', '5']]) + body,
      );
      expect(answer.status).toBe(400);
    },
  },
  {
    name: 'raw: Content-Length together with Transfer-Encoding: chunked is refused (400)',
    run: async (t) => {
      const body = chunk(nd([{ n: BUILD_LINES.length + 1, text: 'smuggled' }])).toString() + '0\r\n\r\n';
      const answer = await t.wire.raw(
        head('POST', build(t), [['Content-Type', NDJSON], ['Authorization', `Bearer ${t.fx.victim.token}`], ['Content-Length', '4'], ['Transfer-Encoding', 'chunked']]) + body,
      );
      expect(answer.status).toBe(400);
    },
  },
  {
    name: 'raw: an unknown Transfer-Encoding and an invalid chunk size are refused (400)',
    run: async (t) => {
      const headers: [string, string][] = [['Content-Type', 'text/plain'], ['Authorization', `Bearer ${t.fx.victim.token}`]];
      const bogus = await t.wire.raw(head('POST', build(t), [...headers, ['Transfer-Encoding', 'bogus']]) + 'x\n');
      expect(bogus.status).toBe(400);
      const badChunk = await t.wire.raw(head('POST', build(t), [...headers, ['Transfer-Encoding', 'chunked']]) + 'zz\r\nsmuggled\n\r\n0\r\n\r\n');
      expect(badChunk.status).toBe(400);
    },
  },
  {
    name: 'raw: a header with a NUL byte, a request without Host, a bare LF request line are refused (400)',
    run: async (t) => {
      const nul = await t.wire.raw(`GET ${t.fx.victim.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Evil: a\u0000b\r\n\r\n`);
      expect(nul.status).toBe(400);
      const noHost = await t.wire.raw(`GET ${t.fx.victim.path} HTTP/1.1\r\nConnection: close\r\n\r\n`);
      expect(noHost.status).toBe(400);
      const folded = await t.wire.raw(`GET ${t.fx.victim.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n\r\n`);
      expect(folded.status).toBe(400);
    },
  },
  {
    name: 'an empty lines body (no body, Content-Length 0) stores nothing and answers 200',
    run: async (t) => {
      for (const type of ['text/plain', NDJSON]) {
        expect(expectOk(await t.wire.lines(build(t), '', t.fx.victim.token, type))).toEqual({ accepted: 0, duplicates: 0, last: BUILD_LINES.length });
      }
    },
  },
];

// ================================================================ content

const C0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== '\n' && c !== '\r' && c !== '\x1b');
const C1 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i));

const content: CaseSpec[] = [
  {
    name: 'NUL in a line is stored as its control picture (text and NDJSON)',
    run: async (t) => {
      await expectStoredAs(t, 'nul', 'a\u0000b\n\u0000\n', ['a\u2400b', '\u2400']);
      await expectStoredAs(t, 'nul-nd', nd([{ n: 1, text: 'x\u0000y' }]), ['x\u2400y'], NDJSON);
    },
  },
  {
    name: 'every C0 control: TAB kept, BEL dropped, the others as control pictures',
    run: async (t) => {
      const { answer, texts } = await storeText(t, 'c0', `<${C0.join('')}>\n`);
      expect(expectOk(answer)).toEqual({ accepted: 1, duplicates: 0, last: 1 });
      expect(texts).toHaveLength(1);
      // no control survives but TAB
      expect(texts[0]).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/);
      expect(texts[0]?.startsWith('<')).toBe(true);
      expect(texts[0]?.endsWith('>')).toBe(true);
    },
  },
  {
    name: 'every C1 control (U+0080–U+009F) becomes U+FFFD',
    run: async (t) => {
      await expectStoredAs(t, 'c1', `c1:${C1.join('')}:end\n`, [`c1:${'\ufffd'.repeat(32)}:end`]);
    },
  },
  {
    name: 'lone surrogates in an NDJSON record become U+FFFD',
    run: async (t) => {
      await expectStoredAs(t, 'surrogate', '{"n":1,"text":"a\\ud800b\\udc00c\\ud83d"}\n{"n":2,"text":"ok \\ud83d\\ude00"}', ['a\ufffdb\ufffdc\ufffd', 'ok \u{1f600}'], NDJSON);
    },
  },
  {
    name: 'invalid UTF-8 in a text body (0xFF, overlong, truncated, encoded surrogate) becomes U+FFFD, the line kept',
    run: async (t) => {
      const body = Buffer.concat([Buffer.from('a'), Buffer.from([0xff, 0xfe]), Buffer.from('b'), Buffer.from([0xc0, 0xae]), Buffer.from('c'), Buffer.from([0xe0, 0xa4]), Buffer.from('\nd'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]);
      const { answer, texts } = await storeText(t, 'bad-utf8', body);
      expect(expectOk(answer)).toEqual({ accepted: 2, duplicates: 0, last: 2 });
      expect(texts).toEqual([new TextDecoder().decode(body.subarray(0, body.indexOf(0x0a))), new TextDecoder().decode(body.subarray(body.indexOf(0x0a) + 1, -1))]);
      expect(texts.join('')).not.toMatch(/[\x80-\x9f]/);
    },
  },
  {
    name: 'invalid UTF-8 inside an NDJSON record is decoded with U+FFFD, not refused',
    run: async (t) => {
      const body = Buffer.concat([Buffer.from('{"n":1,"text":"x'), Buffer.from([0xff, 0xc3]), Buffer.from('y"}\n')]);
      await expectStoredAs(t, 'bad-utf8-nd', body, ['x\ufffd\ufffdy'], NDJSON);
    },
  },
  {
    name: 'U+2028 and U+2029 stay inside their line (one line each, not split)',
    run: async (t) => {
      const job = await expectStoredAs(t, 'u2028', 'a\u2028b\u2029c\nnext\n', ['a\u2028b\u2029c', 'next']);
      // and the event stream carries them inside one data line
      expectOk(await t.wire.json('POST', `${job.path}/complete`, { status: 'success' }, job.token));
      const events = sseEvents((await t.wire.get(`${job.path}/events`, { accept: 'text/event-stream' })).text);
      const lines = events.filter((e) => e.event === 'lines').flatMap((e) => (JSON.parse(e.data) as { lines: { text: string }[] }).lines.map((l) => l.text));
      expect(lines).toEqual(['a\u2028b\u2029c', 'next']);
      expect(events.at(-1)?.event).toBe('end');
    },
  },
  {
    name: 'bidirectional overrides (U+202E, isolates) are stored as sent',
    run: async (t) => {
      const text = 'file\u202Egpj.exe \u2066isolate\u2069 \u200F';
      await expectStoredAs(t, 'rtl', `${text}\n`, [text]);
    },
  },
  {
    name: '5000 CSI parameters in one sequence: answered at once, stored bounded',
    run: async (t) => {
      const started = Date.now();
      const { answer, texts } = await storeText(t, 'csi-params', `\x1b[${'1;'.repeat(5000)}31mred\x1b[0m tail\n`);
      expect(expectOk(answer)).toEqual({ accepted: 1, duplicates: 0, last: 1 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(texts[0]).toContain('red');
      expect(texts[0]).toContain('tail');
      expect(texts[0]!.length).toBeLessThan(200);
    },
  },
  {
    name: 'huge cursor moves and repeats (ESC[999999999C, D, G, @, X, b) do not blow up a line',
    run: async (t) => {
      const moves = ['C', 'D', 'G', '@', 'X', 'b', 'P'].map((f) => `ab\x1b[999999999${f}cd`);
      const started = Date.now();
      const { answer, texts } = await storeText(t, 'cursor', `${moves.join('\n')}\n`);
      expect(expectOk(answer)).toEqual({ accepted: moves.length, duplicates: 0, last: moves.length });
      expect(Date.now() - started).toBeLessThan(5_000);
      for (const text of texts) expect(text.length).toBeLessThan(10_000);
      expect(texts[1]).toBe('cd');
    },
  },
  {
    name: 'a line of exactly 1 MiB is stored whole',
    run: async (t) => {
      const line = 'x'.repeat(MiB);
      const { answer, job } = await storeText(t, 'mib', `${line}\n`);
      if (t.backend === 'nats') {
        // NATS: a message is at most max_payload (1 MiB on a default server) with its envelope,
        // so the longest line is a little under 1 MiB there (reported: docs say 1 MiB).
        expectError(answer, 413, 'too_large', { last: 0 });
        expect(await t.stored(job, 's')).toEqual([]);
        return;
      }
      expect(expectOk(answer)).toEqual({ accepted: 1, duplicates: 0, last: 1 });
      const stored = await t.stored(job, 's');
      expect(stored.map((l) => l.text.length)).toEqual([MiB]);
      expect(stored[0]?.text === line).toBe(true);
    },
  },
  {
    name: 'a line of 1 MiB + 1 byte is 413 (text and NDJSON) and stores nothing of it',
    run: async (t) => {
      const job = await t.fresh('mib-plus');
      expectError(await t.wire.lines(job.lines('s'), `ok\n${'y'.repeat(MiB + 1)}\n`, job.token), 413, 'too_large', { last: 1 });
      expect(await t.texts(job, 's')).toEqual(['ok']);
      expectError(await t.wire.lines(job.lines('s'), nd([{ n: 2, text: `${'é'.repeat(MiB / 2)}z` }]), job.token, NDJSON), 413, 'too_large', { last: 1 });
      expect(await t.texts(job, 's')).toEqual(['ok']);
    },
  },
  {
    name: 'CRLF and CR: CRLF ends a line, a lone CR rewrites it like a terminal',
    run: async (t) => {
      await expectStoredAs(t, 'crlf', 'one\r\ntwo\r\nprogress 10%\rprogress 100%\n', ['one', 'two', 'progress 100%']);
    },
  },
  {
    name: 'OSC 8 links to javascript: and data: are dropped, their text kept; an unterminated OSC is bounded',
    run: async (t) => {
      const body = '\x1b]8;;javascript:alert(1)\x1b\\click\x1b]8;;\x1b\\ me\n\x1b]8;;data:text/html,x\x07data\x1b]8;;\x07\n\x1b]0;' + 'o'.repeat(10_000) + '\n';
      const { answer, texts } = await storeText(t, 'osc', body);
      expect(expectOk(answer)).toEqual({ accepted: 3, duplicates: 0, last: 3 });
      expect(texts[0]).toBe('click me');
      expect(texts[1]).toBe('data');
      expect(texts.join('\n')).not.toContain('javascript:');
      expect(texts[2]!.length).toBeLessThan(20_000);
    },
  },
  {
    name: 'astral characters, combining marks and a BOM are stored exactly',
    run: async (t) => {
      const texts = ['emoji \u{1f600}\u{1f3f3}\u{fe0f}\u200d\u{1f308}', 'e\u0301\u0302\u0303', '\ufeffbom', '\u{10ffff}'];
      await expectStoredAs(t, 'unicode', `${texts.join('\n')}\n`, texts);
    },
  },
  {
    name: '10,000 SGR sequences in a line are answered at once and stored canonical (short)',
    run: async (t) => {
      const { answer, texts } = await storeText(t, 'sgr', `${'\x1b[31m\x1b[0m'.repeat(10_000)}plain\n`);
      expect(expectOk(answer)).toEqual({ accepted: 1, duplicates: 0, last: 1 });
      expect(texts).toEqual(['plain']);
    },
  },
];

// ================================================================ ids and paths

const MALFORMED = ['%', '%zz', '%c0%ae', '%E0%A4%A'];

const idsAndPaths: CaseSpec[] = [
  ...MALFORMED.map(
    (bad): CaseSpec => ({
      name: `malformed percent-encoding ${bad} as the job id: 400 JSON on every route`,
      run: async (t) => {
        await everyRoute(t, apiRoutes(`job${bad}`), expectBadPath, t.fx.victim.token);
        await everyRoute(t, stepRoutes(t.fx.victim.id, `step${bad}`), expectBadPath, t.fx.victim.token);
      },
    }),
  ),
  {
    name: 'malformed percent-encoding in a page path is the 404 page, not a 500',
    run: async (t) => {
      for (const bad of MALFORMED) {
        for (const page of [`/jobs/x${bad}`, `/jobs/${t.fx.victim.id}/steps/s${bad}`, `/embed/jobs/x${bad}`]) {
          const answer = await t.wire.get(page);
          expect(answer.status, page).toBe(404);
          expect(String(answer.headers['content-type']), page).toContain('text/html');
        }
      }
    },
  },
  {
    name: 'malformed percent-encoding in a query string is read literally (400 on numbers, 200 on text)',
    run: async (t) => {
      expectError(await t.wire.get(`${build(t)}?from=%zz`), 400, 'bad_request');
      expectError(await t.wire.get(`${build(t)}?limit=%E0%A4%A`), 400, 'bad_request');
      const search = expectOk<{ matches: unknown[] }>(await t.wire.get(`${t.fx.victim.path}/search?q=%c0%ae%`));
      expect(search.matches).toEqual([]);
    },
  },
  {
    name: 'encoded dot segments (%2e, %2e%2e) resolve as URL dot segments: a redirect or another route, never an id',
    run: async (t) => {
      const v = t.fx.victim;
      const expected: [string, string, number][] = [
        ['GET', '/api/v1/jobs/%2e', 308],
        ['GET', '/api/v1/jobs/%2e%2e', 308],
        ['GET', '/api/v1/jobs/.%2e', 308],
        ['PUT', '/api/v1/jobs/%2e%2e', 308],
        ['GET', '/api/v1/jobs/%2e%2e/steps/s', 404],
        ['GET', '/api/v1/jobs/%2e/steps/s/lines', 404],
        ['POST', '/api/v1/jobs/%2e%2e/steps/s/lines', 404],
        ['GET', '/api/v1/jobs/%2e%2e/events', 404],
        ['GET', `${v.path}/steps/%2e%2e/lines`, 404],
        ['POST', `${v.path}/steps/%2e%2e/lines`, 404],
        ['GET', `${v.path}/steps/%2e`, 308],
      ];
      for (const [method, path, status] of expected) {
        const answer = await t.wire.send(method, path, { headers: { ...auth(v.token), 'content-type': 'text/plain' }, ...(method === 'GET' ? {} : { body: 'x\n' }) });
        expect(answer.status, `${method} ${path}`).toBe(status);
        if (status === 308) expect(String(answer.headers.location), path).toMatch(/^\/api\/v1(\/jobs(\/[^/]+\/steps)?)?$/);
        if (status === 404) expect(errorOf(answer)?.code, path).toBe('not_found');
      }
    },
  },
  {
    name: 'dot ids that are not segments (..%2f..%2fetc, .hidden, ...) are 400 on every route',
    run: async (t) => {
      for (const id of ['..%2f..%2fetc', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '.hidden', '...', '..%5c..%5cwin.ini']) {
        await everyRoute(t, apiRoutes(id), expectBadPath, t.fx.victim.token);
        await everyRoute(t, stepRoutes(t.fx.victim.id, id), expectBadPath, t.fx.victim.token);
      }
    },
  },
  {
    name: 'ids with an encoded slash, backslash, NUL, space, colon or non-ASCII are 400 on every route',
    run: async (t) => {
      for (const id of ['a%2fb', 'a%5cb', 'a%00b', '%00', 'a%20b', 'C%3a', 'j%C3%B6b', 'a%0ab', 'a%2a']) {
        await everyRoute(t, apiRoutes(id), expectBadPath, t.fx.victim.token);
        await everyRoute(t, stepRoutes(t.fx.victim.id, id), expectBadPath, t.fx.victim.token);
      }
    },
  },
  {
    name: 'ids one character too long (job 129, step 65) or starting with - or _ are 400',
    run: async (t) => {
      for (const id of ['j'.repeat(129), '-job', '_job']) await everyRoute(t, apiRoutes(id), expectBadPath, INGEST_KEY);
      for (const id of ['s'.repeat(65), '-s', '_s']) await everyRoute(t, stepRoutes(t.fx.victim.id, id), expectBadPath, t.fx.victim.token);
    },
  },
  {
    name: 'Windows device names (CON, NUL, COM1, LPT1, AUX, PRN, con.txt) are ordinary job and step ids',
    run: async (t) => {
      const names = ['CON', 'NUL', 'COM1', 'LPT1', 'AUX', 'PRN', 'con.txt', 'nul.log'];
      for (const name of names) {
        const created = expectOk<{ job: JobMeta; writeToken: string }>(await t.wire.json('PUT', `/api/v1/jobs/${name}`, { title: `device ${name}` }, INGEST_KEY), 201);
        expect(created.job.id).toBe(name);
        const job = t.job(name, created.writeToken);
        expect(expectOk(await t.wire.lines(job.lines(name), `line of ${name}\n`, job.token))).toEqual({ accepted: 1, duplicates: 0, last: 1 });
      }
      for (const name of names) {
        const meta = await t.meta(name);
        expect(meta.title).toBe(`device ${name}`);
        expect(meta.steps.map((s) => [s.id, s.lines])).toEqual([[name, 1]]);
      }
    },
  },
  {
    name: 'ids that differ only in dots, dashes, underscores or case are different jobs',
    run: async (t) => {
      const ids = ['a.b', 'a..b', 'a_b', 'a-b', 'ab.', 'AB', 'ab', 'a.b.c', 'a.b.'];
      for (const id of ids) expectOk(await t.wire.json('PUT', `/api/v1/jobs/${id}`, { title: `title of ${id}`, steps: [{ id: 'x.y' }] }, INGEST_KEY), 201);
      for (const id of ids) {
        const meta = await t.meta(id);
        expect(meta.title).toBe(`title of ${id}`);
        expect(meta.steps.map((s) => s.id)).toEqual(['x.y']);
      }
    },
  },
  {
    name: 'an unknown path under /api is a 404 JSON error; a method a route does not have is 405',
    run: async (t) => {
      for (const path of ['/api/v1/nope', `${t.fx.victim.path}/nope`, `${build(t)}/nope`, '/api/v2/jobs', '/api/v1/jobs/x/steps']) {
        expectError(await t.wire.get(path), 404, 'not_found');
      }
      for (const [method, path] of [['PATCH', t.fx.victim.path], ['DELETE', build(t)], ['POST', `${t.fx.victim.path}/events`]] as const) {
        const answer = await t.wire.send(method, path, { headers: auth(t.fx.victim.token) });
        expect(answer.status, `${method} ${path}`).toBe(405);
      }
      // DELETE of a job exists, for admin keys only: a write token is refused
      expectError(await t.wire.send('DELETE', t.fx.victim.path, { headers: auth(t.fx.victim.token) }), 403, 'forbidden');
    },
  },
  {
    name: 'unknown jobs and steps are 404 on every route (and writing to them needs no guessable token)',
    run: async (t) => {
      for (const [method, path] of apiRoutes('no-such-job')) {
        const headers: Record<string, string> = { ...auth(t.fx.victim.token) };
        const body = method === 'GET' ? undefined : path.endsWith('/lines') ? 'x\n' : path.endsWith('/complete') ? '{"status":"success"}' : '{}';
        if (body !== undefined) headers['content-type'] = path.endsWith('/lines') ? 'text/plain' : 'application/json';
        const answer = await t.wire.send(method, path, { headers, ...(body !== undefined ? { body } : {}) });
        if (method === 'PUT' && path === '/api/v1/jobs/no-such-job') expectError(answer, 403, 'forbidden');
        else expectError(answer, 404, 'not_found');
      }
      expectError(await t.wire.get(`${t.fx.victim.path}/steps/no-such-step`), 404, 'not_found');
      expectError(await t.wire.get(`${t.fx.victim.path}/steps/no-such-step/lines`), 404, 'not_found');
    },
  },
];

// ================================================================ streaming and disconnects

const streaming: CaseSpec[] = [
  {
    name: 'a chunked text body cut in the middle of a line keeps the lines before it, never the torn one',
    run: async (t) => {
      const job = await t.fresh('cut-text');
      const socket = await t.wire.openRaw(head('POST', job.lines('s'), [['Content-Type', 'text/plain'], ['Authorization', `Bearer ${job.token}`], ['Transfer-Encoding', 'chunked']]));
      await socket.write(chunk('one\ntwo\n'));
      await t.waitForLines(job, 's', 2);
      await socket.write(chunk('thr'));
      await sleep(100);
      socket.cut();
      await sleep(300);
      expect(await t.texts(job, 's')).toEqual(['one', 'two']);
      expect(socket.status).toBe(0);
    },
  },
  {
    name: 'a chunked NDJSON body cut inside a record keeps the records before it',
    run: async (t) => {
      const job = await t.fresh('cut-nd');
      const socket = await t.wire.openRaw(head('POST', job.lines('s'), [['Content-Type', NDJSON], ['Authorization', `Bearer ${job.token}`], ['Transfer-Encoding', 'chunked']]));
      await socket.write(chunk(`${nd([{ n: 1, text: 'one' }, { n: 2, text: 'two' }])}\n`));
      await t.waitForLines(job, 's', 2);
      await socket.write(chunk('{"n":3,"te'));
      await sleep(100);
      socket.cut();
      await sleep(300);
      expect(await t.texts(job, 's')).toEqual(['one', 'two']);
    },
  },
  {
    name: 'a chunk that announces more bytes than it sends, then the cut: nothing torn is stored',
    run: async (t) => {
      const job = await t.fresh('short-chunk');
      const socket = await t.wire.openRaw(head('POST', job.lines('s'), [['Content-Type', 'text/plain'], ['Authorization', `Bearer ${job.token}`], ['Transfer-Encoding', 'chunked']]));
      await socket.write('400\r\nfirst\nsecond\nthi');
      await sleep(200);
      socket.cut();
      await sleep(300);
      const texts = await t.texts(job, 's');
      expect(['first', 'second'].slice(0, texts.length)).toEqual(texts);
    },
  },
  {
    name: 'cuts at random bytes of a Content-Length body: what is stored is a prefix of whole records',
    run: async (t) => {
      const records = Array.from({ length: 40 }, (_, i) => ({ n: i + 1, text: `record ${i + 1} ${'z'.repeat(i * 3)}` }));
      const body = Buffer.from(`${nd(records)}\n`);
      const random = prng(8);
      const cuts = Array.from({ length: 6 }, () => 1 + Math.floor(random() * (body.length - 2)));
      const job = await t.fresh('random-cuts', cuts.map((_, i) => `c${i}`));
      for (const [i, at] of cuts.entries()) {
        const socket = await t.wire.openRaw(
          Buffer.concat([Buffer.from(head('POST', job.lines(`c${i}`), [['Content-Type', NDJSON], ['Authorization', `Bearer ${job.token}`], ['Content-Length', String(body.length)]])), body.subarray(0, at)]),
        );
        await sleep(150);
        socket.cut();
      }
      await sleep(300);
      for (const [i, at] of cuts.entries()) {
        const whole = body.subarray(0, at).toString().split('\n').length - 1;
        const stored = await t.stored(job, `c${i}`);
        expect(stored.length, `cut at ${at}`).toBeLessThanOrEqual(whole);
        expect(stored.map((l) => l.text)).toEqual(records.slice(0, stored.length).map((r) => r.text));
      }
    },
  },
  {
    name: 'cuts at random bytes of a text body never store the partial last line',
    run: async (t) => {
      const texts = Array.from({ length: 40 }, (_, i) => `text line ${i + 1} ${'q'.repeat(i * 2)}`);
      const body = Buffer.from(`${texts.join('\n')}\n`);
      const random = prng(17);
      const cuts = Array.from({ length: 6 }, () => 1 + Math.floor(random() * (body.length - 2)));
      const job = await t.fresh('random-text-cuts', cuts.map((_, i) => `c${i}`));
      for (const [i, at] of cuts.entries()) {
        const socket = await t.wire.openRaw(
          Buffer.concat([Buffer.from(head('POST', job.lines(`c${i}`), [['Content-Type', 'text/plain'], ['Authorization', `Bearer ${job.token}`], ['Content-Length', String(body.length)]])), body.subarray(0, at)]),
        );
        await sleep(150);
        socket.cut();
      }
      await sleep(300);
      for (const [i, at] of cuts.entries()) {
        const whole = body.subarray(0, at).toString().split('\n').length - 1;
        const stored = await t.texts(job, `c${i}`);
        expect(stored.length, `cut at ${at}`).toBeLessThanOrEqual(whole);
        expect(stored).toEqual(texts.slice(0, stored.length));
      }
    },
  },
  {
    name: 'a producer cut off and retrying the same NDJSON body: every line once, the rest counted as duplicates',
    run: async (t) => {
      const job = await t.fresh('retry');
      const body = `${nd(Array.from({ length: 30 }, (_, i) => ({ n: i + 1, text: `r${i + 1}` })))}\n`;
      const socket = await t.wire.openRaw(Buffer.concat([Buffer.from(head('POST', job.lines('s'), [['Content-Type', NDJSON], ['Authorization', `Bearer ${job.token}`], ['Content-Length', String(body.length)]])), Buffer.from(body.slice(0, 100))]));
      await sleep(150);
      socket.cut();
      await sleep(200);
      const before = (await t.stored(job, 's')).length;
      expect(expectOk(await t.wire.lines(job.lines('s'), body, job.token, NDJSON))).toEqual({ accepted: 30 - before, duplicates: before, last: 30 });
      expect(await t.texts(job, 's')).toEqual(Array.from({ length: 30 }, (_, i) => `r${i + 1}`));
    },
  },
  {
    name: 'a client that sends headers announcing a body and then disconnects stores nothing',
    run: async (t) => {
      const socket = await t.wire.openRaw(head('POST', build(t), [['Content-Type', 'text/plain'], ['Authorization', `Bearer ${t.fx.victim.token}`], ['Content-Length', '1000']]));
      await sleep(100);
      socket.cut();
      await sleep(200);
    },
  },
  {
    name: 'a live reader that never reads: writes and /api/health keep answering, the server drops it after the idle timeout',
    run: async (t) => {
      const job = await t.fresh('never-reads');
      const baseline = await liveViewers(t);
      const cursor = String((await t.meta(job)).cursor);
      const reader = await openEvents(t, `${job.path}/events?after=${encodeURIComponent(cursor)}`);
      reader.socket.pause();
      await waitViewers(t, baseline + 1);
      const started = Date.now();
      const line = 'w'.repeat(120 * 1024);
      let n = 0;
      // 10 MiB: past the viewer queue budget, the socket buffers and the live ring's share of it
      for (let round = 0; round < 10; round++) {
        const records = Array.from({ length: 8 }, () => ({ n: ++n, text: line }));
        expect(expectOk(await t.wire.lines(job.lines('s'), nd(records), job.token, NDJSON))).toEqual({ accepted: 8, duplicates: 0, last: n });
        const health = await t.wire.get('/api/health');
        expect(health.status).toBe(200);
        expect(health.ms).toBeLessThan(1_000);
      }
      await waitViewers(t, baseline, Math.max(0, LIMITS.idleTimeoutMs - (Date.now() - started)) + 5_000);
      reader.cut();
      expect((await t.meta(job)).steps[0]?.lines).toBe(n);
    },
  },
  {
    name: 'Last-Event-ID garbage: the stream opens and says bad_request in an error event, retry a day',
    run: async (t) => {
      for (const id of ['garbage', '-1', '1e999', '0x10', '12abc', '\u00e9t\u00e9']) {
        const answer = await t.wire.get(`${t.fx.victim.path}/events`, { accept: 'text/event-stream', 'last-event-id': encodeURI(id) });
        expect(answer.status, id).toBe(200);
        const errors = sseEvents(answer.text).filter((e) => e.event === 'error');
        expect(errors.map((e) => (JSON.parse(e.data) as { code: string }).code), id).toEqual(['bad_request']);
        expect(answer.text).toContain('retry: 86400000');
      }
    },
  },
  {
    name: 'Last-Event-ID far ahead of the job: a bad_request error event, never a wait for a cursor that will not come',
    run: async (t) => {
      const cursor = String((await t.meta(t.fx.victim)).cursor);
      const ahead = /^\d+$/.test(cursor) ? String(BigInt(cursor) * 1000n + 10n ** 12n) : `${cursor}9999999999`;
      const stream = await openEvents(t, `${t.fx.victim.path}/events`, [['Last-Event-ID', ahead]]);
      expect(stream.status).toBe(200);
      const deadline = Date.now() + 1_500;
      while (Date.now() < deadline && !stream.received.includes('event:')) await sleep(20);
      const events = sseEvents(stream.received);
      stream.cut();
      expect(events.map((e) => e.event)).toEqual(['error']);
      expect((JSON.parse(events[0]!.data) as { code: string }).code).toBe('bad_request');
    },
  },
  {
    name: 'an ?after= cursor over 256 characters or a bad ?step= is a plain 400 before the stream',
    run: async (t) => {
      expectError(await t.wire.get(`${t.fx.victim.path}/events?after=${'9'.repeat(300)}`), 400, 'bad_request');
      expectError(await t.wire.get(`${t.fx.victim.path}/events?step=%2e%2e`), 400, 'bad_request');
      expectError(await t.wire.get(`${t.fx.victim.path}/events?step=a%2fb`), 400, 'bad_request');
      expectError(await t.wire.get('/api/v1/jobs/no-such-job/events'), 404, 'not_found');
    },
  },
  {
    name: '100 event streams opened and dropped at once free their slots: the cap still admits a full set',
    run: async (t) => {
      const baseline = await liveViewers(t);
      for (let round = 0; round < 20; round++) {
        const sockets = await Promise.all(Array.from({ length: 5 }, () => t.wire.openRaw(head('GET', `${t.fx.victim.path}/events`, [['Accept', 'text/event-stream']]))));
        for (const socket of sockets) socket.cut();
      }
      await waitViewers(t, baseline);
      const streams = await Promise.all(Array.from({ length: LIMITS.ssePerClient }, () => openEvents(t, `${t.fx.victim.path}/events`)));
      expect(streams.map((s) => s.status)).toEqual(streams.map(() => 200));
      for (const s of streams) s.cut();
      await waitViewers(t, baseline);
    },
  },
];

// ================================================================ search

const searchPath = (t: Ctx, query: string) => `${t.fx.victim.path}/search?${query}`;

interface SearchAnswer {
  matches: { step: string; n: number }[];
  total: number;
  truncated: boolean;
}

const catastrophic: [string, number[]][] = [
  ['(a|aa)+$', [5]],
  ['^(\\w+\\s?)*$', [3, 4, 5, 6, 8]],
  ['(x+x+)+y', [6]],
  ['.*.*.*.*~', [7]],
];

const search: CaseSpec[] = [
  ...catastrophic.map(
    ([pattern, lines]): CaseSpec => ({
      name: `catastrophic regex ${pattern} on 15,000-character lines answers exactly, in under 3 s`,
      run: async (t) => {
        const answer = await t.wire.get(searchPath(t, `regex=1&case=1&step=search&q=${encodeURIComponent(pattern)}`));
        const result = expectOk<SearchAnswer>(answer);
        expect(result.matches.map((m) => m.n)).toEqual(lines);
        expect(result).toMatchObject({ total: lines.length, truncated: false });
        expect(answer.ms).toBeLessThan(3_000);
      },
    }),
  ),
  {
    name: 'catastrophic regexes in the global search answer in under 3 s',
    run: async (t) => {
      const answer = await t.wire.get(`/api/v1/search?regex=1&q=${encodeURIComponent('(a|aa)+$')}`);
      const result = expectOk<{ matches: { job: string; n: number }[] }>(answer);
      expect(result.matches.filter((m) => m.job === t.fx.victim.id).map((m) => m.n)).toEqual([5]);
      expect(answer.ms).toBeLessThan(3_000);
    },
  },
  {
    name: 'invalid regexes are 400 bad_request',
    run: async (t) => {
      for (const pattern of ['(', '[a-', 'a{2,1}', '*', '\\', '(?<n>a)(?<n>b)', '[z-a]']) {
        expectError(await t.wire.get(searchPath(t, `regex=1&q=${encodeURIComponent(pattern)}`)), 400, 'bad_request');
      }
    },
  },
  {
    name: 'lookaround and backreferences are 400 regex_unsupported naming the feature',
    run: async (t) => {
      const refused: [string, string][] = [
        ['a(?=b)', 'lookahead'],
        ['a(?!b)', 'lookahead'],
        ['(?<=a)b', 'lookbehind'],
        ['(?<!a)b', 'lookbehind'],
        ['(a)\\1', 'backreference'],
        ['(?<x>a)\\k<x>', 'backreference'],
      ];
      for (const [pattern, feature] of refused) {
        expectError(await t.wire.get(searchPath(t, `regex=1&q=${encodeURIComponent(pattern)}`)), 400, 'regex_unsupported', { feature });
      }
    },
  },
  {
    name: 'limit=-1, 0, 1001, 1.5, abc and empty are 400 on both searches',
    run: async (t) => {
      for (const limit of ['-1', '0', '1001', '1.5', 'abc', '1e400', '']) {
        expectError(await t.wire.get(searchPath(t, `q=x&limit=${limit}`)), 400, 'bad_request');
        expectError(await t.wire.get(`/api/v1/search?q=x&limit=${limit}`), 400, 'bad_request');
      }
    },
  },
  {
    name: 'q missing, empty or over 256 characters, and bad flags are 400',
    run: async (t) => {
      for (const query of ['', 'q=', `q=${'a'.repeat(257)}`, 'q=x&regex=yes', 'q=x&case=2', 'q=x&regex=1&regex=', 'q=x&step=%2e%2e', 'q=x&step=a%2fb']) {
        expectError(await t.wire.get(searchPath(t, query)), 400, 'bad_request');
      }
      for (const query of ['q=x&label=nocolon', `q=x&label=${'k'.repeat(65)}:v`, 'q=x&since=yesterday', `q=x&since=${'1'.repeat(41)}`]) {
        expectError(await t.wire.get(`/api/v1/search?${query}`), 400, 'bad_request');
      }
    },
  },
  {
    name: 'a query string over 4096 characters is 400; a 100 KB one is refused by the HTTP parser (431)',
    run: async (t) => {
      expectError(await t.wire.get(searchPath(t, `q=x&pad=${'p'.repeat(5_000)}`)), 400, 'bad_request');
      expectError(await t.wire.get(`/api/v1/search?q=x&pad=${'p'.repeat(5_000)}`), 400, 'bad_request');
      const huge = await t.wire.raw(head('GET', searchPath(t, `q=${'q'.repeat(100 * 1024)}`), []));
      expect(huge.status).toBe(431);
    },
  },
  {
    name: 'search in an unknown job or step is 404',
    run: async (t) => {
      expectError(await t.wire.get('/api/v1/jobs/no-such-job/search?q=x'), 404, 'not_found');
      expectError(await t.wire.get(searchPath(t, 'q=x&step=no-such-step')), 404, 'not_found');
    },
  },
  {
    name: 'control characters, NUL and lone surrogates in q search literally and find nothing',
    run: async (t) => {
      for (const q of ['%00', '%1b%5b31m', '%ed%a0%80', '%ef%bf%bd%ef%bf%bd', '%e2%80%ae']) {
        const result = expectOk<SearchAnswer>(await t.wire.get(searchPath(t, `q=${q}`)));
        expect(result, q).toEqual({ matches: [], total: 0, truncated: false, exact: true, offset: 0 });
      }
    },
  },
];

// ================================================================ limits

const limits: CaseSpec[] = [
  {
    name: 'range limit=-1, 0, 5001, abc and from=0, -5, abc are 400',
    run: async (t) => {
      for (const query of ['limit=-1', 'limit=0', 'limit=5001', 'limit=abc', 'limit=1.5', 'from=0', 'from=-5', 'from=abc', 'from=1.5']) {
        expectError(await t.wire.get(`${build(t)}?${query}`), 400, 'bad_request');
      }
    },
  },
  {
    name: 'a range far past the end is empty, however far (1e15, 2^53)',
    run: async (t) => {
      for (const from of ['1000000000000000', '9007199254740991']) {
        expect(expectOk(await t.wire.get(`${build(t)}?from=${from}`))).toEqual({ lines: [], last: BUILD_LINES.length });
      }
    },
  },
  {
    name: 'a range of 15,000-character lines is shortened to the range byte budget with truncated and next',
    run: async (t) => {
      const range = expectOk<{ lines: { n: number }[]; last: number; truncated?: boolean; next?: number }>(await t.wire.get(`${t.fx.victim.lines('search')}?from=1&limit=8`));
      expect(range.lines.map((l) => l.n)).toEqual([1, 2]);
      expect(range).toMatchObject({ last: SEARCH_LINES.length, truncated: true, next: 3 });
    },
  },
  {
    name: '10,000 steps declared at once (and 501) are 400; nothing of the job is created',
    run: async (t) => {
      for (const count of [10_000, 501]) {
        const id = `bi-many-steps-${count}`;
        const steps = Array.from({ length: count }, (_, i) => ({ id: `s${i}` }));
        expectError(await t.wire.json('PUT', `/api/v1/jobs/${id}`, { steps }, INGEST_KEY), 400, 'bad_request');
        expectError(await t.wire.get(`/api/v1/jobs/${id}`), 404, 'not_found');
      }
    },
  },
  {
    name: 'steps past 1000 in a job are 409 quota_exceeded steps_per_job, on PUT job, PUT step and POST lines',
    run: async (t) => {
      const job = await t.fresh('quota-steps', []);
      for (const from of [0, 500]) {
        const steps = Array.from({ length: 500 }, (_, i) => ({ id: `s${from + i}` }));
        expectOk(await t.wire.json('PUT', job.path, { steps }, job.token));
      }
      await t.unchanged([job], async () => {
        const details = { limit: 'steps_per_job', max: 1000 };
        expectError(await t.wire.json('PUT', job.path, { steps: [{ id: 'one-more' }] }, job.token), 409, 'quota_exceeded', details);
        expectError(await t.wire.json('PUT', `${job.path}/steps/one-more`, { status: 'running' }, job.token), 409, 'quota_exceeded', details);
        expectError(await t.wire.lines(job.lines('one-more'), 'x\n', job.token), 409, 'quota_exceeded', details);
      });
      expect((await t.meta(job)).steps).toHaveLength(1000);
    },
  },
  {
    name: 'group markers past 1000 in a step open no more groups',
    run: async (t) => {
      const job = await t.fresh('quota-groups');
      const body = Array.from({ length: 1100 }, (_, i) => `::group::g${i}\nin ${i}\n::endgroup::`).join('\n');
      expect(expectOk(await t.wire.lines(job.lines('s'), `${body}\n`, job.token))).toEqual({ accepted: 3300, duplicates: 0, last: 3300 });
      const step = (await t.meta(job)).steps[0]!;
      expect(step.groups).toHaveLength(1000);
      expect(step.lines).toBe(3300);
    },
  },
  {
    name: 'a job past its byte quota is 409 quota_exceeded job_bytes; what came before stays',
    run: async (t) => {
      const job = await t.fresh('quota-bytes', ['a', 'b']);
      // 900 KiB lines (under NATS's default max_payload), three a request (under the body
      // budget), six requests: 15.8 MiB of the 16 MiB quota; one more line passes it
      const line = 'b'.repeat(900 * 1024);
      const request = `${[line, line, line].join('\n')}\n`;
      for (let i = 1; i <= 6; i++) {
        expect(expectOk(await t.wire.lines(job.lines('a'), request, job.token))).toEqual({ accepted: 3, duplicates: 0, last: 3 * i });
      }
      await t.unchanged([job], async () => {
        expectError(await t.wire.lines(job.lines('b'), `${line}\n`, job.token), 409, 'quota_exceeded', { limit: 'job_bytes', max: LIMITS.jobBytes, last: 0 });
      });
    },
  },
  {
    name: 'a lines request over the body budget is 413; the lines before the cut stay, as last says',
    run: async (t) => {
      const job = await t.fresh('body-budget');
      const line = 'l'.repeat(1023);
      const body = `${Array.from({ length: 6 * 1024 }, () => line).join('\n')}\n`;
      const answer = await t.wire.lines(job.lines('s'), body, job.token);
      expectError(answer, 413, 'too_large');
      const last = Number(jsonOf<{ error: { last: number } }>(answer).error.last);
      expect(last).toBeLessThanOrEqual(LIMITS.maxBodyBytes / 1024);
      const stored = await t.texts(job, 's');
      expect(stored.length).toBe(last);
      expect(stored.every((s) => s === line)).toBe(true);
    },
  },
  {
    name: 'masks past the per-job cap, or longer than 4096 characters, are 409 quota_exceeded and their line is never stored',
    run: async (t) => {
      const job = await t.fresh('mask-cap');
      const masks = Array.from({ length: LIMITS.masksPerJob }, (_, i) => `::add-mask::secret-${i}-value`).join('\n');
      expect(expectOk(await t.wire.lines(job.lines('s'), `${masks}\n`, job.token))).toEqual({ accepted: LIMITS.masksPerJob, duplicates: 0, last: LIMITS.masksPerJob });
      await t.unchanged([job], async () => {
        expectError(await t.wire.lines(job.lines('s'), 'before\n::add-mask::one-too-many\nafter one-too-many\n', job.token), 409, 'quota_exceeded', { limit: 'masks_per_job', max: LIMITS.masksPerJob });
      });
      const other = await t.fresh('mask-chars');
      await t.unchanged([other], async () => {
        expectError(await t.wire.lines(other.lines('s'), `::add-mask::${'k'.repeat(4097)}\n`, other.token), 409, 'quota_exceeded', { limit: 'mask_chars', max: 4096 });
      });
      expect((await t.texts(job, 's')).join('\n')).not.toContain('one-too-many');
    },
  },
  {
    name: 'event streams past the per-client cap are 429 with Retry-After, whatever X-Forwarded-For says',
    run: async (t) => {
      const baseline = await liveViewers(t);
      const open = await Promise.all(Array.from({ length: LIMITS.ssePerClient }, () => openEvents(t, `${t.fx.victim.path}/events`)));
      expect(open.map((s) => s.status)).toEqual(open.map(() => 200));
      for (const spoof of [[], [['X-Forwarded-For', '10.9.8.7']], [['x-logscope-client-address', '10.1.2.3']]] as [string, string][][]) {
        const answer = await t.wire.send('GET', `${t.fx.victim.path}/events`, { headers: { accept: 'text/event-stream', ...Object.fromEntries(spoof) } });
        expectError(answer, 429, 'too_many_requests');
        expect(answer.headers['retry-after']).toBe('5');
      }
      for (const s of open) s.cut();
      await waitViewers(t, baseline);
      const again = await openEvents(t, `${t.fx.victim.path}/events`);
      expect(again.status).toBe(200);
      again.cut();
      await waitViewers(t, baseline);
    },
  },
  {
    name: 'a title over 200 characters, 33 labels, a label key over 64 or a value over 256 characters are 400',
    run: async (t) => {
      const bodies = [
        { title: 't'.repeat(201) },
        { labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) },
        { labels: { ['k'.repeat(65)]: 'v' } },
        { labels: { k: 'v'.repeat(257) } },
        { steps: [{ id: 's', name: 'n'.repeat(201) }] },
      ];
      for (const body of bodies) expectError(await t.wire.json('PUT', t.fx.victim.path, body, t.fx.victim.token), 400, 'bad_request');
    },
  },
  {
    name: '25,000 short lines in one text request (past the pending-lines budget) all land, in order',
    run: async (t) => {
      const count = 25_000;
      const body = `${Array.from({ length: count }, (_, i) => `p${i + 1}`).join('\n')}\n`;
      const job = await t.fresh('pending');
      expect(expectOk(await t.wire.lines(job.lines('s'), body, job.token))).toEqual({ accepted: count, duplicates: 0, last: count });
      const texts = await t.texts(job, 's');
      expect(texts.length).toBe(count);
      expect(texts.every((text, i) => text === `p${i + 1}`)).toBe(true);
    },
  },
];

// ================================================================ auth and headers

const gzipBomb = () => gzipSync(Buffer.alloc(1024 * MiB), { level: 9 });

const authAndHeaders: CaseSpec[] = [
  {
    name: 'lines without Authorization, with another scheme or an empty bearer are 401',
    run: async (t) => {
      for (const header of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Token abc', t.fx.victim.token]) {
        const headers: Record<string, string> = { 'content-type': 'text/plain', ...(header !== undefined ? { authorization: header } : {}) };
        expectError(await t.wire.send('POST', build(t), { headers, body: 'x\n' }), 401, 'unauthorized');
      }
    },
  },
  {
    name: 'forged tokens (random, truncated, 10 KB, the ingest key) are 403 on every write',
    run: async (t) => {
      const real = t.fx.victim.token;
      for (const forged of ['f'.repeat(real.length), real.slice(0, -1), `${real}x`, 'x'.repeat(10_000), INGEST_KEY]) {
        expectError(await t.wire.lines(build(t), 'x\n', forged), 403, 'forbidden');
        expectError(await t.wire.json('PUT', t.fx.victim.path, { title: 'taken over' }, forged), 403, 'forbidden');
        expectError(await t.wire.json('PUT', `${t.fx.victim.path}/steps/build`, { status: 'failure' }, forged), 403, 'forbidden');
        expectError(await t.wire.json('POST', `${t.fx.victim.path}/complete`, { status: 'failure' }, forged), 403, 'forbidden');
      }
    },
  },
  {
    name: "another job's token (running or completed) is 403 on every write",
    run: async (t) => {
      for (const token of [t.fx.other.token, t.fx.done.token]) {
        expectError(await t.wire.lines(build(t), 'x\n', token), 403, 'forbidden');
        expectError(await t.wire.json('PUT', t.fx.victim.path, { title: 'taken over' }, token), 403, 'forbidden');
        expectError(await t.wire.json('PUT', `${t.fx.victim.path}/steps/new-step`, { status: 'running' }, token), 403, 'forbidden');
        expectError(await t.wire.json('POST', `${t.fx.victim.path}/complete`, { status: 'failure' }, token), 403, 'forbidden');
      }
    },
  },
  {
    name: 'writes without a token to job metadata, steps and complete are 401',
    run: async (t) => {
      expectError(await t.wire.json('PUT', t.fx.victim.path, { title: 'taken over' }), 401, 'unauthorized');
      expectError(await t.wire.json('PUT', `${t.fx.victim.path}/steps/build`, { status: 'failure' }), 401, 'unauthorized');
      expectError(await t.wire.json('POST', `${t.fx.victim.path}/complete`, { status: 'failure' }), 401, 'unauthorized');
    },
  },
  {
    name: 'creating a job without the ingest key is 401, with a wrong one (or a write token) 403; nothing is created',
    run: async (t) => {
      expectError(await t.wire.json('PUT', '/api/v1/jobs/bi-no-key', { title: 'x' }), 401, 'unauthorized');
      for (const key of ['wrong-key', t.fx.victim.token, `${INGEST_KEY}x`, INGEST_KEY.slice(1), INGEST_KEY.toUpperCase()]) {
        expectError(await t.wire.json('PUT', '/api/v1/jobs/bi-no-key', { title: 'x' }, key), 403, 'forbidden');
      }
      expectError(await t.wire.get('/api/v1/jobs/bi-no-key'), 404, 'not_found');
    },
  },
  {
    name: 'credentials are checked before the body is read: a stalled body without a token is answered at once',
    run: async (t) => {
      for (const [method, path, type] of [['POST', build(t), 'text/plain'], ['PUT', t.fx.victim.path, 'application/json'], ['PUT', `${t.fx.victim.path}/steps/build`, 'application/json']] as const) {
        const socket = await t.wire.openRaw(head(method, path, [['Content-Type', type], ['Content-Length', String(200_000)]]) + '{"title":');
        const deadline = Date.now() + 3_000;
        while (socket.status === 0 && Date.now() < deadline) await sleep(20);
        expect(socket.status, `${method} ${path}`).toBe(401);
        socket.cut();
      }
    },
  },
  {
    name: 'a gzip bomb (1 MB → 1 GiB, the best deflate ratio; a smaller bomb needs stacked encodings, which are 415) is 413 in under a second and stores nothing',
    run: async (t) => {
      const bomb = gzipBomb();
      expect(bomb.length).toBeLessThan(2 * MiB);
      const job = await t.fresh('bomb');
      await t.unchanged([job], async () => {
        const answer = await t.wire.lines(job.lines('s'), bomb, job.token, 'text/plain', { 'content-encoding': 'gzip' });
        expectError(answer, 413, 'too_large');
        expect(answer.ms).toBeLessThan(1_000);
      });
    },
  },
  {
    name: 'unknown or stacked Content-Encodings are 415 and store nothing',
    run: async (t) => {
      for (const encoding of ['zstd', 'compress', 'gzip, gzip', 'x-evil', 'gzip;q=1']) {
        expectError(await t.wire.lines(build(t), gzipSync('x\n'), t.fx.victim.token, 'text/plain', { 'content-encoding': encoding }), 415, 'unsupported_media_type');
      }
    },
  },
  {
    name: 'a body that is not what its Content-Encoding says is 400 and stores nothing',
    run: async (t) => {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        expectError(await t.wire.lines(build(t), 'plain text, not compressed\n', t.fx.victim.token, 'text/plain', { 'content-encoding': encoding }), 400, 'bad_request');
      }
    },
  },
  {
    name: 'writes after completion are 409 job_completed: lines, PUT step, PUT job, complete again',
    run: async (t) => {
      const { done } = t.fx;
      expectError(await t.wire.lines(done.lines('build'), 'late\n', done.token), 409, 'job_completed');
      expectError(await t.wire.lines(done.lines('new-step'), 'late\n', done.token), 409, 'job_completed');
      expectError(await t.wire.lines(done.lines('build'), nd([{ n: 3, text: 'late' }]), done.token, NDJSON), 409, 'job_completed');
      expectError(await t.wire.json('PUT', `${done.path}/steps/build`, { status: 'failure' }, done.token), 409, 'job_completed');
      expectError(await t.wire.json('PUT', `${done.path}/steps/build`, { name: 'renamed' }, done.token), 409, 'job_completed');
      expectError(await t.wire.json('PUT', done.path, { title: 'rewritten after the fact' }, done.token), 409, 'job_completed');
      expectError(await t.wire.json('PUT', done.path, { labels: { late: 'yes' } }, done.token), 409, 'job_completed');
      for (const status of ['success', 'failure']) expectError(await t.wire.json('POST', `${done.path}/complete`, { status }, done.token), 409, 'job_completed');
    },
  },
  {
    name: 'text/plain without first from two concurrent writers: both land every line, each in order',
    run: async (t) => {
      const job = await t.fresh('two-writers');
      const writer = (w: string) => `${Array.from({ length: 100 }, (_, i) => `${w}${i + 1}`).join('\n')}\n`;
      const [a, b] = await Promise.all([t.wire.lines(job.lines('s'), writer('a'), job.token), t.wire.lines(job.lines('s'), writer('b'), job.token)]);
      for (const answer of [a!, b!]) expect(expectOk<{ accepted: number; duplicates: number }>(answer)).toMatchObject({ accepted: 100, duplicates: 0 });
      const texts = await t.texts(job, 's');
      expect(texts).toHaveLength(200);
      for (const w of ['a', 'b']) expect(texts.filter((x) => x.startsWith(w))).toEqual(Array.from({ length: 100 }, (_, i) => `${w}${i + 1}`));
    },
  },
  {
    name: 'a 20 KB header is refused by the HTTP parser (431); Accept: text/html still gets JSON',
    run: async (t) => {
      const big = await t.wire.raw(head('GET', t.fx.victim.path, [['X-Padding', 'p'.repeat(20_000)]]));
      expect(big.status).toBe(431);
      const html = await t.wire.get(t.fx.victim.path, { accept: 'text/html' });
      expect(html.status).toBe(200);
      expect(String(html.headers['content-type'])).toContain('application/json');
      expectError(await t.wire.get('/api/v1/jobs/no-such-job', { accept: 'text/html' }), 404, 'not_found');
    },
  },
  {
    name: 'API answers carry nosniff and no-store; a download is sandboxed and its header line has no escapes',
    run: async (t) => {
      for (const path of [t.fx.victim.path, '/api/v1/jobs/no-such-job', `${build(t)}?limit=0`]) {
        const answer = await t.wire.get(path);
        expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
        expect(answer.headers['cache-control'], path).toBe('no-store');
      }
      const download = await t.wire.get(`${t.fx.victim.path}/log`);
      expect(download.status).toBe(200);
      expect(download.headers['content-security-policy']).toBe('sandbox');
      expect(download.headers['x-content-type-options']).toBe('nosniff');
      expect(download.text).not.toMatch(/[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/);
    },
  },
];

function tagged(category: Category, cases: CaseSpec[]): BadInputCase[] {
  return cases.map((c) => ({ ...c, category }));
}

export const CASES: BadInputCase[] = [
  ...tagged('framing', framing),
  ...tagged('content', content),
  ...tagged('ids and paths', idsAndPaths),
  ...tagged('streaming and disconnects', streaming),
  ...tagged('search', search),
  ...tagged('limits', limits),
  ...tagged('auth and headers', authAndHeaders),
];

/** The fixture every case shares and none may change. */
export async function createFixture(wire: Wire): Promise<Fixture> {
  const t = { wire, job: jobRef };
  const create = async (id: string, body: unknown) => {
    const answer = await t.wire.json('PUT', `/api/v1/jobs/${id}`, body, INGEST_KEY);
    expect(answer.status, answer.text).toBe(201);
    return t.job(id, jsonOf<{ writeToken: string }>(answer).writeToken);
  };
  const victim = await create('bi-victim', { title: 'Victim', labels: { team: 'core' }, steps: [{ id: 'build', name: 'Build' }, { id: 'search', name: 'Search' }, { id: 'idle', name: 'Idle' }] });
  const send = async (job: Job, step: string, texts: string[]) => {
    const answer = await t.wire.lines(job.lines(step), nd(texts.map((text, i) => ({ n: i + 1, text }))), job.token, NDJSON);
    expect(answer.status, answer.text).toBe(200);
  };
  await send(victim, 'build', BUILD_LINES);
  await send(victim, 'search', SEARCH_LINES);
  const done = await create('bi-done', { title: 'Done', steps: [{ id: 'build' }] });
  await send(done, 'build', ['built', 'tested']);
  expect((await t.wire.json('POST', `${done.path}/complete`, { status: 'success' }, done.token)).status).toBe(200);
  const other = await create('bi-other', { title: 'Other' });
  return { victim, done, other };
}
