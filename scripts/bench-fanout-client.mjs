// Worker thread of scripts/bench-fanout.ts: `clients` viewers of one job's events stream.
// Plain JS so that it runs in a worker without a TypeScript loader.
//
// Every client reads its stream with node:http `data` events and finds the producer's lines
// (`fan <seq> <stamp> …`, stamp = performance.timeOrigin + performance.now() in ms) in the raw
// bytes, so that 1,000 clients stay cheaper than the server they measure. Client 0 also parses
// its whole stream with eventsource-parser and checks the events themselves: ids strictly
// increasing, line numbers dense from 1, every frame well formed.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { createParser } from 'eventsource-parser';

const { url, clients, lines, first } = workerData;
const TOKEN = Buffer.from('fan ');
const END = Buffer.from('event: end');
const now = () => performance.timeOrigin + performance.now();

/** per (client, line): arrival − stamp in ms; NaN until it arrives */
const latency = new Float64Array(clients * lines).fill(NaN);
let duplicates = 0;
let ended = 0;
let failed = 0;
let connected = 0;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

const check = { events: 0, lastId: -1, nextLine: 1, errors: [] };
function checkedParser() {
  return createParser({
    onEvent(event) {
      check.events++;
      if (event.id !== undefined) {
        const id = Number(event.id);
        if (!(id > check.lastId)) check.errors.push(`id ${event.id} after ${check.lastId}`);
        check.lastId = id;
      }
      if (event.event === 'lines') {
        for (const line of JSON.parse(event.data).lines) {
          if (line.n !== check.nextLine) check.errors.push(`line ${line.n}, expected ${check.nextLine}`);
          check.nextLine = line.n + 1;
        }
      }
    },
    onError(error) {
      check.errors.push(String(error));
    },
  });
}

function open(client) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        failed++;
        res.resume();
        resolve();
        return;
      }
      connected++;
      resolve();
      const parser = client === 0 ? createParserWithDecoder() : null;
      /** the bytes after the last complete token of the previous chunk (a token cut in two) */
      let carry = null;
      let done = false;
      const base = client * lines;
      /** Records the complete tokens of `buf` from `pos`; returns where an incomplete one starts (or -1) and where scanning stopped. */
      const scan = (buf, pos, limit, at) => {
        for (;;) {
          const i = buf.indexOf(TOKEN, pos);
          if (i === -1 || i >= limit) return { cut: -1, pos };
          // `fan <seq> <stamp> `: both numbers are complete only if the space after the stamp is here
          const a = buf.indexOf(32, i + 4);
          const b = a === -1 ? -1 : buf.indexOf(32, a + 1);
          if (b === -1) return { cut: i, pos };
          const seq = Number(buf.toString('latin1', i + 4, a));
          const stamp = Number(buf.toString('latin1', a + 1, b));
          if (seq >= first && seq < first + lines) {
            const k = base + seq - first;
            if (Number.isNaN(latency[k])) latency[k] = at - stamp;
            else duplicates++;
          }
          pos = b;
        }
      };
      res.on('data', (chunk) => {
        const at = now();
        parser?.(chunk);
        let from = 0;
        let tail = chunk.subarray(Math.max(0, chunk.length - 64));
        if (carry) {
          // only tokens that start in the carry are scanned across the seam (no copy of the chunk)
          const seam = Buffer.concat([carry, chunk.subarray(0, 64)]);
          const r = scan(seam, 0, carry.length, at);
          from = Math.max(0, r.pos - carry.length);
          if (chunk.length < 64) tail = seam;
          carry = null;
        }
        const r = scan(chunk, from, chunk.length, at);
        carry = Buffer.from(r.cut >= 0 ? chunk.subarray(r.cut) : chunk.subarray(Math.max(r.pos, chunk.length - 3)));
        if (!done && tail.includes(END)) {
          done = true;
          ended++;
        }
      });
      res.on('error', () => undefined);
      res.on('close', () => {
        if (!done) failed++;
        finish();
      });
    });
    req.on('error', () => {
      failed++;
      resolve();
      finish();
    });
  });
}

function createParserWithDecoder() {
  const parser = checkedParser();
  const decoder = new TextDecoder();
  return (chunk) => parser.feed(decoder.decode(chunk, { stream: true }));
}

let closed = 0;
let reported = false;
function report() {
  if (reported) return;
  reported = true;
  parentPort.postMessage({ type: 'done', latency, duplicates, ended, failed, check }, [latency.buffer]);
}
function finish() {
  closed++;
  if (closed === clients) report();
}

// at most 100 connecting at a time
const CONCURRENCY = 100;
for (let i = 0; i < clients; i += CONCURRENCY) {
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, clients - i) }, (_, j) => open(i + j)));
}
parentPort.postMessage({ type: 'connected', connected, failed });
parentPort.on('message', (message) => {
  // out of time: what arrived so far (the rest counts as missed)
  if (message === 'stop') {
    report();
    agent.destroy();
  }
});
