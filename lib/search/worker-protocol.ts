import 'server-only';
import type { BlockResult } from './match-block';
import type { CompiledQuery } from './pattern';

/** Request thread → search worker: match `texts` (stored line texts) until `deadline` (ms since the epoch). */
export interface WorkerRequest {
  id: number;
  query: CompiledQuery;
  texts: string[];
  deadline: number;
}

/** Search worker → request thread: one reply per request, in order. */
export type WorkerReply = { id: number; ok: true; result: BlockResult } | { id: number; ok: false; message: string };
