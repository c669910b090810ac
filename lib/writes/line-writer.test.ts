import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../contracts';
import { StaleMasksError } from '../errors';
import { MAX_MASKS_PER_JOB } from '../ingest';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import type { LogStore } from '../store/types';
import { forgetWriteState, writeLines, type WriteLinesInput } from './line-writer';

let store: LogStore;
let seq = 0;
eachTempFileStore('writer', (opened) => (store = opened));

const encoder = new TextEncoder();
/** A body delivered in the given chunks, as a streamed request would be. */
function body(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      c.close();
    },
  });
}
const ndjson = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

async function newJob(): Promise<string> {
  const id = `w-${++seq}-${Date.now()}`;
  await store.putJob(id, {}, { tokenHash: 'x' });
  return id;
}

function input(jobId: string, b: ReadableStream<Uint8Array>, extra: Partial<WriteLinesInput> = {}): WriteLinesInput {
  return { jobId, stepId: 'build', body: b, format: 'ndjson', stream: 'out', maxBodyBytes: 64 * 1024 * 1024, now: () => 5, ...extra };
}

const texts = async (jobId: string, step = 'build') => (await store.readLines(jobId, step, 1, 5000)).lines.map((l) => l.text);

/** The store, but a mask `value` is added to the job just before the first append is stored. */
function maskRacingStore(jobId: string, value: string): LogStore {
  let raced = false;
  return Object.assign(Object.create(store) as LogStore, {
    append: async (...args: Parameters<LogStore['append']>) => {
      if (!raced) {
        raced = true;
        await store.addMasks(jobId, [value]);
      }
      return store.append(...args);
    },
  });
}

