#!/usr/bin/env node
// The production server: Next's request handler on a plain Node HTTP server, so that long
// streamed uploads (a producer's POST lines can last a whole build) are not cut by Node's
// default 300 s requestTimeout (docs/notes.md).
import http from 'node:http';
import path from 'node:path';
import next from 'next';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? '0.0.0.0';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
const app = next({ dev: false, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  // the client's address, for the per-client caps (lib/sse/client-address.ts); a client cannot set it
  req.headers['x-logscope-client-address'] = req.socket.remoteAddress ?? '';
  handle(req, res).catch((error) => {
    console.error('logscope: request failed', error);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
server.requestTimeout = 0;
server.headersTimeout = 60_000;
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => {
  console.log(`logscope: listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port} (store ${process.env.LOGSCOPE_STORE ?? 'file:./data'})`);
});

const shutdown = () => {
  server.close();
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
