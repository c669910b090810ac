import { DeliverPolicy } from '@nats-io/jetstream';
import type { Line } from '../../contracts';
import { INDEX_BLOCK } from './append';
import { decodeJson, decodeLinesMessage, isSeal, lastOf, linesOf } from './codec';
import type { Context, Tail } from './context';

/** Direct gets tried before switching to a consumer for the rest of a range. */
const DIRECT_GETS = 8;

/**
 * Lines from..from+limit-1 without replaying the step: the sparse index names the message that
 * holds line k·1000+1 at or before `from`; an ordered consumer on the step's lines subject
 * starts there and stops once the range (or the tail read before) is reached. So a read costs
 * at most one index block plus the range, wherever it falls in the step.
 */
export async function readRange(ctx: Context, jobId: string, stepId: string, from: number, limit: number, tail: Tail): Promise<Line[]> {
  const to = Math.min(from + limit - 1, tail.last);
  if (limit <= 0 || from > to) return [];
  const startSeq = await indexedStart(ctx, jobId, stepId, Math.floor((from - 1) / INDEX_BLOCK));
  const lines: Line[] = [];
  // Usually the range sits in a few big messages: direct gets by sequence cost one round trip
  // each, far less than creating a consumer. Many small messages fall back to a consumer.
  let seq = startSeq;
  for (let i = 0; i < DIRECT_GETS; i++) {
    const m = await ctx.jsm.direct.getMessage(ctx.subjects.logStream, { seq, next_by_subj: ctx.subjects.lines(jobId, stepId) });
    if (!m) return lines;
    const body = decodeLinesMessage(m.data);
    if (!isSeal(body) && lastOf(body) >= from) {
      for (const line of linesOf(body)) if (line.n >= from && line.n <= to) lines.push(line);
    }
    if (lastOf(body) >= to || m.seq >= tail.seq) return lines;
    seq = m.seq + 1;
  }
  const consumer = await ctx.js.consumers.get(ctx.subjects.logStream, {
    filter_subjects: ctx.subjects.lines(jobId, stepId),
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: seq,
  });
  const messages = await consumer.consume({ max_messages: 64 });
  try {
    for await (const m of messages) {
      const body = decodeLinesMessage(m.data);
      if (!isSeal(body) && lastOf(body) >= from) {
        for (const line of linesOf(body)) if (line.n >= from && line.n <= to) lines.push(line);
      }
      // bounded: the tail's sequence (or the range's end) is always reached
      if (lastOf(body) >= to || m.seq >= tail.seq || m.info.pending === 0) break;
    }
  } finally {
    await messages.close().catch(() => undefined);
  }
  return lines;
}

/** Where to start: the nearest index entry at or below block k (1 = the stream's start). */
async function indexedStart(ctx: Context, jobId: string, stepId: string, block: number): Promise<number> {
  for (let k = block; k >= 0 && block - k < 4; k--) {
    const msg = await ctx.jsm.direct.getMessage(ctx.subjects.metaStream, { last_by_subj: ctx.subjects.index(jobId, stepId, k) });
    if (msg) {
      const value = decodeJson(msg.data) as { seq?: unknown };
      if (typeof value.seq === 'number') return value.seq;
    }
  }
  return 1;
}
