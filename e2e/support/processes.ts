import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Real processes for multi-server and fault tests: Logscope servers on their own ports, and
 * private PostgreSQL / NATS instances that a test may stop and start without touching the
 * machine's shared services. Every wait is bounded; every process is killed by `stop`.
 */

const root = path.resolve(__dirname, '..', '..');

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000, fatal?: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = fatal?.();
    if (reason) throw new Error(reason);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface LogscopeServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A built Logscope server (scripts/server.mjs) on `port` with the given store. */
export async function startLogscope(
  port: number,
  store: string,
  env: Record<string, string> = {},
  /** Node flags for the server process, e.g. `--cpu-prof` when profiling a benchmark */
  nodeArgs: string[] = [],
): Promise<LogscopeServer> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'scripts/server.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOGSCOPE_STORE: store, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    // The answer must come from this child: another process on the port (a leftover server,
    // a parallel run) would otherwise be tested in its place.
    await waitFor(
      async () => ((await (await fetch(`${url}/api/health`)).json()) as { pid?: number }).pid === child.pid,
      `logscope on ${port}`,
      30_000,
      () => (child.exitCode !== null ? `logscope on ${port} exited with code ${child.exitCode} (port taken?)` : null),
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return { url, port, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

export interface PrivatePostgres {
  /** connection URL of database `db` */
  url(db?: string): string;
  stop(): void;
  start(): void;
  destroy(): void;
}

const pgBin = (tool: string) => {
  const versions = spawnSync('ls', ['/usr/lib/postgresql']).stdout.toString().trim().split('\n');
  return `/usr/lib/postgresql/${versions.sort().at(-1)}/bin/${tool}`;
};

/**
 * A throw-away PostgreSQL cluster on `port`, owned by the postgres user (initdb refuses root).
 * `settings` are extra server parameters (`-c key=value`), e.g. shared_preload_libraries.
 */
export function startPrivatePostgres(port: number, settings: Record<string, string> = {}): PrivatePostgres {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-pg-'));
  chmodSync(dir, 0o700);
  const { uid, gid } = userIds('postgres');
  chownSync(dir, uid, gid);
  const asPostgres = (args: string[]) => {
    const result = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  };
  asPostgres([pgBin('initdb'), '-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const extra = Object.entries(settings)
    .map(([key, value]) => ` -c ${key}=${value}`)
    .join('');
  const start = () =>
    asPostgres([pgBin('pg_ctl'), '-D', `${dir}/data`, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on${extra}`, '-l', `${dir}/log`, '-w', 'start']);
  const stop = () => asPostgres([pgBin('pg_ctl'), '-D', `${dir}/data`, '-m', 'fast', '-w', 'stop']);
  start();
  return {
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const out = spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim();
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim();
  return { uid: Number(out), gid: Number(gid) };
}

export interface PrivateNats {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A throw-away JetStream server on `port` with its own store dir. */
export async function startPrivateNats(port: number): Promise<PrivateNats> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-nats-'));
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1');
          socket.once('connect', () => (socket.destroy(), resolve(true)));
          socket.once('error', () => resolve(false));
        }),
      `nats on ${port}`,
    );
  };
  const stop = async () => {
    if (child) await stopChild(child);
    child = null;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
