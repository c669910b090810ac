import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Test support: one private JetStream server on loopback that a test may stop, start again
 * (same store dir) or freeze (SIGSTOP: the socket stays open, nothing answers). Never the
 * machine's shared server. Every wait is bounded.
 */
export interface PrivateServer {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  freeze(): void;
  thaw(): void;
  destroy(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function startPrivateServer(port: number): Promise<PrivateServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'logscope-nats-one-'));
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await listening(port))) {
      if (Date.now() > deadline) throw new Error(`nats-server on ${port} not ready in ${READY_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS);
      running.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      running.kill('SIGCONT');
      running.kill('SIGTERM');
    });
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
