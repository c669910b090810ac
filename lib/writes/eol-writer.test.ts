import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../ansi/plain';
import { runIngest } from '../ingest/test-harness';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import type { LogStore } from '../store/types';
import { storeBackends } from '../../test/support/backends';
import { forgetWriteState, writeLines, type WriteLinesInput } from './line-writer';

/**
 * A text/plain body's last bytes without LF (RawLine `eol: false`, lib/ingest/README.md
 * "Screen"), through the write path into a real file store: a tail that writes nothing on the
 * fresh row creates no row (its pen carries, `produced` counts it); a tail with text is a row;
 * NDJSON records and `first`-numbered retries keep their rules; raw text is kept as sent. One
 * case also runs on PostgreSQL and NATS when they are reachable.
 */
let store: LogStore;
let seq = 0;
eachTempFileStore('eol-writer', (opened) => (store = opened));

const encoder = new TextEncoder();
function body(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      c.close();
    },
  });
}

async function newJob(): Promise<string> {
  const id = `eol-${++seq}-${Date.now()}`;
  await store.putJob(id, {}, { tokenHash: 'x' });
  return id;
}

const input = (jobId: string, b: ReadableStream<Uint8Array>, extra: Partial<WriteLinesInput> = {}): WriteLinesInput => ({
  jobId,
  stepId: 'build',
  body: b,
  format: 'text',
  stream: 'out',
  maxBodyBytes: 1 << 24,
  now: () => 5,
  ...extra,
});
const texts = async (jobId: string) => (await store.readLines(jobId, 'build', 1, 5000)).lines.map((l) => l.text);
const stepMeta = async (jobId: string) => (await store.getJob(jobId))?.steps.find((s) => s.id === 'build');
async function raw(jobId: string): Promise<string> {
  let text = '';
  for await (const chunk of store.readRaw(jobId, 'build')) text += chunk;
  return text;
}

describe('a text body ending without LF', () => {
  for (const cached of [true, false]) {
    it(`an SGR-only tail stores no row; the next request writes that row in its pen (${cached ? 'cached' : 'reloaded'} write state)`, async () => {
      const jobId = await newJob();
      expect(await writeLines(store, input(jobId, body('a\nb\n\x1b[0m', '\x1b[32m')))).toEqual({ accepted: 3, duplicates: 0, last: 3, lines: 2 });
      expect(await texts(jobId)).toEqual(['a', 'b']);
      expect(await stepMeta(jobId)).toMatchObject({ lines: 2, produced: 3 });
      if (!cached) forgetWriteState(jobId);
      expect(await writeLines(store, input(jobId, body('c\n')))).toEqual({ accepted: 1, duplicates: 0, last: 4, lines: 3 });
      expect(await texts(jobId)).toEqual(['a', 'b', '\x1b[32mc\x1b[0m']);
      // raw: the bytes as sent, no LF made up after the first body
      expect(await raw(jobId)).toBe('a\nb\n\x1b[0m\x1b[32mc\n');
    });
  }

  it('an empty tail (a lone \\r) stores no row', async () => {
    const jobId = await newJob();
    expect(await writeLines(store, input(jobId, body('a\n\r')))).toEqual({ accepted: 2, duplicates: 0, last: 2, lines: 1 });
    expect(await texts(jobId)).toEqual(['a']);
  });

  it('a tail with text is a row, and the next request continues on a new row', async () => {
    const jobId = await newJob();
    expect(await writeLines(store, input(jobId, body('x\nha', 'lf')))).toEqual({ accepted: 2, duplicates: 0, last: 2 });
    expect(await writeLines(store, input(jobId, body('rest\n')))).toEqual({ accepted: 1, duplicates: 0, last: 3 });
    expect(await texts(jobId)).toEqual(['x', 'half', 'rest']);
    expect((await stepMeta(jobId))?.produced).toBeUndefined();
  });

  it('a numbered (`first`) body: the retry of an unwritten tail stores nothing twice', async () => {
    const jobId = await newJob();
    expect(await writeLines(store, input(jobId, body('a\n\x1b[1m'), { first: 1 }))).toEqual({ accepted: 2, duplicates: 0, last: 2, lines: 1 });
    expect(await writeLines(store, input(jobId, body('a\n\x1b[1m'), { first: 1 }))).toEqual({ accepted: 0, duplicates: 2, last: 2, lines: 1 });
    expect(await writeLines(store, input(jobId, body('b\n'), { first: 3 }))).toEqual({ accepted: 1, duplicates: 0, last: 3, lines: 2 });
    expect(await texts(jobId)).toEqual(['a', '\x1b[1mb\x1b[0m']);
  });

  it('an NDJSON record of escapes only is still a row (records end with their LF)', async () => {
    const jobId = await newJob();
    const records = `${JSON.stringify({ n: 1, text: 'a' })}\n${JSON.stringify({ n: 2, text: '\x1b[0m' })}`;
    expect(await writeLines(store, input(jobId, body(records), { format: 'ndjson' }))).toEqual({ accepted: 2, duplicates: 0, last: 2 });
    expect(await texts(jobId)).toEqual(['a', '']);
  });

  it("terminal-to-html's pikachu sent as one body: 46 rows, as Buildkite shows it", async () => {
    const jobId = await newJob();
    const bytes = readFileSync(path.resolve(__dirname, '../ansi/__fixtures__/terminal-to-html/pikachu.sh.raw'));
    const producerLines = bytes.filter((b) => b === 0x0a).length + 1;
    const result = await writeLines(store, input(jobId, body(bytes.subarray(0, 1000), bytes.subarray(1000))));
    expect(result).toEqual({ accepted: producerLines, duplicates: 0, last: producerLines, lines: 46 });
    const rows = await texts(jobId);
    expect(rows).toHaveLength(46);
    expect(rows.slice(-3).map((r) => plainText(r).trim())).toEqual(['01000', '', '']);
    // the rows the ingest harness (lib/ingest/terminal-to-html.test.ts) gives for the file
    expect(rows).toEqual(runIngest(bytes).lines.map((l) => l.text));
  });
});

