#!/usr/bin/env node
// `npm start`: serves Logscope on http://localhost:3000 (zero-config file store in ./data)
// and runs the demo producer so a new user sees a live job at once.
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const port = process.env.PORT ?? '3000';
const env = { ...process.env, PORT: port, LOGSCOPE_STORE: process.env.LOGSCOPE_STORE ?? 'file:./data' };
const url = `http://localhost:${port}`;

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
  console.log(`\n  Logscope is running: ${url}\n`);
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

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => process.exit(code ?? 0));
