import 'server-only';
import { AppError, LineGapError, UnavailableError, notFound } from '../../errors';
import type { AppendResult, Line } from '../../contracts';
import { appendResult, assertBaseFresh, assertJobBytes, baseOf, assertMasksFresh, checkUpdates, dedupeLines, isProducedRetry, MAX_EVENT_LINES, numberAtEnd, producedAfter, textBytes } from '../plan';
import type { AppendBatch } from '../types';
import { decodeLinesMessage, encodeJson, toNumberedTuple, toTuple } from './codec';
import { CAS_ATTEMPTS, latestUpdateSeq, producedOf, tailOf, type Context, type Tail } from './context';
import { isWrongLastSequence } from './errors';
import { writeRaw } from './raw';


/** The sparse index keeps one entry per this many lines (`idx.<k>` → message with line k·B+1). */
export const INDEX_BLOCK = 1000;
/** Leave room for headers under the server's max_payload. */
const PAYLOAD_HEADROOM = 4096;

/**
 * Splits fresh lines into messages (one `lines` event each) of ≤ MAX_EVENT_LINES lines and ≤
 * maxBytes encoded. `fields(last, lastLine)` gives the carried fields (state, produced…) of a
 * message, `last` true for the batch's last one.
 */
function* messages(lines: Line[], fields: (last: boolean, lastLine: number) => Record<string, unknown>, mv: number, stepBytes: number, maxBytes: number): Generator<{ lines: Line[]; data: Uint8Array; bytes: number; fields: Record<string, unknown> }> {
  let total = stepBytes;
  for (let i = 0; i < lines.length; ) {
    let count = Math.min(MAX_EVENT_LINES, lines.length - i);
    for (;;) {
      const chunk = lines.slice(i, i + count);
      const bytes = total + textBytes(chunk);
      const carried = fields(i + count >= lines.length, chunk[chunk.length - 1]?.n ?? 0);
      const data = encodeJson({ f: chunk[0]?.n, l: chunk.map(toTuple), ...carried, mv, b: bytes });
      if (data.byteLength <= maxBytes) {
        yield { lines: chunk, data, bytes, fields: carried };
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

/** The step as plan/screen.ts reads it from a tail: its line count and stored producer number. */
function stepOf(tail: Pick<Tail, 'last' | 'produced'>): { lines: number; produced?: number } {
  return tail.produced === undefined ? { lines: tail.last } : { lines: tail.last, produced: tail.produced };
}

/** The tail a lines message leaves, from what was encoded into it (no decoding of the lines). */
function linesTail(seq: number, last: number, fields: Record<string, unknown>, masks: number, bytes: number): Tail {
  const { p, us } = fields;
  return {
    seq,
    last,
    state: fields.st ?? null,
    sealed: false,
    masks,
    bytes,
    ...(typeof p === 'number' ? { produced: p } : {}),
    ...(typeof us === 'number' ? { updateSeq: us } : {}),
  };
}

/** An update message's lines: the run's earlier rewrites (`run`) with this batch's on top, by line. */
function mergeRun(run: readonly Line[], updates: readonly Line[]): Line[] {
  const byLine = new Map<number, Line>();
  for (const line of run) byLine.set(line.n, line);
  for (const line of updates) byLine.set(line.n, line);
  return [...byLine.values()].sort((a, b) => a.n - b.n);
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
 *
 * Issue 13. A batch with `produced` commits with its last message: that one alone carries the
 * batch's state and `produced`, the messages before it keep the step's (so a batch cut short by a
 * crash is taken again whole: its stored lines count as duplicates, `produced` has not moved).
 * A batch with `produced` not above the tail's is a retry and stores nothing. Its `updates` go in
 * one update message after its lines (codec.ts), which is then its last message; a batch that
 * moves `produced` without a line or an update commits with a fence mark. Its `raw` text is
 * written after the commit (raw.ts), before the answer. An update's text counts in the step's
 * byte count `b` (the job_bytes quota) as stored bytes: a rewrite adds its text, it does not
 * subtract the text it replaces (which stays in the stream).
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
  let updated = 0;
  let retry = false;
  /** the step's last line and produced number before the batch's first message */
  let before: { last: number; produced: number } | null = null;
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
    // a batch's base (any mode; plan/screen.ts assertBaseFresh) is refused on a fresh tail only,
    // and only before its first message (later ones follow our own); before the retry test: a
    // batch computed from a stale state is not a retry. A cached tail that matches but is behind
    // fails the CAS, and the fresh tail is checked again.
    if (before === null && batch.base !== undefined && batch.base !== baseOf(stepOf(tail), batch.produced)) {
      if (fresh) assertBaseFresh(stepOf(tail), batch);
      tails.delete(key);
      tail = await ctx.readTail(jobId, stepId);
      fresh = true;
      continue;
    }
    // a retry of producer lines already stored: `produced` only grows, so a cached tail can
    // only make a retry look new (then its publish fails the CAS and the fresh tail says so)
    if (before === null && isProducedRetry(stepOf(tail), batch.produced)) {
      retry = true;
      break;
    }
    let unseen: Line[];
    let updates: Line[];
    try {
      unseen = batch.mode === 'end' ? numberAtEnd(batch.lines.slice(accepted), tail.last).fresh : dedupeLines(batch.lines, tail.last).fresh;
      updates = checkUpdates(batch.updates, before?.last ?? tail.last);
    } catch (error) {
      const stale = error instanceof LineGapError || (error instanceof AppError && error.code === 'bad_request' && before === null);
      if (!stale || fresh) throw error;
      tails.delete(key);
      tail = await ctx.readTail(jobId, stepId);
      fresh = true;
      continue;
    }
    const staged = batch.produced !== undefined;
    if (unseen.length === 0 && updates.length === 0 && !staged) break;
    // a fence between two messages of one batch stops it there: the rest is masked again
    assertMasksFresh(batch, tail.masks, accepted);
    if (before === null) assertJobBytes({ bytes: otherBytes + tail.bytes }, textBytes(unseen) + textBytes(updates));
    const start: { last: number; produced: number } = before ?? { last: tail.last, produced: producedOf(tail) };
    const mv = Math.max(tail.masks, batch.masksVersion ?? 0);
    const state = batch.state === undefined ? tail.state : batch.state;
    /**
     * The fields a message ending at line `lastLine` carries: the batch's commit (its last message)
     * the batch's state and `produced`, the messages before it the step's (a batch without
     * `produced` keeps the step's offset between the producer's numbers and the lines, as
     * plan/screen.ts producedAfter).
     */
    const carry = (commit: boolean, seqTail: Tail, lastLine: number): Record<string, unknown> => {
      const us = latestUpdateSeq(seqTail);
      const moved = staged ? (commit ? batch.produced : start.produced) : producedAfter(stepOf({ ...tail, last: start.last, produced: start.produced }), undefined, lastLine - start.last, lastLine);
      const p = moved === lastLine ? undefined : moved;
      return {
        st: commit || !staged ? state : seqTail.state,
        ...(p !== undefined ? { p } : {}),
        ...(us > 0 ? { us } : {}),
        ...(updates.length > 0 ? { lb: start.last } : {}),
      };
    };
    try {
      let previous = tail;
      for (const message of messages(unseen, (last, lastLine) => carry(last && updates.length === 0, previous, lastLine), mv, tail.bytes, maxBytes)) {
        const ack = await ctx.js.publish(subject, message.data, { expect: { lastSubjectSequence: tail.seq } });
        before ??= start;
        const first = message.lines[0]?.n ?? 0;
        tail = linesTail(ack.seq, first + message.lines.length - 1, message.fields, mv, message.bytes);
        tails.set(key, tail);
        previous = tail;
        accepted += message.lines.length;
        indexMessage(ctx, jobId, stepId, first, tail.last, ack.seq);
      }
      if (updates.length > 0) {
        tail = await publishUpdates(ctx, subject, tail, updates, start.last, carry(true, tail, tail.last), mv, maxBytes);
        before ??= start;
        tails.set(key, tail);
        updated = updates.length;
      } else if (unseen.length === 0 && staged) {
        // produced moved without a line to store: commit the state with a fence mark
        const mark = { seal: false, last: tail.last, mv, b: tail.bytes, ...carry(true, tail, tail.last) };
        const data = encodeJson(mark);
        const ack = await ctx.js.publish(subject, data, { expect: { lastSubjectSequence: tail.seq } });
        before ??= start;
        tail = tailOf(ack.seq, decodeLinesMessage(data));
        tails.set(key, tail);
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
  if (retry) {
    // the lines are stored; their raw text may not be (a crash after the commit): raw.ts skips it if it is
    if (batch.raw && batch.produced !== undefined) await writeRaw(ctx, jobId, stepId, batch.produced, batch.raw);
    return { result: appendResult(0, batch.lines.length, tail.last, tail.produced), tail };
  }
  if (batch.raw && (accepted > 0 || updated > 0 || batch.produced !== undefined)) await writeRaw(ctx, jobId, stepId, producedOf(tail), batch.raw);
  const duplicates = batch.mode === 'end' ? 0 : batch.lines.length - accepted;
  return { result: appendResult(accepted, duplicates, tail.last, tail.produced), tail };
}

/**
 * Publishes a batch's update message (its commit). When the tail is an update message of the same
 * screen (a run: no lines between), the new one holds that one's lines too and the older one is
 * deleted (no ack awaited: a leftover only makes range reads walk one more message); when that
 * merged message would pass max_payload, it holds this batch's lines only.
 */
async function publishUpdates(ctx: Context, subject: string, tail: Tail, updates: Line[], lastBefore: number, fields: Record<string, unknown>, mv: number, maxBytes: number): Promise<Tail> {
  const merge = tail.run !== undefined && tail.run.lastBefore === lastBefore;
  const encode = (lines: Line[], run: boolean) => {
    const { us, ...rest } = fields;
    return encodeJson({ u: lines.map(toNumberedTuple), last: tail.last, lb: lastBefore, ...rest, ...(run || us === undefined ? {} : { us }), mv, b: tail.bytes + textBytes(updates) });
  };
  let run = merge;
  let data = encode(merge && tail.run ? mergeRun(tail.run.lines, updates) : updates, merge);
  if (data.byteLength > maxBytes && merge) {
    run = false;
    data = encode(updates, false);
  }
  if (data.byteLength > maxBytes) {
    throw new AppError('too_large', `the batch's ${updates.length} updated lines exceed the NATS max_payload (${maxBytes} bytes); raise max_payload on the server`);
  }
  const ack = await ctx.js.publish(subject, data, { expect: { lastSubjectSequence: tail.seq } });
  if (run) void ctx.jsm.streams.deleteMessage(ctx.subjects.logStream, tail.seq, false).catch(() => undefined);
  return tailOf(ack.seq, decodeLinesMessage(data));
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

