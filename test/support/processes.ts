import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * The harness's process plumbing: where the checkout is, bounded waits, stopping a child for
 * sure, and a free port. Every wait here has a deadline; every child is killed by its owner.
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every 200 ms until it holds, for at most `timeoutMs`. `fatal` names a reason to
 * give up at once (the child it waits for has exited, say).
 */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000, fatal?: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = fatal?.();
    if (reason) throw new Error(reason);
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Time a child gets to exit on `signal` before it is killed with SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

/** Sends `signal`, escalates to SIGKILL after 5 s, and resolves once the child has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
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

/**
 * A service suite runs when its server answers; otherwise it is skipped with a message, except
 * on CI (env CI set), where a missing service must fail the run instead of passing silently.
 */
export async function backendGate(name: string, reachable: boolean): Promise<'run' | 'skip' | 'fail'> {
  if (reachable) return 'run';
  if (process.env.CI) return 'fail';
  console.warn(`[logscope] ${name} is not reachable: skipping its store tests (set CI=true to make this fail)`);
  return 'skip';
}
