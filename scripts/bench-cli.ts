/**
 * CLI throughput: `logscope run` on a command that prints N lines (default 1M), against the
 * built server on a free port of 3152-3159 with a fresh file store. Prints the command's own
 * time (output to /dev/null), the CLI's wall time until every line is acknowledged, lines/s,
 * and the CLI process's peak RSS and CPU. Never passes or fails on timing.
 * Usage: tsx scripts/bench-cli.ts [lines]   (LOGSCOPE_TEST_SERVER_ROOT: another build to serve)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuild, freePort, getJob, REPO_ROOT, runBench, startLogscope } from '../test/support';

const LINES = Number(process.argv[2] ?? 1_000_000);
const printer = `let i = 1; const out = []; function go() { while (i <= ${LINES}) { let s = ''; for (let k = 0; k < 4096 && i <= ${LINES}; k++, i++) s += 'line ' + i + ' of the benchmark output\\n'; if (!process.stdout.write(s)) { process.stdout.once('drain', go); return; } } } go();`;

async function main(): Promise<void> {
  ensureBuild();
  const store = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-cli-'));
  const state = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-cli-state-'));
  const server = await startLogscope(await freePort(3152, 3159), `file:${store}`);
  try {
    let t0 = performance.now();
    spawnSync(process.execPath, ['-e', printer], { stdio: ['ignore', 'ignore', 'inherit'] });
    const alone = performance.now() - t0;

    const jobId = `bench-cli-${Date.now()}`;
    t0 = performance.now();
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/logscope.mjs'), 'run', '--job', jobId, '--step', 'out', '-q', '--', process.execPath, '-e', printer],
      { env: { ...process.env, LOGSCOPE_URL: server.url, LOGSCOPE_STATE_DIR: state, LOGSCOPE_TOKEN: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // the CLI's own resident memory, sampled (the printer is a separate process)
    let peakRssKb = 0;
    let cpu = '';
    const sampler = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakRssKb = Math.max(peakRssKb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        cpu = `${(Number(fields[11]) / 100).toFixed(2)} s user + ${(Number(fields[12]) / 100).toFixed(2)} s sys`;
      } catch {
        // exited
      }
    }, 50);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const wall = performance.now() - t0;
    clearInterval(sampler);
    const meta = await getJob(server.url, jobId).catch(() => null);
    const stored = meta?.steps[0]?.lines ?? 0;
    console.log(`lines:              ${LINES.toLocaleString('en-US')} (stored ${stored.toLocaleString('en-US')}, exit ${code})`);
    console.log(`command alone:      ${(alone / 1000).toFixed(2)} s`);
    console.log(`logscope run:       ${(wall / 1000).toFixed(2)} s until every line is acknowledged`);
    console.log(`throughput:         ${Math.round(LINES / (wall / 1000)).toLocaleString('en-US')} lines/s`);
    console.log(`CLI process:        peak RSS ~${(peakRssKb / 1024).toFixed(0)} MiB (sampled), CPU ${cpu}`);
    if (stored !== LINES || code !== 0) console.log(`WARNING: ${stderr.slice(-1000)}`);
  } finally {
    await server.stop();
    rmSync(store, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
}

runBench(main);
