import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * Starts the real Logscope server (scripts/server.mjs over the Next build) for the CLI's
 * integration tests, and kills it with SIGKILL to test crash recovery. Ports 3150-3159 are
 * the CLI's. LOGSCOPE_TEST_SERVER_ROOT may point at another checkout's build.
 */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
const SERVER_ROOT = process.env.LOGSCOPE_TEST_SERVER_ROOT ?? REPO_ROOT;
const START_TIMEOUT_MS = 60_000;

export function ensureBuild(): void {
  if (existsSync(path.join(SERVER_ROOT, '.next', 'BUILD_ID'))) return;
  const result = spawnSync('node', ['scripts/ensure-build.mjs'], { cwd: SERVER_ROOT, stdio: 'inherit', timeout: 600_000 });
  if (result.status !== 0) throw new Error('next build failed: the CLI integration tests need the server');
}

export interface RealServer {
  url: string;
  port: number;
  storeDir: string;
  /** SIGKILL, no shutdown hooks: what a crash looks like */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Someone else may be on a port of our range (a dev server): take the first free one. */
export async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

export async function startRealServer(port: number, storeDir: string, extraEnv: Record<string, string> = {}): Promise<RealServer> {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const url = `http://127.0.0.1:${port}`;

  const start = async () => {
    const proc = spawn('node', ['scripts/server.mjs'], {
      cwd: SERVER_ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOGSCOPE_STORE: `file:${storeDir}`, NEXT_TELEMETRY_DISABLED: '1', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    // scripts/server.mjs says so once it has bound the port
    let listening = false;
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) listening = true;
    });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${stderr}`);
      try {
        const response = await fetch(`${url}/api/health`);
        // a 200 from another process on our port would make every later check meaningless
        if (response.ok && listening && proc.exitCode === null) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    proc.kill('SIGKILL');
    throw new Error(`server did not answer /api/health within ${START_TIMEOUT_MS} ms: ${stderr}`);
  };

  const signal = async (sig: NodeJS.Signals) => {
    const proc = child;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill(sig);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    child = undefined;
  };

  await start();
  return { url, port, storeDir, start, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

/** Every line of a step, read back through the public API in pages. */
export async function readAllLines(
  url: string,
  job: string,
  step: string,
): Promise<Array<{ n: number; stream: string; text: string }>> {
  const lines: Array<{ n: number; stream: string; text: string }> = [];
  for (let from = 1; ; ) {
    const response = await fetch(`${url}/api/v1/jobs/${job}/steps/${step}/lines?from=${from}&limit=5000`);
    if (!response.ok) throw new Error(`GET lines → ${response.status}`);
    const body = (await response.json()) as { lines: Array<{ n: number; stream: string; text: string }>; last: number };
    lines.push(...body.lines);
    if (body.lines.length === 0 || from + body.lines.length > body.last) return lines;
    from += body.lines.length;
  }
}

export async function getJobMeta(url: string, job: string): Promise<{
  status: string;
  steps: Array<{ id: string; name: string; status: string; lines: number; internal?: boolean }>;
} | null> {
  const response = await fetch(`${url}/api/v1/jobs/${job}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET job → ${response.status}`);
  return (await response.json()) as {
    status: string;
    steps: Array<{ id: string; name: string; status: string; lines: number; internal?: boolean }>;
  };
}

/** Runs bin/logscope.mjs as a child process; resolves with its exit code and output. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [path.join(REPO_ROOT, 'bin/logscope.mjs'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`logscope ${args.join(' ')} timed out; stderr: ${stderr.slice(-2000)}`));
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
