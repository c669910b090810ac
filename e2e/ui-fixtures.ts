import type { Producer } from '../test/support';

/**
 * Extra producers for UI specs, over the public HTTP API like fixtures.ts: bulk text/plain
 * uploads (a million lines in a few requests) and a slow producer that keeps writing.
 */

async function post(p: Producer, path: string, body: string, type: string) {
  const response = await fetch(`${p.baseURL}/api/v1/jobs/${p.jobId}${path}`, {
    method: 'POST',
    headers: { 'content-type': type, authorization: `Bearer ${p.token}` },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as { accepted: number; duplicates: number; last: number };
}

/** Lines `1..count` of a step as raw text, `chunk` lines per request (`?first=` keeps retries idempotent). */
export async function sendTextLines(p: Producer, step: string, count: number, text: (n: number) => string = (n) => `line ${n}`, chunk = 100_000) {
  for (let first = 1; first <= count; first += chunk) {
    const size = Math.min(chunk, count - first + 1);
    let body = '';
    for (let i = 0; i < size; i++) body += `${text(first + i)}\n`;
    await post(p, `/steps/${step}/lines?first=${first}`, body, 'text/plain');
  }
}

/**
 * Writes lines `from..to` of a step, `perTick` lines every `everyMs`, until done or stopped.
 * Returns a handle to stop it and to await the last write.
 */
export function startProducer(p: Producer, step: string, opts: { from: number; to: number; perTick: number; everyMs: number; text?: (n: number) => string }) {
  let stopped = false;
  const text = opts.text ?? ((n: number) => `live line ${n}`);
  const done = (async () => {
    for (let n = opts.from; n <= opts.to && !stopped; n += opts.perTick) {
      const last = Math.min(opts.to, n + opts.perTick - 1);
      const body = Array.from({ length: last - n + 1 }, (_, i) => JSON.stringify({ n: n + i, text: text(n + i) })).join('\n');
      await post(p, `/steps/${step}/lines`, body, 'application/x-ndjson');
      await new Promise((r) => setTimeout(r, opts.everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
    },
    done,
  };
}
