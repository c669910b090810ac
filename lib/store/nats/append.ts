import 'server-only';
import { AppError, LineGapError, UnavailableError } from '../../errors';
import type { AppendResult, Line } from '../../contracts';
import { assertMasksFresh, dedupeLines, MAX_EVENT_LINES } from '../plan';
import type { AppendBatch } from '../types';
import { encodeJson, toTuple } from './codec';
import { CAS_ATTEMPTS, type Context, type Tail } from './context';
import { isWrongLastSequence } from './errors';

/** The sparse index keeps one entry per this many lines (`idx.<k>` → message with line k·B+1). */
export const INDEX_BLOCK = 1000;
/** Leave room for headers under the server's max_payload. */
const PAYLOAD_HEADROOM = 4096;

/** Splits fresh lines into messages (one `lines` event each) of ≤ MAX_EVENT_LINES lines and ≤ maxBytes encoded. */
function* messages(lines: Line[], state: unknown, mv: number, maxBytes: number): Generator<{ lines: Line[]; data: Uint8Array }> {
  for (let i = 0; i < lines.length; ) {
    let count = Math.min(MAX_EVENT_LINES, lines.length - i);
    for (;;) {
      const chunk = lines.slice(i, i + count);
      const data = encodeJson({ f: chunk[0]?.n, l: chunk.map(toTuple), st: state, mv });
      if (data.byteLength <= maxBytes) {
        yield { lines: chunk, data };
        i += count;
        break;
      }
      if (count === 1) {
        throw new AppError('too_large', `line ${chunk[0]?.n} exceeds the NATS max_payload (${maxBytes} bytes); raise max_payload on the server`);
      }
      count = Math.ceil(count / 2);
    }
  }
}

/**
 * Appends one batch. The step's tail (its last lines message) is the idempotency guard: every
 * message is published with `expect last subject sequence = tail.seq`, so of two servers
 * appending the same lines one wins and the other re-reads the tail and counts duplicates.
 * This holds after any delay, unlike msgID de-duplication (only the duplicate window).
 * The tail also carries the job's masks version (a fence, Context.fence): a batch masked with
 * fewer masks than the tail has seen is StaleMasksError, checked on every (re-)read.
 */
export async function appendLines(
  ctx: Context,
  tails: Map<string, Tail>,
  jobId: string,
  stepId: string,
  batch: AppendBatch,
): Promise<{ result: AppendResult; tail: Tail }> {
  const key = `${jobId}\u0000${stepId}`;
  const subject = ctx.subjects.lines(jobId, stepId);
  const maxBytes = (ctx.nc.info?.max_payload ?? 1024 * 1024) - PAYLOAD_HEADROOM;
  const cached = tails.get(key);
  let tail = cached ?? (await ctx.readTail(jobId, stepId));
  // a cached tail may be behind another server's writes: only a fresh read may report a gap
  let fresh = cached === undefined;
  let accepted = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt >= CAS_ATTEMPTS) throw new UnavailableError('step is too contended, retry');
    if (tail.sealed) {
      tails.delete(key);
      throw new AppError('job_completed', `job ${jobId} is complete and takes no more writes`);
    }
    let unseen: Line[];
    try {
      unseen = dedupeLines(batch.lines, tail.last).fresh;
    } catch (error) {
      if (!(error instanceof LineGapError) || fresh) throw error;
      tails.delete(key);
      tail = await ctx.readTail(jobId, stepId);
      fresh = true;
      continue;
    }
    if (unseen.length === 0) break;
    assertMasksFresh(batch, tail.masks);
    const state = batch.state === undefined ? tail.state : batch.state;
    const mv = Math.max(tail.masks, batch.masksVersion ?? 0);
    try {
      for (const message of messages(unseen, state, mv, maxBytes)) {
        const ack = await ctx.js.publish(subject, message.data, { expect: { lastSubjectSequence: tail.seq } });
        const first = message.lines[0]?.n ?? 0;
        tail = { seq: ack.seq, last: first + message.lines.length - 1, state, sealed: false, masks: mv };
        tails.set(key, tail);
        accepted += message.lines.length;
        indexMessage(ctx, jobId, stepId, first, tail.last, ack.seq);
      }
      break;
    } catch (error) {
      tails.delete(key);
      if (!isWrongLastSequence(error)) throw error;
      tail = await ctx.readTail(jobId, stepId);
      fresh = true;
    }
  }
  return { result: { accepted, duplicates: batch.lines.length - accepted, last: tail.last }, tail };
}

/**
 * Sparse index n → stream sequence, one entry per INDEX_BLOCK lines, in the meta stream (one
 * message per subject). Derived data: a missing entry (crash between the two publishes) only
 * makes a range read start from an earlier block.
 */
function indexMessage(ctx: Context, jobId: string, stepId: string, first: number, last: number, seq: number): void {
  for (let k = Math.ceil((first - 1) / INDEX_BLOCK); k * INDEX_BLOCK + 1 <= last; k++) {
    // core publish, no ack wait: derived data must not halve the append rate
    ctx.nc.publish(ctx.subjects.index(jobId, stepId, k), encodeJson({ seq }));
  }
}

