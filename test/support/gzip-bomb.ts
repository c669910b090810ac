import zlib from 'node:zlib';

/**
 * A gzip body that inflates to `mebibytes` MiB of zeros (deflate's best ratio, ~1030:1: 1 GiB
 * from ~1 MiB) without ever holding the inflated bytes: one fully flushed deflate segment of
 * 1 MiB of zeros, repeated. The trailer's CRC is left 0: a decoder that reads that far has
 * already failed the test. For tests (unit and e2e).
 */
export function gzipBomb(mebibytes: number): Uint8Array {
  const segment = zlib.deflateRawSync(Buffer.alloc(1024 * 1024), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const finalBlock = Buffer.from([3, 0]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE((mebibytes * 1024 * 1024) >>> 0, 4);
  return Buffer.concat([header, ...Array.from({ length: mebibytes }, () => segment), finalBlock, trailer]);
}
