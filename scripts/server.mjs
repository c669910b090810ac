#!/usr/bin/env node
// The production server: Next's request handler on a plain Node HTTP server, so that Logscope
// picks its own connection limits and shutdown. Settings (README "Limits"):
//   HOST                         bind address (default 127.0.0.1: reachable from this machine only)
//   PORT                         default 3000
//   LOGSCOPE_HEADERS_TIMEOUT_MS  a request's headers must be complete within this (default 10 s)
//   LOGSCOPE_IDLE_TIMEOUT_MS     a connection silent both ways this long is closed (default 60 s)
//   LOGSCOPE_SHUTDOWN_GRACE_MS   in-flight requests get this long after SIGTERM (default 10 s)
import http from 'node:http';
import path from 'node:path';
import next from 'next';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function fail(message) {
  console.error(`logscope: ${message}`);
  process.exit(2);
}

/** A positive whole number of milliseconds from the environment, or the default. */
function millis(name, fallback) {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) fail(`${name} must be a positive number of milliseconds, got ${JSON.stringify(raw)}`);
  return value;
}

/**
 * Slowloris: a client that opens connections and trickles its headers (or sends nothing) would
 * hold a socket each for as long as we let it. Real clients send their headers in one packet,
 * so 10 s is generous even on a bad link.
 */
const HEADERS_TIMEOUT_MS = millis('LOGSCOPE_HEADERS_TIMEOUT_MS', 10_000);
/**
 * A connection with no bytes either way for this long is closed. Anything legitimate that stays
 * open keeps traffic flowing: an SSE stream gets a heartbeat every 15 s (lib/sse/frames.ts), a
 * streamed upload sends as its build prints. 60 s leaves a quiet build step room, and is four
 * heartbeats, so a live viewer is never cut.
 */
const IDLE_TIMEOUT_MS = millis('LOGSCOPE_IDLE_TIMEOUT_MS', 60_000);
/**
 * No limit on a whole request's duration: a producer's POST lines may stream for the whole
 * length of a build (docs/notes.md). The idle timeout above is what ends a stalled one.
 */
const REQUEST_TIMEOUT_MS = 0;
/** Longer than the 60 s idle timeout of common load balancers, so that they close first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** How often Node checks the headers timeout (its default, 30 s, would let a slow client stay 40 s). */
const CONNECTIONS_CHECK_INTERVAL_MS = Math.min(1_000, HEADERS_TIMEOUT_MS);
/**
 * After SIGTERM, requests in flight (an append being made durable) get this long to finish;
 * then their connections are cut, and a producer retries the unacknowledged lines (idempotent
 * by line number) once a server is back. A supervisor's own grace (Docker, systemd: 10 s or
 * more before SIGKILL) should be a little longer.
 */
const SHUTDOWN_GRACE_MS = millis('LOGSCOPE_SHUTDOWN_GRACE_MS', 10_000);
/** Closing the store flushes its journals; bounded so that a hung backend cannot hold the exit. */
const STORE_CLOSE_TIMEOUT_MS = 5_000;

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST?.trim() || '127.0.0.1';
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
const app = next({ dev: false, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

/** Requests being answered: the shutdown waits for them, and ends the SSE streams among them. */
const inFlight = new Set();
let shuttingDown = false;

const server = http.createServer({ connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS }, (req, res) => {
  // the connection started a request: from now on only silence ends it (see IDLE_TIMEOUT_MS)
  req.socket.setTimeout(IDLE_TIMEOUT_MS);
  const entry = { req, res };
  inFlight.add(entry);
  res.once('close', () => inFlight.delete(entry));
  if (shuttingDown) res.setHeader('Connection', 'close');
  // the client's address, for the per-client caps (lib/sse/client-address.ts); a client cannot set it
  req.headers['x-logscope-client-address'] = req.socket.remoteAddress ?? '';
  handle(req, res).catch((error) => {
    console.error('logscope: request failed', error);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
server.requestTimeout = REQUEST_TIMEOUT_MS;
server.headersTimeout = HEADERS_TIMEOUT_MS;
server.timeout = IDLE_TIMEOUT_MS;
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
// Node's headers timeout starts at a request's first byte: a connection that sends nothing at
// all is held to the same bound by a socket timeout, until its first request arrives.
server.on('connection', (socket) => socket.setTimeout(HEADERS_TIMEOUT_MS));
server.on('error', (error) => fail(`cannot listen on ${hostname}:${port}: ${error.message}`));
server.listen(port, hostname, () => {
  const shown = hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname.includes(':') ? `[${hostname}]` : hostname;
  console.log(`logscope: listening on http://${shown}:${port} (store ${process.env.LOGSCOPE_STORE ?? 'file:./data'})`);
  if (!LOOPBACK.has(hostname) && !process.env.LOGSCOPE_INGEST_KEY?.trim()) {
    console.warn(
      `logscope: WARNING: listening on ${hostname}, beyond this machine, without LOGSCOPE_INGEST_KEY:\n` +
        '  anyone who can reach this port can read every log and create jobs.\n' +
        '  Set LOGSCOPE_INGEST_KEY to require a key for creating jobs, or HOST=127.0.0.1 to stay local.',
    );
  }
});

const isEventStream = (res) => String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Shutdown, in order: stop accepting; end the SSE streams (they never end by themselves; their
 * EventSource reconnects with Last-Event-ID to whichever server is up next); let the other
 * requests finish within SHUTDOWN_GRACE_MS, then cut what is left; close the store (its
 * journals are flushed and its directory lock released); exit 0 (1 if the store did not close).
 * A second signal changes nothing: `npm start` and a terminal's Ctrl-C may both deliver one.
 */
async function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`logscope: ${signal}: shutting down (up to ${SHUTDOWN_GRACE_MS} ms for ${inFlight.size} requests in flight)`);
  server.close();
  server.closeIdleConnections();
  const deadline = Date.now() + SHUTDOWN_GRACE_MS;
  for (;;) {
    for (const { res } of inFlight) if (isEventStream(res)) res.destroy();
    if (inFlight.size === 0 || Date.now() >= deadline) break;
    await sleep(50);
  }
  if (inFlight.size > 0) console.warn(`logscope: cutting ${inFlight.size} requests still in flight after ${SHUTDOWN_GRACE_MS} ms`);
  server.closeAllConnections();
  // lib/store/instance.ts registers this hook once a store is open
  const closeStore = globalThis.__logscopeCloseStore;
  let closed = true;
  if (typeof closeStore === 'function') {
    closed = await Promise.race([
      closeStore().then(
        () => true,
        (error) => (console.error('logscope: closing the store failed', error), false),
      ),
      sleep(STORE_CLOSE_TIMEOUT_MS).then(() => false),
    ]);
    if (!closed) console.error(`logscope: the store was not closed cleanly (timeout ${STORE_CLOSE_TIMEOUT_MS} ms)`);
  }
  process.exit(closed ? 0 : 1);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
