/**
 * Browser figures: starts the built server with a fresh file store and runs the Chromium
 * benchmarks against it — opening a 1M-line step at line 900,000 (time to the line, range
 * requests, JS heap, renderer memory) and the live tail of a fast producer.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PORT = Number(process.env.BENCH_PORT ?? 3194);
const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-browser-'));
const url = `http://127.0.0.1:${PORT}`;
const server = spawn(process.execPath, [path.join(root, 'scripts/server.mjs')], {
  cwd: root,
  env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', LOGSCOPE_STORE: `file:${dir}` },
  stdio: ['ignore', 'ignore', 'inherit'],
});

async function main(): Promise<void> {
  for (let i = 0; ; i++) {
    if (i > 120) throw new Error('server did not start');
    const up = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
  for (const bench of ['e2e/perf-open-1m.bench.ts', 'e2e/perf-live-tail.bench.ts']) {
    console.log(`\n### ${bench}`);
    spawnSync(process.execPath, [tsx, bench, url], { cwd: root, stdio: 'inherit' });
  }
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
