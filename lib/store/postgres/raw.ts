import 'server-only';
import { RAW_CHUNK_BYTES } from '../types';
import type { Db } from './db';

/**
 * A step's raw text (AppendBatch.raw) is stored as UTF-8 chunks of at most RAW_CHUNK_BYTES bytes
 * (table `raw`, migration 8), in the append's transaction. A chunk may end mid-line, never inside
 * a character.
 */
export function rawChunks(raw: string): Buffer[] {
  const bytes = Buffer.from(raw, 'utf8');
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(bytes.length, start + RAW_CHUNK_BYTES);
    // back off continuation bytes (10xxxxxx) so a chunk never splits a UTF-8 sequence
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return chunks;
}

/**
 * One query per yielded chunk: the stored chunks after `after` (keyset on id) whose running
 * size stays within RAW_CHUNK_BYTES (at least one), joined. So a reader holds one chunk of about
 * RAW_CHUNK_BYTES at a time, however large the step, and small appends' chunks are read together.
 */
// the outer ORDER BY is on the bigint w.id: `id` alone would be the text alias ('10' < '9')
const RAW_PAGE_SQL = `
  SELECT w.id::text AS id, w.chunk FROM (
    SELECT id, chunk, sum(octet_length(chunk)) OVER (ORDER BY id) AS upto
    FROM (SELECT id, chunk FROM raw WHERE job_id = $1 AND step_id = $2 AND id > $3::bigint ORDER BY id LIMIT $5) c
  ) w WHERE w.upto <= $4 OR w.id = (SELECT min(id) FROM raw WHERE job_id = $1 AND step_id = $2 AND id > $3::bigint)
  ORDER BY w.id`;
/** Rows one page may join (small appends make small chunks). */
const RAW_PAGE_ROWS = 256;

export async function* readRawChunks(db: Db, jobId: string, stepId: string, signal?: AbortSignal): AsyncGenerator<string> {
  let after = '0';
  const decoder = new TextDecoder();
  while (!signal?.aborted) {
    const { rows } = await db.query<{ id: string; chunk: Buffer }>(RAW_PAGE_SQL, [jobId, stepId, after, RAW_CHUNK_BYTES, RAW_PAGE_ROWS]);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.id ?? after;
    // chunks never split a character, so each decodes on its own
    yield rows.map((r) => decoder.decode(r.chunk)).join('');
  }
}
