import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Subjects } from '../../lib/store/nats/subjects';
import { sleep, stopChild, waitFor } from './processes';

/**
 * NATS JetStream for tests: streams of a unique prefix on the machine's shared server (deleted
 * afterwards), a private server a test may stop, start again or freeze, and a private 3-node
 * cluster whose nodes a test may kill. Never stops the shared server. Every wait is bounded.
 */
export const NATS_TEST_URL = process.env.LOGSCOPE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** `nats://a,b?x` → the host:port list the client takes. */
function natsServers(url: string): string[] {
  return (url.replace(/^nats:\/\//, '').split('?')[0] ?? '').split(',');
}

/** `url` with the store's `prefix` parameter added. */
export function withPrefix(url: string, prefix: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}prefix=${prefix}`;
}

async function withJsm<T>(url: string, fn: (jsm: JetStreamManager) => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const nc = await connect({ servers: natsServers(url), timeout: Math.min(timeoutMs, 3_000), maxReconnectAttempts: 0 });
  try {
    return await fn(await jetstreamManager(nc, { timeout: timeoutMs }));
  } finally {
    await nc.close();
  }
}

export function natsServerAvailable(): boolean {
  return spawnSync('nats-server', ['--version']).status === 0;
}

/** Whether JetStream answers at `url`. */
export async function natsReachable(url = NATS_TEST_URL): Promise<boolean> {
  return withJsm(url, async (jsm) => (await jsm.getAccountInfo(), true), 2_000).catch(() => false);
}

/** Deletes the streams of a prefix (ignoring ones that were never created). */
export async function deleteNatsStreams(url: string, prefix: string): Promise<void> {
  const subjects = new Subjects(prefix);
  await withJsm(
    url,
    async (jsm) => {
      for (const name of [subjects.logStream, subjects.metaStream, subjects.rawStream]) await jsm.streams.delete(name).catch(() => false);
    },
    10_000,
  );
}

/** The JetStream consumers reading one job's subjects (each store subscription is one). */
export async function natsJobConsumers(url: string, prefix: string, jobId: string): Promise<number> {
  const subjects = new Subjects(prefix);
  return withJsm(url, async (jsm) => {
    let count = 0;
    for await (const info of jsm.consumers.list(subjects.logStream)) {
      if (info.config.filter_subject === subjects.jobAll(jobId)) count++;
    }
    return count;
  });
}

// ---------------------------------------------------------------- a private server

export interface PrivateNats {
  url: string;
  /** stops the server (its store dir stays for `start`) */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: the socket stays open, nothing answers */
  freeze(): void;
  thaw(): void;
  destroy(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A throw-away JetStream server on `port` with its own store dir. */
export async function startPrivateNats(port: number): Promise<PrivateNats> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-nats-'));
  let child: ChildProcess | null = null;
  const start = async () => {
    const proc = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    // the server logs to stderr: keep its last lines, so a failed start says why
    let log = '';
    proc.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-2000)));
    await waitFor(() => listening(port), `nats-server on ${port}`, 30_000, () =>
      proc.exitCode !== null ? `nats-server on ${port} exited with code ${proc.exitCode}: ${log.trim().split('\n').slice(-3).join(' | ')}` : null,
    );
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running) return;
    running.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
    await stopChild(running);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    start,
    stop,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- a private cluster

export interface NatsCluster {
  /** `nats://a,b,c` (client ports) */
  url: string;
  names: string[];
  /** the node leading the log stream of `prefix` */
  streamLeader(prefix: string): Promise<string>;
  kill(name: string): void;
  /** kills every node and removes the data */
  destroy(): Promise<void>;
}

/** The vitest cluster's ports; a Playwright spec passes its own. */
const CLUSTER_CLIENT_PORTS = [14222, 14223, 14224];
const CLUSTER_ROUTE_PORTS = [16222, 16223, 16224];
const CLUSTER_READY_TIMEOUT_MS = 30_000;

/** Three JetStream nodes on loopback, each with its own store dir (killed with SIGKILL). */
export async function startNatsCluster(clientPorts = CLUSTER_CLIENT_PORTS, routePorts = CLUSTER_ROUTE_PORTS): Promise<NatsCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-nats-cluster-'));
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const names = clientPorts.map((_, i) => `ls-n${i + 1}`);
  const children = new Map<string, ChildProcess>();
  clientPorts.forEach((port, i) => {
    const name = names[i]!;
    const child = spawn(
      'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(port), '-n', name, '--cluster_name', 'logscope-test',
        '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes, '-sd', path.join(dir, name)],
      { stdio: 'ignore' },
    );
    children.set(name, child);
  });
  const url = `nats://${clientPorts.map((p) => `127.0.0.1:${p}`).join(',')}`;
  const destroy = async () => {
    await Promise.all([...children.values()].map((child) => stopChild(child, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  // ready once JetStream answers (a meta leader has been elected)
  const deadline = Date.now() + CLUSTER_READY_TIMEOUT_MS;
  for (;;) {
    try {
      await withJsm(url, (jsm) => jsm.getAccountInfo(), 2_000);
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await destroy();
        throw new Error(`NATS cluster not ready in ${CLUSTER_READY_TIMEOUT_MS} ms: ${String(error)}`);
      }
      await sleep(250);
    }
  }
  return {
    url,
    names,
    streamLeader: (prefix) => withJsm(url, async (jsm) => (await jsm.streams.info(new Subjects(prefix).logStream)).cluster?.leader ?? ''),
    kill: (name) => children.get(name)?.kill('SIGKILL'),
    destroy,
  };
}
