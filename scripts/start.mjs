#!/usr/bin/env node
// `npm start`: serves Logscope on http://localhost:3000 (zero-config file store in ./data)
// and runs the demo producer so a new user sees a live job at once.
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const port = process.env.PORT ?? '3000';
const env = { ...process.env, PORT: port, LOGSCOPE_STORE: process.env.LOGSCOPE_STORE ?? 'file:./data' };
// the server binds 127.0.0.1 unless HOST is set (scripts/server.mjs); "localhost" may resolve
// to ::1 first, so the health check and the demo use the address itself
const host = process.env.HOST?.trim();
const probeHost = !host || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
const url = `http://${probeHost}:${port}`;
const shownUrl = !host || host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? `http://localhost:${port}` : url;

const server = spawn(process.execPath, [path.join(root, 'scripts/server.mjs')], { cwd: root, env, stdio: 'inherit' });
const children = [server];

async function waitForHealth() {
  for (let i = 0; i < 120; i++) {
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

if (await waitForHealth()) {
  console.log(`\n  Logscope is running: ${shownUrl}\n`);
  if (process.env.LOGSCOPE_DEMO !== '0') {
    const demo = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/demo.ts')], {
      cwd: root,
      env: { ...env, LOGSCOPE_URL: url },
      stdio: 'inherit',
    });
    children.push(demo);
  }
} else {
  console.error('logscope: the server did not answer on /api/health within 60 s');
}

// The server exits on its own once in-flight requests are done (at most its shutdown grace,
// 10 s by default); we exit with it, or after a bound if it hangs.
const STOP_TIMEOUT_MS = 20_000;
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => process.exit(code ?? 0));
