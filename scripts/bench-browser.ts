/**
 * Browser figures: starts the built server with a fresh file store and runs the Chromium
 * benchmarks against it — opening a 1M-line step at line 900,000 (time to the line, range
 * requests, JS heap, renderer memory), the live tail of a fast producer, and scrolling a
 * 1M-line CI-like step (frame median, p95, frames over 50 ms).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBench, startLogscope, type LogscopeServer } from '../test/support';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PORT = Number(process.env.BENCH_PORT ?? 3194);
const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-browser-'));
let server: LogscopeServer | undefined;

async function main(): Promise<void> {
  server = await startLogscope(PORT, `file:${dir}`);
  const url = server.url;
  const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
  for (const bench of ['e2e/perf-open-1m.bench.ts', 'e2e/perf-first-error-1m.bench.ts', 'e2e/perf-live-tail.bench.ts', 'e2e/perf-scroll-1m.bench.ts']) {
    console.log(`\n### ${bench}`);
    // The benches import test/support, whose store helpers carry the 'server-only' marker.
    spawnSync(process.execPath, [tsx, '--conditions=react-server', bench, url], { cwd: root, stdio: 'inherit' });
  }
}

runBench(main, async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});
