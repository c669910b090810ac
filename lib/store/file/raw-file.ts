import 'server-only';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { RAW_CHUNK_BYTES } from '../types';
import { appendDurable, fsyncDir, isErrno, truncateDurable } from './fs-util';

/**
 * A step's raw text (issue 13, AppendBatch.raw, LogStore.readRaw): `<step>.raw`, the producer's
 * text of every stored batch as it arrived, UTF-8, append-only. It is written (datasync) before
 * the journal record that acknowledges the batch, and that record carries the file's length
 * after it (`rb`, JobState.rawBytes): bytes past the acknowledged length (a batch that crashed
 * before its record) are never served and are cut before the next append. readRaw streams the
 * acknowledged bytes in RAW_CHUNK_BYTES blocks (a UTF-8 sequence split by a block waits for the
 * next one), so a reader holds one block whatever the step's size. deleteJob (and retention,
 * which deletes jobs) removes it with the job's directory. Raw text does not count against the
 * job_bytes quota (that counts stored line text); the request body limits bound each batch.
 */

/**
 * Appends `text` to the raw file whose acknowledged length is `committed`; durable when it
 * resolves. `checked`: the file's length was already matched to `committed` in this process.
 * Resolves with the length after it.
 */
export async function appendRaw(file: string, committed: number, text: string, checked: boolean): Promise<number> {
  let creating = committed === 0 && checked;
  if (!checked) {
    let size = 0;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      creating = true;
    }
    // an unacknowledged tail (a crash between this file and the journal): never served, cut
    if (size > committed) await truncateDurable(file, committed);
    // shorter only if the disk lost synced data: keep what is there
    if (size < committed) committed = size;
  }
  const data = Buffer.from(text);
  await appendDurable(file, data);
  // a new file's directory entry is durable only once its directory is synced
  if (creating) await fsyncDir(path.dirname(file));
  return committed + data.length;
}

/** The first `bytes` bytes of the raw file, as text in chunks of at most RAW_CHUNK_BYTES bytes. */
export async function* readRawFile(file: string, bytes: number, signal?: AbortSignal): AsyncGenerator<string> {
  if (bytes <= 0 || signal?.aborted) return;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(RAW_CHUNK_BYTES);
    for (let position = 0; position < bytes; ) {
      if (signal?.aborted) return;
      const { bytesRead } = await handle.read(buffer, 0, Math.min(RAW_CHUNK_BYTES, bytes - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      if (text !== '') yield text;
    }
    const rest = decoder.end();
    if (rest !== '') yield rest;
  } finally {
    await handle.close();
  }
}
