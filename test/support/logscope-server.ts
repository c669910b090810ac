import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, stopChild, waitFor } from './processes';

/**
 * The real Logscope server (scripts/server.mjs over the Next build) as a child process, for
 * multi-server and fault specs, the CLI's integration tests and the benchmarks.
 * LOGSCOPE_TEST_SERVER_ROOT may point at another checkout's build.
 */
const SERVER_ROOT = process.env.LOGSCOPE_TEST_SERVER_ROOT ?? REPO_ROOT;
const START_TIMEOUT_MS = 60_000;

/** Builds the app when there is no build yet (scripts/ensure-build.mjs decides what is stale). */
export function ensureBuild(): void {
  if (existsSync(path.join(SERVER_ROOT, '.next', 'BUILD_ID'))) return;
  const result = spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: SERVER_ROOT, stdio: 'inherit', timeout: 600_000 });
  if (result.status !== 0) throw new Error('next build failed: these tests need the server');
}

export interface LogscopeServer {
  url: string;
  port: number;
  /** starts it again on the same port and store (after `stop` or `kill`) */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) */
  stop(): Promise<void>;
  /** SIGKILL, no shutdown hooks: what a crash looks like */
  kill(): Promise<void>;
}

/**
 * A built Logscope server on `port` with the given store (`file:<dir>`, a PostgreSQL or NATS
 * URL). `nodeArgs` are flags for the server process, e.g. `--cpu-prof` when profiling.
 * `adminKey`: for a server in access mode token, whose health shows its pid to an admin key only.
 */
export async function startLogscope(
  port: number,
  store: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  options: { adminKey?: string } = {},
): Promise<LogscopeServer> {
  const healthHeaders: Record<string, string> = options.adminKey ? { authorization: `Bearer ${options.adminKey}` } : {};
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    const proc = spawn(process.execPath, [...nodeArgs, path.join(SERVER_ROOT, 'scripts/server.mjs')], {
      cwd: SERVER_ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOGSCOPE_STORE: store, NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
    try {
      // The answer must come from this child: another process on the port (a leftover server,
      // a parallel run) would otherwise be tested in its place.
      await waitFor(
        async () => ((await (await fetch(`${url}/api/health`, { headers: healthHeaders })).json()) as { pid?: number }).pid === proc.pid,
        `logscope on ${port}`,
        START_TIMEOUT_MS,
        () => (proc.exitCode !== null ? `logscope on ${port} exited with code ${proc.exitCode} (port taken?)` : null),
      );
    } catch (error) {
      proc.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${stderr}`);
    }
  };

  const signal = async (sig: NodeJS.Signals) => {
    const running = child;
    child = null;
    if (running) await stopChild(running, sig);
  };

  await start();
  return { url, port, start, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}