describe('writeLines', () => {
  it('stores NDJSON lines and counts retries as duplicates', async () => {
    const jobId = await newJob();
    const records = [1, 2, 3].map((n) => ({ n, text: `line ${n}` }));
    expect(await writeLines(store, input(jobId, body(ndjson(records))))).toEqual({ accepted: 3, duplicates: 0, last: 3 });
    const retry = [2, 3, 4].map((n) => ({ n, text: `line ${n}` }));
    expect(await writeLines(store, input(jobId, body(ndjson(retry))))).toEqual({ accepted: 1, duplicates: 2, last: 4 });
    forgetWriteState(jobId);
    expect(await writeLines(store, input(jobId, body(ndjson(records))))).toEqual({ accepted: 0, duplicates: 3, last: 4 });
    expect(await texts(jobId)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
  });

  it('refuses a gap with the expected line and stores nothing of it', async () => {
    const jobId = await newJob();
    await writeLines(store, input(jobId, body(ndjson([{ n: 1, text: 'a' }]))));
    await expect(writeLines(store, input(jobId, body(ndjson([{ n: 3, text: 'c' }]))))).rejects.toMatchObject({
      code: 'line_gap',
      status: 409,
      details: { expected: 2 },
    });
    expect(await texts(jobId)).toEqual(['a']);
  });

  it('splits a streamed text body at any chunk boundary, multibyte characters included', async () => {
    const text = 'héllo wörld 🚀\r\nsecond ✓\nthird';
    const bytes = encoder.encode(text);
    for (const cut of [1, 2, 3, 7, 8, 15, 16, 17, bytes.length - 1]) {
      const jobId = await newJob();
      const result = await writeLines(store, input(jobId, body(bytes.slice(0, cut), bytes.slice(cut)), { format: 'text' }));
      expect(result.last).toBe(3);
      expect(await texts(jobId)).toEqual(['héllo wörld 🚀', 'second ✓', 'third']);
    }
  });

  it('numbers text lines from ?first= so retries are idempotent', async () => {
    const jobId = await newJob();
    await writeLines(store, input(jobId, body('a\nb\n'), { format: 'text', first: 1 }));
    const retry = await writeLines(store, input(jobId, body('a\nb\nc\n'), { format: 'text', first: 1 }));
    expect(retry).toEqual({ accepted: 1, duplicates: 2, last: 3 });
    expect(await texts(jobId)).toEqual(['a', 'b', 'c']);
  });

  it('stores the lines before a malformed NDJSON record and nothing after it', async () => {
    const jobId = await newJob();
    const stream = body(`${JSON.stringify({ n: 1, text: 'ok' })}\n{"n": 2, "text": `, `oops\n${JSON.stringify({ n: 3, text: 'never' })}\n`);
    await expect(writeLines(store, input(jobId, stream))).rejects.toMatchObject({ status: 400, details: { last: 1 } });
    expect(await texts(jobId)).toEqual(['ok']);
  });

  it('refuses an oversized line while streaming, without buffering the rest', async () => {
    const jobId = await newJob();
    const chunk = new Uint8Array(256 * 1024).fill(0x61);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode('first\n'));
      },
      pull(c) {
        pulled++;
        c.enqueue(chunk);
      },
    });
    await expect(writeLines(store, input(jobId, endless, { format: 'text' }))).rejects.toMatchObject({ status: 413, details: { last: 1 } });
    expect(pulled).toBeLessThanOrEqual(MAX_LINE_BYTES / chunk.length + 2);
    expect(await texts(jobId)).toEqual(['first']);
  });

  it('masks a value registered in one step in later lines of every step', async () => {
    const jobId = await newJob();
    await writeLines(store, input(jobId, body(ndjson([{ n: 1, text: '::add-mask::hunter2secret' }, { n: 2, text: 'pw=hunter2secret' }]))));
    await writeLines(store, input(jobId, body(ndjson([{ n: 1, text: 'deploy with hunter2secret' }])), { stepId: 'deploy' }));
    const all = [...(await texts(jobId)), ...(await texts(jobId, 'deploy'))].join('\n');
    expect(all).not.toContain('hunter2secret');
    expect(await texts(jobId, 'deploy')).toEqual(['deploy with ***']);
  });

  it('re-masks a batch when a mask lands between its masking and its append (another step or server)', async () => {
    const jobId = await newJob();
    // the mask arrives after the writer read the job's masks, before its append is stored
    const racing = maskRacingStore(jobId, 'late-secret');
    const result = await writeLines(racing, input(jobId, body(ndjson([{ n: 1, text: 'token late-secret' }, { n: 2, text: 'b64 bGF0ZS1zZWNyZXQ=' }]))));
    expect(result).toEqual({ accepted: 2, duplicates: 0, last: 2 });
    expect(await texts(jobId)).toEqual(['token ***', 'b64 ***Q=']);
  });

  it('refuses a mask past the job\'s cap with quota_exceeded, storing nothing of its batch', async () => {
    const jobId = await newJob();
    await store.addMasks(jobId, Array.from({ length: MAX_MASKS_PER_JOB }, (_, i) => `secret-${i}`));
    const records = [{ n: 1, text: 'before' }, { n: 2, text: '::add-mask::one-too-many' }, { n: 3, text: 'one-too-many' }];
    await expect(writeLines(store, input(jobId, body(ndjson(records))))).rejects.toMatchObject({
      status: 409,
      code: 'quota_exceeded',
      details: { limit: 'masks_per_job', max: MAX_MASKS_PER_JOB, last: 0 },
    });
    expect((await store.getJob(jobId))?.steps.find((s) => s.id === 'build')?.lines ?? 0).toBe(0);
  });

  it('refuses writes once the job is complete', async () => {
    const jobId = await newJob();
    await store.complete(jobId, 'success');
    await expect(writeLines(store, input(jobId, body(ndjson([{ n: 1, text: 'late' }]))))).rejects.toMatchObject({ status: 409 });
  });
});

