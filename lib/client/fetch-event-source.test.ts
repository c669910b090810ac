import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchEventSource, MAX_EVENT_CHARS, SseParser, type SseEvent } from './fetch-event-source';

function parse(chunks: string[]): { events: SseEvent[]; retries: number[] } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser((e) => events.push(e), (ms) => retries.push(ms));
  for (const c of chunks) parser.feed(c);
  return { events, retries };
}

describe('SseParser', () => {
  it('reads named events, ids, multi-line data, comments and retry', () => {
    const { events, retries } = parse([': hello\n\nretry: 2000\n\nid: 7\nevent: lines\ndata: {"a":1}\n\n', 'data: one\ndata: two\n\n']);
    expect(retries).toEqual([2000]);
    expect(events).toEqual([
      { type: 'lines', data: '{"a":1}', lastEventId: '7' },
      { type: 'message', data: 'one\ntwo', lastEventId: '7' },
    ]);
  });

  it('gives the same events whatever the chunking and line endings (CRLF split across chunks too)', () => {
    const text = 'id: 1\r\nevent: step\r\ndata: x\r\n\r\nid: 2\revent: job\rdata:y\r\rdata:  z\n\n';
    const whole = parse([text]).events;
    expect(whole).toEqual([
      { type: 'step', data: 'x', lastEventId: '1' },
      { type: 'job', data: 'y', lastEventId: '2' },
      { type: 'message', data: ' z', lastEventId: '2' },
    ]);
    for (let cut = 1; cut < text.length; cut++) expect(parse([text.slice(0, cut), text.slice(cut)]).events).toEqual(whole);
    expect(parse(text.split('')).events).toEqual(whole);
  });

  it('ignores an id with NUL, a non-numeric retry, unknown fields, and dispatches nothing without data', () => {
    const { events, retries } = parse(['id: 5\n\nid: a\0b\nretry: 1s\nfoo: bar\nevent: end\n\ndata: d\n\n']);
    expect(retries).toEqual([]);
    expect(events).toEqual([{ type: 'message', data: 'd', lastEventId: '5' }]);
  });

  it('refuses an event longer than the bound instead of buffering it', () => {
    const parser = new SseParser(() => {});
    expect(() => parser.feed(`data: ${'x'.repeat(MAX_EVENT_CHARS)}`)).toThrow(/longer than/);
    const many = new SseParser(() => {});
    const line = `data: ${'y'.repeat(1024 * 1024)}\n`;
    expect(() => {
      for (let i = 0; i < 8; i++) many.feed(line);
    }).toThrow(/longer than/);
  });
});

describe('FetchEventSource', () => {
  let server: Server | null = null;
  let source: FetchEventSource | null = null;
  afterEach(async () => {
    source?.close();
    await new Promise((r) => (server ? server.close(r) : r(null)));
    server = null;
  });

  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/events`;
  }

  function collect(src: FetchEventSource, names: string[]) {
    const got: { type: string; data: string; id: string }[] = [];
    for (const name of names) src.addEventListener(name, (ev) => got.push({ type: ev.type, data: String((ev as MessageEvent).data), id: (ev as MessageEvent).lastEventId }));
    return got;
  }

  it('sends the Bearer header, and after a dropped connection resumes with Last-Event-ID', async () => {
    const seen: { auth: string | undefined; lastId: string | undefined }[] = [];
    const url = await serve((req, res) => {
      seen.push({ auth: req.headers.authorization, lastId: req.headers['last-event-id'] as string | undefined });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (seen.length === 1) res.end('retry: 10\n\nid: 1\nevent: lines\ndata: a\n\nid: 2\nevent: lines\ndata: b\n\n');
      else res.write('id: 3\nevent: end\ndata: c\n\n');
    });
    source = new FetchEventSource(url, { authorization: 'Bearer secret-key' });
    const got = collect(source, ['lines', 'end']);
    let errors = 0;
    source.onerror = () => errors++;
    await expect.poll(() => got.length).toBe(3);
    expect(got).toEqual([
      { type: 'lines', data: 'a', id: '1' },
      { type: 'lines', data: 'b', id: '2' },
      { type: 'end', data: 'c', id: '3' },
    ]);
    expect(seen).toEqual([
      { auth: 'Bearer secret-key', lastId: undefined },
      { auth: 'Bearer secret-key', lastId: '2' },
    ]);
    expect(errors).toBe(1);
    expect(source.readyState).toBe(1);
  });

  it('closes for good on an HTTP error or a response that is not an event stream', async () => {
    for (const [status, type] of [
      [401, 'application/json'],
      [200, 'text/html'],
    ] as const) {
      let calls = 0;
      const url = await serve((_req, res) => {
        calls++;
        res.writeHead(status, { 'content-type': type });
        res.end('{}');
      });
      source = new FetchEventSource(url);
      let errors = 0;
      source.onerror = () => errors++;
      await expect.poll(() => errors).toBe(1);
      expect(source.readyState).toBe(2);
      await new Promise((r) => setTimeout(r, 50));
      expect(calls).toBe(1);
      await new Promise((r) => server!.close(r));
      server = null;
    }
  });
});
