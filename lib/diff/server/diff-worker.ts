import 'server-only';
/**
 * A diff worker thread (pool.ts): normalises and interns the pages of lines it is sent, then
 * aligns the two sides (lib/diff), for one diff at a time, off the request thread.
 */
import { parentPort } from 'node:worker_threads';
import { DiffReader } from '../diff';
import { createNormaliser } from '../normalise';
import type { DiffWorkerReply, DiffWorkerRequest } from './worker-protocol';

/** pool.ts READY (not imported: the worker loads no more than it needs) */
const READY = 'ready';

const port = parentPort;
if (!port) throw new Error('diff-worker.ts runs as a worker thread');
let reader: DiffReader | null = null;

port.on('message', (request: DiffWorkerRequest) => {
  let reply: DiffWorkerReply;
  try {
    switch (request.kind) {
      case 'start':
        reader = new DiffReader({ normalise: createNormaliser(request.rules), ...(request.maxLines !== undefined ? { maxLines: request.maxLines } : {}) });
        reply = { id: request.id, ok: true, more: true };
        break;
      case 'page': {
        if (!reader) throw new Error('page before start');
        const more = request.side === 'base' ? reader.addBase(request.texts) : reader.addHead(request.texts);
        reply = { id: request.id, ok: true, more };
        break;
      }
      case 'reset':
        reader = null;
        reply = { id: request.id, ok: true, more: false };
        break;
      case 'finish': {
        if (!reader) throw new Error('finish before start');
        const parts = reader.finish().toParts();
        reader = null;
        // a tight copy: the hunk list's backing store may be twice its length
        const starts = parts.starts.slice();
        port.postMessage({ id: request.id, ok: true, parts: { starts, summary: parts.summary } } satisfies DiffWorkerReply, [starts.buffer]);
        return;
      }
    }
  } catch (error) {
    reader = null;
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage(READY);
