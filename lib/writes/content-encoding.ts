import 'server-only';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import zlib from 'node:zlib';
import { AppError, badRequest } from '../errors';

/**
 * `Content-Encoding` of a `POST lines` body (docs/api.md "Lines"): `gzip` (`x-gzip`), `deflate`
 * and `br` are decoded as the body streams in, chunk by chunk, never whole; `identity` (or no
 * header) passes the body through. The body budget (`LOGSCOPE_MAX_BODY_BYTES`) and the line cap
 * count decoded bytes, so a small bomb is refused as soon as its output passes either (a
 * gigabyte of zeros is one over-long line: 413 after 1 MiB, nothing stored). Anything else is a
 * 415 before a byte is read.
 */
const DECODERS: Record<string, () => zlib.Gzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** Decoded output read per pull: bounded memory whatever the compression ratio. */
const DECODED_CHUNK_BYTES = 64 * 1024;

/** The one coding of the header (identity dropped), or null for none; 415 for anything else. */
export function contentCoding(header: string | null): string | null {
  const codings = (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  const [coding] = codings;
  if (coding === undefined) return null;
  if (codings.length > 1 || !(coding in DECODERS)) {
    throw new AppError('unsupported_media_type', `Content-Encoding ${JSON.stringify(header?.slice(0, 64))} is not supported: use gzip, deflate, br or identity`);
  }
  return coding;
}

/** The body decoded per `coding` (contentCoding), as a pull stream: nothing is decoded ahead of the reader. */
export function decodeBody(body: ReadableStream<Uint8Array> | null, coding: string | null): ReadableStream<Uint8Array> | null {
  if (coding === null || body === null) return body;
  const make = DECODERS[coding];
  if (!make) throw new Error(`no decoder for ${coding}`);
  const decoder = make();
  const source = Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
  source.on('error', (error) => decoder.destroy(error));
  source.pipe(decoder);
  const chunks = decoder[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (error) {
          // a producer that went away mid-body stays what it was; broken data is a 400
          if (source.destroyed && source.errored) throw error;
          throw badRequest(`the body is not valid ${coding} data`);
        }
        if (next.done) {
          controller.close();
          return;
        }
        const data = next.value;
        for (let i = 0; i < data.byteLength; i += DECODED_CHUNK_BYTES) controller.enqueue(new Uint8Array(data.subarray(i, i + DECODED_CHUNK_BYTES)));
      },
      cancel() {
        decoder.destroy();
        source.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}
