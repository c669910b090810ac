import 'server-only';
/**
 * A search worker thread (pool.ts): matches blocks of lines, or scans step sidecars, for one
 * search at a time. It turns on V8's linear-time fallback before compiling any regexp (the flags
 * are process-wide; set here too so that a worker never depends on the order things started in).
 */
import { parentPort } from 'node:worker_threads';
import { enableLinearFallback } from './engine';
import { MatcherCache, matchBlock } from './match-block';
import { scanSidecars } from './sidecar-scan';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

/** pool.ts READY (not imported: the worker loads no more than it needs) */
const READY = 'ready';

enableLinearFallback();
const cache = new MatcherCache();
const port = parentPort;
if (!port) throw new Error('search-worker.ts runs as a worker thread');

port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const result =
      request.kind === 'sidecars'
        ? scanSidecars(cache.prepared(request.query), request.segments, request.want, request.deadline, Date.now, request.skip ?? 0)
        : matchBlock(cache.get(request.query), request.texts, request.deadline);
    reply = { id: request.id, ok: true, result };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage(READY);
