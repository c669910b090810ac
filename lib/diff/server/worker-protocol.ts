import 'server-only';
import type { LineDiffParts } from '../hunks';
import type { NormaliseRuleId } from '../normalise';

/**
 * Request thread → diff worker (diff-worker.ts). A worker runs one diff at a time: `start`
 * (its normalisation), then `page`s of either side's line texts, in order, then `finish`.
 * Each request is answered before the next is sent, so at most one page is in flight.
 */
export type DiffWorkerRequest =
  | { id: number; kind: 'start'; rules: NormaliseRuleId[]; maxLines?: number }
  | { id: number; kind: 'page'; side: 'base' | 'head'; texts: string[] }
  | { id: number; kind: 'finish' }
  /** drop the diff under way (its reading failed): the worker holds nothing until the next `start` */
  | { id: number; kind: 'reset' };

/**
 * Diff worker → request thread: one reply per request. A page's `more` is false once its side
 * holds MAX_DIFF_LINES (send no more of it); `finish` answers the diff, its array transferred.
 */
export type DiffWorkerReply =
  | { id: number; ok: true; more: boolean }
  | { id: number; ok: true; parts: LineDiffParts }
  | { id: number; ok: false; message: string };