describe('writeLines at the end (text/plain without first)', () => {
  it('lands every line of two concurrent streamed writers, each in its own order', async () => {
    const jobId = await newJob();
    /** a body that yields one line per chunk, a tick apart, so the two requests interleave */
    const slow = (writer: string) =>
      new ReadableStream<Uint8Array>({
        i: 0,
        async pull(c) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (this.i === 100) return c.close();
          c.enqueue(encoder.encode(`${writer} ${this.i++}\n`));
        },
      } as UnderlyingDefaultSource<Uint8Array> & { i: number });
    const [a, b] = await Promise.all([
      writeLines(store, input(jobId, slow('a'), { format: 'text' })),
      writeLines(store, input(jobId, slow('b'), { format: 'text' })),
    ]);
    expect(a.accepted + b.accepted).toBe(200);
    expect(a.duplicates + b.duplicates).toBe(0);
    const all = await texts(jobId);
    expect(all).toHaveLength(200);
    for (const w of ['a', 'b']) expect(all.filter((t) => t.startsWith(`${w} `))).toEqual(Array.from({ length: 100 }, (_, i) => `${w} ${i}`));
  });

  it('is not idempotent: a retried body is stored again', async () => {
    const jobId = await newJob();
    await writeLines(store, input(jobId, body('a\nb\n'), { format: 'text' }));
    expect(await writeLines(store, input(jobId, body('a\nb\n'), { format: 'text' }))).toEqual({ accepted: 2, duplicates: 0, last: 4 });
    expect(await texts(jobId)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('re-masks a batch when a mask lands between its masking and its append', async () => {
    const jobId = await newJob();
    await writeLines(store, input(jobId, body('before\n'), { format: 'text' }));
    const racing = maskRacingStore(jobId, 'late-secret');
    expect(await writeLines(racing, input(jobId, body('token late-secret\nafter\n'), { format: 'text' }))).toEqual({ accepted: 2, duplicates: 0, last: 3 });
    expect(await texts(jobId)).toEqual(['before', 'token ***', 'after']);
  });

  it('appends only the rest of a batch a store refused for its masks after storing its first lines (NATS)', async () => {
    const jobId = await newJob();
    let raced = false;
    // as NATS does when a fence lands between two messages of one batch: the messages before
    // the batch's last carry lines only (the step keeps its state and `produced`; the batch's
    // updates, produced and raw text commit with its last message)
    const partial: LogStore = Object.assign(Object.create(store) as LogStore, {
      append: async (...args: Parameters<LogStore['append']>) => {
        const [job, step, batch] = args;
        if (raced) return store.append(...args);
        raced = true;
        const { mode, base, masksVersion } = batch;
        await store.append(job, step, { mode, base, masksVersion, lines: batch.lines.slice(0, 1) });
        const masks = await store.addMasks(jobId, ['late-secret']);
        throw new StaleMasksError(batch.masksVersion ?? 0, masks.length, 1);
      },
    });
    const result = await writeLines(partial, input(jobId, body('one late-secret\ntwo late-secret\nthree\n'), { format: 'text' }));
    expect(result).toEqual({ accepted: 3, duplicates: 0, last: 3 });
    // the first line was stored before the mask; the rest once each, masked
    expect(await texts(jobId)).toEqual(['one late-secret', 'two ***', 'three']);
    // the raw text of the whole batch, once
    let raw = '';
    for await (const chunk of store.readRaw(jobId, 'build')) raw += chunk;
    expect(raw).toBe('one late-secret\ntwo late-secret\nthree\n');
  });

  it('numbers groups by the lines the store gave', async () => {
    const jobId = await newJob();
    await writeLines(store, input(jobId, body('one\ntwo\n'), { format: 'text' }));
    await writeLines(store, input(jobId, body('::group::Build\nin\n::endgroup::\n'), { format: 'text' }));
    const step = (await store.getJob(jobId))?.steps[0];
    expect(step?.groups).toMatchObject([{ name: 'Build', start: 3, end: 5 }]);
  });
});
