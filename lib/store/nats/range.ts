import 'server-only';
import type { StoredMsg } from '@nats-io/jetstream';
import { SCREEN_ROWS, type Line } from '../../contracts';
import { lineBytes } from '../../limits';
import { INDEX_BLOCK } from './append';
import { decodeJson, decodeLinesMessage, isMark, isUpdate, lastBefore, lastOf, linesOf, updatesOf } from './codec';
import { latestUpdateSeq, type Context, type Tail } from './context';

/** How far back to look for an index entry when the block's own is missing. */
const INDEX_LOOKBACK = 4;

/**
 * Lines from..from+limit-1 without replaying the step, by message gets only — no consumer:
 * creating one is a cluster-wide operation that times out when it lands on a dead node, and
 * each left a consumer behind. The sparse index names the message holding line k·1000+1; each
 * index block of the range is walked on its own, in parallel, with `next_by_subj` gets on
 * the step's lines subject. So a read costs one index block plus the range, wherever it falls.
 */
export async function readRange(
  ctx: Context,
  jobId: string,
  stepId: string,
  from: number,
  limit: number,
  tail: Tail,
  maxBytes?: number,
): Promise<Line[]> {
  const to = Math.min(from + limit - 1, tail.last);
  if (limit <= 0 || from > to) return [];
  const blocks: { k: number; from: number; to: number }[] = [];
  for (let k = Math.floor((from - 1) / INDEX_BLOCK); k * INDEX_BLOCK + 1 <= to; k++) {
    blocks.push({ k, from: Math.max(from, k * INDEX_BLOCK + 1), to: Math.min(to, (k + 1) * INDEX_BLOCK) });
  }
  if (maxBytes !== undefined) {
    // A byte budget: the blocks in order, each walk stopping where the budget ends, so no
    // more than the budget's lines are held at once.
    const budget: Budget = { max: maxBytes, used: 0, count: 0, full: false };
    const out: Line[] = [];
    for (const b of blocks) {
      out.push(...(await walk(ctx, jobId, stepId, await indexedStart(ctx, jobId, stepId, b.k), b.from, b.to, tail, budget)));
      if (budget.full) break;
    }
    return trimToBudget(out, maxBytes);
  }
  const parts = await Promise.all(
    blocks.map(async (b) => walk(ctx, jobId, stepId, await indexedStart(ctx, jobId, stepId, b.k), b.from, b.to, tail)),
  );
  return parts.flat();
}

/** Bytes (lib/limits.ts lineBytes) taken so far by a range read; `full` once a line did not fit. */
interface Budget {
  max: number;
  used: number;
  count: number;
  full: boolean;
}

/**
 * Lines from..to, walking the step's messages from stream sequence `start`, with the text of
 * their latest rewrite (update messages, codec.ts). A line `n` can only be rewritten while it is
 * within the screen, that is by update messages before the first message whose batch started
 * with the step at `n + SCREEN_ROWS` lines or more (codec.ts lastBefore); and there is at most one
 * update message between two lines messages. So the walk goes on past `to` over the messages
 * holding about SCREEN_ROWS more lines (and the update messages between them) — only while an
 * update message is still ahead (the tail names the latest one): plain steps stop at `to` as before.
 */
async function walk(
  ctx: Context,
  jobId: string,
  stepId: string,
  start: number,
  from: number,
  to: number,
  tail: Tail,
  budget?: Budget,
): Promise<Line[]> {
  const subject = ctx.subjects.lines(jobId, stepId);
  const lines: Line[] = []; // dense from `from`
  const latestUpdate = latestUpdateSeq(tail);
  let upto = to;
  let collecting = true;
  let seq = start;
  // bounded: every step forward moves past one of the step's messages, and the tail read
  // before (tail.seq) ends the walk
  while (seq <= tail.seq) {
    const m = await nextMessage(ctx, subject, seq);
    if (!m) break;
    const body = decodeLinesMessage(m.data);
    // from here on no message rewrites a line at or below `upto`
    if (!collecting && lastBefore(body) >= upto + SCREEN_ROWS) break;
    if (isUpdate(body)) {
      for (const line of updatesOf(body)) {
        const i = line.n - from;
        if (i >= 0 && i < lines.length) lines[i] = line;
      }
    } else if (!isMark(body) && collecting && lastOf(body) >= from) {
      for (const line of linesOf(body)) {
        if (line.n < from || line.n > to) continue;
        if (budget) {
          const bytes = lineBytes(line.text);
          if (budget.count > 0 && budget.used + bytes > budget.max) {
            budget.full = true;
            break;
          }
          budget.used += bytes;
          budget.count += 1;
        }
        lines.push(line);
      }
      if (budget?.full) upto = from + lines.length - 1;
      if (budget?.full || lastOf(body) >= to) collecting = false;
    }
    if (!collecting && latestUpdate <= m.seq) break; // no update message ahead
    seq = m.seq + 1;
  }
  return lines;
}

/**
 * A byte-budgeted range after its rewrites were applied: a rewritten line may be longer than the
 * text the walk counted, so the range is cut again where the budget ends (at least one line).
 */
function trimToBudget(lines: Line[], maxBytes: number): Line[] {
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    used += lineBytes(lines[i]?.text ?? '');
    if (i > 0 && used > maxBytes) return lines.slice(0, i);
  }
  return lines;
}

/**
 * The step's first message at or after `seq`. Direct gets may be answered by any replica;
 * one that lags behind the tail we read may not have the message yet, so a miss is asked
 * again of the stream leader before the range is cut short.
 */
async function nextMessage(ctx: Context, subject: string, seq: number): Promise<StoredMsg | null> {
  const query = { seq, next_by_subj: subject };
  return (await ctx.jsm.direct.getMessage(ctx.subjects.logStream, query)) ?? ctx.jsm.streams.getMessage(ctx.subjects.logStream, query);
}

/** Where to start: the nearest index entry at or below block k (1 = the stream's start). */
async function indexedStart(ctx: Context, jobId: string, stepId: string, block: number): Promise<number> {
  for (let k = block; k >= 0 && block - k < INDEX_LOOKBACK; k--) {
    const msg = await ctx.jsm.direct.getMessage(ctx.subjects.metaStream, { last_by_subj: ctx.subjects.index(jobId, stepId, k) });
    if (msg) {
      const value = decodeJson(msg.data) as { seq?: unknown };
      if (typeof value.seq === 'number') return value.seq;
    }
  }
  return 1;
}
