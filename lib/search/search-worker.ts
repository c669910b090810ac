import 'server-only';
/**
 * A search worker thread (pool.ts): matches blocks of lines for one search at a time. It turns
 * on V8's linear-time fallback before compiling any regexp (the flags are process-wide; set here
 * too so that a worker never depends on the order things started in).
 */
import { parentPort } from 'node:worker_threads';
import { enableLinearFallback } from './engine';
import { MatcherCache, matchBlock } from './match-block';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

enableLinearFallback();
const cache = new MatcherCache();
const port = parentPort;
if (!port) throw new Error('search-worker.ts runs as a worker thread');

port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: request.id, ok: true, result: matchBlock(cache.get(request.query), request.texts, request.deadline) };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