/** The same on the other backends: a request of only an unwritten tail, then a redraw across it. */
const others = storeBackends('eol-writer').filter((b) => b.name !== 'file');

async function onlyTailThenRedraw(on: LogStore, jobId: string): Promise<void> {
  const write = (text: string) => writeLines(on, input(jobId, body(text)));
  expect(await write('a\n')).toEqual({ accepted: 1, duplicates: 0, last: 1 });
  // the whole request is a tail that writes nothing: produced moves, no row
  expect(await write('\x1b[31m')).toEqual({ accepted: 1, duplicates: 0, last: 2, lines: 1 });
  expect((await on.getJob(jobId))?.steps.find((s) => s.id === 'build')).toMatchObject({ lines: 1, produced: 2 });
  forgetWriteState(jobId);
  // up onto row 1 in the carried pen, then another unwritten tail
  expect(await write('\x1b[1A\x1b[2Kz\n\x1b[0m')).toEqual({ accepted: 2, duplicates: 0, last: 4, lines: 1 });
  expect(await write('b\n')).toEqual({ accepted: 1, duplicates: 0, last: 5, lines: 2 });
  expect((await on.readLines(jobId, 'build', 1, 10)).lines.map((l) => l.text)).toEqual(['\x1b[31mz\x1b[0m', 'b']);
  let text = '';
  for await (const chunk of on.readRaw(jobId, 'build')) text += chunk;
  expect(text).toBe('a\n\x1b[31m\x1b[1A\x1b[2Kz\n\x1b[0mb\n');
}

describe('a request of only an unwritten tail (file)', () => {
  it('moves produced, stores no row; a later redraw and line land right', async () => {
    await onlyTailThenRedraw(store, await newJob());
  });
});

for (const backend of others) {
  const reachable = await backend.reachable();
  describe.skipIf(!reachable)(`a request of only an unwritten tail (${backend.name})`, () => {
    let opened: LogStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store: opened, cleanup } = await backend.open());
    });
    afterAll(async () => {
      await cleanup();
    });
    it('moves produced, stores no row; a later redraw and line land right', async () => {
      const jobId = `eol-${backend.name}-${Date.now()}`;
      await opened.putJob(jobId, {}, { tokenHash: 'x'.repeat(64) });
      await onlyTailThenRedraw(opened, jobId);
    });
  });
}
