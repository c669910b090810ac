import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipBomb } from '../../test/support/gzip-bomb';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import type { LogStore } from '../store/types';
import { contentCoding, decodeBody } from './content-encoding';
import { writeLines } from './line-writer';

let store: LogStore;
let seq = 0;
eachTempFileStore('encoding', (opened) => (store = opened));

/** The bytes as a request body, cut in 16 KiB chunks, counting how many were pulled. */
function bodyOf(bytes: Uint8Array, pulled = { chunks: 0 }): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(c) {
      if (offset >= bytes.length) return c.close();
      pulled.chunks++;
      c.enqueue(bytes.slice(offset, offset + 16 * 1024));
      offset += 16 * 1024;
    },
  });
}

async function post(bytes: Uint8Array, encoding: string | null, pulled?: { chunks: number }) {
  const jobId = `enc-${++seq}-${Date.now()}`;
  await store.putJob(jobId, {}, { tokenHash: 'x' });
  const run = writeLines(store, {
    jobId,
    stepId: 's',
    body: decodeBody(bodyOf(bytes, pulled), contentCoding(encoding)),
    format: 'text',
    stream: 'out',
    maxBodyBytes: 64 * 1024 * 1024,
  });
  return { jobId, run };
}

const text = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'é'.repeat(i % 50)}`).join('\n') + '\n';

describe('Content-Encoding', () => {
  it.each([
    { encoding: 'gzip', encode: zlib.gzipSync },
    { encoding: 'x-gzip', encode: zlib.gzipSync },
    { encoding: 'deflate', encode: zlib.deflateSync },
    { encoding: 'br', encode: zlib.brotliCompressSync },
    { encoding: 'identity', encode: (b: Buffer) => b },
    { encoding: ' GZIP , identity', encode: zlib.gzipSync },
  ])('decodes $encoding while streaming', async ({ encoding, encode }) => {
    const { jobId, run } = await post(encode(Buffer.from(text)), encoding);
    expect(await run).toMatchObject({ accepted: 3000, last: 3000 });
    const stored = await store.readLines(jobId, 's', 2999, 2);
    expect(stored.lines.map((l) => l.text)).toEqual(text.split('\n').slice(2998, 3000));
  });

  it.each(['compress', 'zstd', 'gzip, gzip', 'br, gzip', 'gzip;q=1'])('refuses %s with 415 before reading', (encoding) => {
    expect(() => contentCoding(encoding)).toThrow(expect.objectContaining({ code: 'unsupported_media_type', status: 415 }));
  });

  it('answers 400 for a body that is not what its encoding says, keeping nothing', async () => {
    const { jobId, run } = await post(Buffer.from('plain text, not gzip\n'), 'gzip');
    await expect(run).rejects.toMatchObject({ code: 'bad_request', status: 400 });
    expect((await store.readLines(jobId, 's', 1, 10).catch(() => ({ last: 0 }))).last).toBe(0);
  });

  it('refuses a 1 GiB gzip bomb in under a second, storing nothing', async () => {
    const bomb = gzipBomb(1024);
    const pulled = { chunks: 0 };
    const started = performance.now();
    const { jobId, run } = await post(bomb, 'gzip', pulled);
    await expect(run).rejects.toMatchObject({ code: 'too_large', status: 413 });
    expect(performance.now() - started).toBeLessThan(1000);
    // the decoder stopped right after the over-long line: a few KiB of the ~1 MiB body were read
    expect(pulled.chunks).toBeLessThan(8);
    const job = await store.getJob(jobId);
    expect(job?.steps.reduce((sum, s) => sum + s.lines, 0) ?? 0).toBe(0);
  });

  it('counts decoded bytes against the body budget', async () => {
    const jobId = `enc-budget-${Date.now()}`;
    await store.putJob(jobId, {}, { tokenHash: 'x' });
    const lines = Buffer.from('x'.repeat(1000) + '\n').toString().repeat(2000);
    const run = writeLines(store, {
      jobId,
      stepId: 's',
      body: decodeBody(bodyOf(zlib.gzipSync(Buffer.from(lines))), 'gzip'),
      format: 'text',
      stream: 'out',
      maxBodyBytes: 1024 * 1024,
    });
    await expect(run).rejects.toMatchObject({ code: 'too_large' });
  });
});
