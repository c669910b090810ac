import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

/**
 * Test support: a three-node JetStream cluster on loopback (client ports 14222-14224, cluster
 * ports 16222-16224), store dirs in a temp dir. Every wait is bounded; stop() kills whatever
 * is still running and removes the data.
 */
export const CLUSTER_PORTS = [14222, 14223, 14224] as const;
const ROUTE_PORTS = [16222, 16223, 16224] as const;
const READY_TIMEOUT_MS = 30_000;

export function natsServerAvailable(): boolean {
  return spawnSync('nats-server', ['--version']).status === 0;
}

export interface TestCluster {
  url: string;
  names: string[];
  kill(name: string): void;
  stop(): Promise<void>;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'logscope-nats-cluster-'));
  const names = CLUSTER_PORTS.map((_, i) => `ls-n${i + 1}`);
  const processes = new Map<string, ChildProcess>();
  const routes = ROUTE_PORTS.map((p) => `nats://127.0.0.1:${p}`).join(',');
  CLUSTER_PORTS.forEach((port, i) => {
    const name = names[i] ?? `n${i}`;
    const child = spawn(
      'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(port), '-n', name, '--cluster_name', 'logscope-test',
        '--cluster', `nats://127.0.0.1:${ROUTE_PORTS[i]}`, '--routes', routes, '-sd', path.join(dir, name)],
      { stdio: 'ignore' },
    );
    processes.set(name, child);
  });
  const url = `nats://${CLUSTER_PORTS.map((p) => `127.0.0.1:${p}`).join(',')}`;
  const stop = async () => {
    for (const child of processes.values()) if (child.exitCode === null) child.kill('SIGKILL');
    await sleep(100);
    rmSync(dir, { recursive: true, force: true });
  };
  // ready once JetStream answers (a meta leader has been elected)
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const nc = await connect({ servers: url.slice('nats://'.length).split(','), timeout: 1_000, maxReconnectAttempts: 0 });
      try {
        await (await jetstreamManager(nc, { timeout: 2_000 })).getAccountInfo();
        break;
      } finally {
        await nc.close();
      }
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`NATS test cluster not ready in ${READY_TIMEOUT_MS} ms: ${String(error)}`);
      }
      await sleep(250);
    }
  }
  return {
    url,
    names,
    kill: (name) => processes.get(name)?.kill('SIGKILL'),
    stop,
  };
}
