import 'server-only';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { UnavailableError } from '../../errors';
import { RAW_CHUNK_BYTES } from '../types';
import { CAS_ATTEMPTS, type Context } from './context';
import { isWrongLastSequence } from './errors';

/**
 * A step's raw text (AppendBatch.raw) on `<prefix>_raw.<job>.<step>` in its own stream (so job
 * subscribers never carry it): one message per chunk of at most RAW_CHUNK_BYTES bytes (and under
 * the server's max_payload), the UTF-8 bytes as the body, and a header `q p i e`: the producer's
 * number before and after the batch, the chunk's index in it, 1 on its last chunk.
 *
 * Written after the batch's lines commit (append.ts), each chunk with a compare-and-set on the
 * raw subject. A batch whose `p` the subject already reached is not written again (a retry), and
 * one whose chunks stopped part-way (a crash) goes on after the last stored chunk: so a retried
 * batch is stored once and whole. Order is the order of the commits when a step's batches are
 * acknowledged one at a time (the SDK and CLI wait for each answer); a batch whose raw write loses
 * the race to a later batch's (two servers, pipelined batches) is not written (its `p` is behind).
 */
const RAW_HEADER = 'Logscope-Raw';
/** Room for the headers and the protocol under max_payload. */
const RAW_HEADROOM = 4096;

interface RawMark {
  q: number;
  p: number;
  i: number;
  end: boolean;
}

/** UTF-8 chunks of at most `max` bytes, never splitting a character. */
export function rawChunks(raw: string, max = RAW_CHUNK_BYTES): Uint8Array[] {
  const bytes = Buffer.from(raw, 'utf8');
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(bytes.length, start + max);
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return chunks;
}

function parseMark(value: string | undefined): RawMark | null {
  const parts = (value ?? '').split(' ').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isSafeInteger(n))) return null;
  const [q = 0, p = 0, i = 0, end = 0] = parts;
  return { q, p, i, end: end === 1 };
}

/** Producer lines in a raw batch: each is ended by `\n` (types.ts AppendBatch.raw). */
export function rawLineCount(raw: string): number {
  let count = 0;
  for (let i = raw.indexOf('\n'); i >= 0; i = raw.indexOf('\n', i + 1)) count++;
  return count;
}

/** Stores one batch's raw text, `produced` its producer number after the batch (see above). */
export async function writeRaw(ctx: Context, jobId: string, stepId: string, produced: number, raw: string): Promise<void> {
  if (raw.length === 0) return;
  const subject = ctx.subjects.raw(jobId, stepId);
  const maxBytes = Math.min(RAW_CHUNK_BYTES, (ctx.nc.info?.max_payload ?? 1024 * 1024) - RAW_HEADROOM);
  const chunks = rawChunks(raw, maxBytes);
  const q = Math.max(0, produced - rawLineCount(raw));
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const last = await ctx.lastBySubject(ctx.subjects.rawStream, subject);
    const at = last ? parseMark(last.header?.get(RAW_HEADER)) : null;
    if (at && (at.p > produced || (at.p === produced && at.end))) return;
    let next = at && at.p === produced ? at.i + 1 : 0;
    let seq = last?.seq ?? 0;
    try {
      for (; next < chunks.length; next++) {
        const h = natsHeaders();
        h.set(RAW_HEADER, `${q} ${produced} ${next} ${next === chunks.length - 1 ? 1 : 0}`);
        const chunk = chunks[next] ?? new Uint8Array();
        seq = (await ctx.js.publish(subject, chunk, { headers: h, expect: { lastSubjectSequence: seq } })).seq;
      }
      return;
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
    }
  }
  throw new UnavailableError('raw text is too contended, retry');
}

/** The step's raw chunks in order, one message get per chunk as the consumer pulls. */
export async function* readRawChunks(ctx: Context, jobId: string, stepId: string, signal?: AbortSignal): AsyncGenerator<string> {
  const subject = ctx.subjects.raw(jobId, stepId);
  const decoder = new TextDecoder();
  let seq = 1;
  while (!signal?.aborted) {
    const query = { seq, next_by_subj: subject };
    const m = (await ctx.jsm.direct.getMessage(ctx.subjects.rawStream, query)) ?? (await ctx.jsm.streams.getMessage(ctx.subjects.rawStream, query));
    if (!m) return;
    seq = m.seq + 1;
    // chunks never split a character, so each decodes on its own
    if (m.data.byteLength > 0) yield decoder.decode(m.data);
  }
}
