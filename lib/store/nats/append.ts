import 'server-only';
import { AppError, LineGapError, StaleAppendError, UnavailableError, notFound } from '../../errors';
import type { AppendResult, Line } from '../../contracts';
import { assertJobBytes, assertMasksFresh, dedupeLines, MAX_EVENT_LINES, numberAtEnd, textBytes } from '../plan';
import type { AppendBatch } from '../types';
import { encodeJson, toTuple } from './codec';
import { CAS_ATTEMPTS, type Context, type Tail } from './context';
import { isWrongLastSequence } from './errors';

/** The sparse index keeps one entry per this many lines (`idx.<k>` → message with line k·B+1). */
export const INDEX_BLOCK = 1000;
/** Leave room for headers under the server's max_payload. */
const PAYLOAD_HEADROOM = 4096;

/** Splits fresh lines into messages (one `lines` event each) of ≤ MAX_EVENT_LINES lines and ≤ maxBytes encoded. */
function* messages(lines: Line[], state: unknown, mv: number, stepBytes: number, maxBytes: number): Generator<{ lines: Line[]; data: Uint8Array; bytes: number }> {
  let total = stepBytes;
  for (let i = 0; i < lines.length; ) {
    let count = Math.min(MAX_EVENT_LINES, lines.length - i);
    for (;;) {
      const chunk = lines.slice(i, i + count);
      const bytes = total + textBytes(chunk);
      const data = encodeJson({ f: chunk[0]?.n, l: chunk.map(toTuple), st: state, mv, b: bytes });
      if (data.byteLength <= maxBytes) {
        yield { lines: chunk, data, bytes };
        total = bytes;
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
 * An `end`-mode batch is numbered after the tail it is published against (lib/store/plan
 * numberAtEnd), so a lost race renumbers it after the winner's lines. A batch cut into several
 * messages keeps its order, but another server's lines may land between its messages.
 * `otherBytes` is the text bytes of the job's other steps, for the job_bytes quota.
 */
export async function appendLines(
  ctx: Context,
  tails: Map<string, Tail>,
  jobId: string,
  stepId: string,
  batch: AppendBatch,
  otherBytes: number,
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
    if (tail.gone) {
      tails.delete(key);
      throw notFound(`job ${jobId}`);
    }
    if (tail.sealed) {
      tails.delete(key);
      throw new AppError('job_completed', `job ${jobId} is complete and takes no more writes`);
    }
    // an `end` batch's base is checked against a fresh tail only, and only before its first
    // message: later messages follow our own
    if (batch.mode === 'end' && accepted === 0 && batch.base !== undefined && batch.base !== tail.last) {
      if (fresh) throw new StaleAppendError(tail.last);
      tails.delete(key);
      tail = await ctx.readTail(jobId, stepId);
      fresh = true;
      continue;
    }
    let unseen: Line[];
    try {
      unseen = batch.mode === 'end' ? numberAtEnd(batch.lines.slice(accepted), tail.last).fresh : dedupeLines(batch.lines, tail.last).fresh;
    } catch (error) {
      if (!(error instanceof LineGapError) || fresh) throw error;
      tails.delete(key);
      tail = await ctx.readTail(jobId, stepId);
      fresh = true;
      continue;
    }
    if (unseen.length === 0) break;
    // a fence between two messages of one batch stops it there: the rest is masked again
    assertMasksFresh(batch, tail.masks, accepted);
    if (accepted === 0) assertJobBytes({ bytes: otherBytes + tail.bytes }, textBytes(unseen));
    const state = batch.state === undefined ? tail.state : batch.state;
    const mv = Math.max(tail.masks, batch.masksVersion ?? 0);
    try {
      for (const message of messages(unseen, state, mv, tail.bytes, maxBytes)) {
        const ack = await ctx.js.publish(subject, message.data, { expect: { lastSubjectSequence: tail.seq } });
        const first = message.lines[0]?.n ?? 0;
        tail = { seq: ack.seq, last: first + message.lines.length - 1, state, sealed: false, masks: mv, bytes: message.bytes };
        tails.set(key, tail);
        accepted += message.lines.length;
        indexMessage(ctx, jobId, stepId, first, tail.last, ack.seq);
      }
      break;
    } catch (error) {
      tails.delete(key);
      if (!isWrongLastSequence(error)) throw error;
      await lostRace(attempt);
      tail = await ctx.readTail(jobId, stepId);
      fresh = true;
    }
  }
  const duplicates = batch.mode === 'end' ? 0 : batch.lines.length - accepted;
  return { result: { accepted, duplicates, last: tail.last }, tail };
}

/**
 * A short random pause after a lost compare-and-set, up to 1, 2, 4 … 64 ms. Without it a writer
 * that keeps its tail cached (one round trip a batch) can win every race against one that must
 * re-read first (two), until the loser runs out of CAS_ATTEMPTS while the winner streams on.
 */
function lostRace(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 64)));
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

