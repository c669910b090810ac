import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

/**
 * Support for the multi-server and fault specs (and scripts/bench-cross-server.ts): shared
 * stores (a fresh PostgreSQL database, a unique NATS prefix, a private 3-node NATS cluster),
 * an events-stream reader over fetch, the CLI as a child process, and read-only probes of the
 * backends (how many subscriptions a job holds). Every wait is bounded.
 */

const root = path.resolve(__dirname, '..', '..');
export const SHARED_PG = 'postgres://postgres@127.0.0.1:5432';
export const SHARED_NATS = 'nats://127.0.0.1:4222';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- PostgreSQL

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new database on a cluster (default: the machine's shared one), dropped by `drop()`. */
export async function freshPgDatabase(server = SHARED_PG): Promise<FreshDatabase> {
  const name = `logscope_e2e_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await withPg(`${server}/postgres`, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: `${server}/${name}`,
    drop: () => withPg(`${server}/postgres`, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * How many times the stores' "events after cursor" query ran (pg_stat_statements, which must
 * be preloaded): every live subscription runs it once per wake-up, so it counts subscriptions.
 */
export async function pgEventsQueryCalls(url: string): Promise<number> {
  return withPg(url, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await c.query<{ calls: string | null }>(
      `SELECT sum(calls)::text AS calls FROM pg_stat_statements WHERE query LIKE '%FROM events e WHERE e.job_id = $1 AND e.id > $2%'`,
    );
    return Number(rows[0]?.calls ?? 0);
  });
}

// ---------------------------------------------------------------- NATS

/** A prefix of streams and subjects of its own (lib/store/nats/index.ts `?prefix=`). */
export function uniqueNatsPrefix(): string {
  return `e2e_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

function natsServers(url: string): string[] {
  return url.replace(/^nats:\/\//, '').split('?')[0]!.split(',');
}

/** The JetStream consumers reading one job's subjects (each store subscription is one). */
export async function natsJobConsumers(url: string, prefix: string, jobId: string): Promise<number> {
  const nc = await connect({ servers: natsServers(url), timeout: 3_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    let count = 0;
    // job ids of these tests are [a-z0-9-], which subject encoding keeps as they are
    for await (const info of jsm.consumers.list(`LOGSCOPE_${prefix.toUpperCase()}`)) {
      if (info.config.filter_subject === `${prefix}.${jobId}.>`) count++;
    }
    return count;
  } finally {
    await nc.close();
  }
}

/** Deletes the streams of a prefix (after a run on the shared server). */
export async function dropNatsPrefix(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: natsServers(url), timeout: 3_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    for (const name of [`LOGSCOPE_${prefix.toUpperCase()}`, `LOGSCOPE_${prefix.toUpperCase()}_META`]) {
      await jsm.streams.delete(name).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}

export interface NatsCluster {
  /** `nats://a,b,c` (client ports) */
  url: string;
  names: string[];
  /** the node leading the log stream of `prefix` */
  streamLeader(prefix: string): Promise<string>;
  kill(name: string): void;
  destroy(): void;
}

/** Three JetStream nodes on loopback, each with its own store dir (killed with SIGKILL). */
export async function startNatsCluster(clientPorts: number[], routePorts: number[]): Promise<NatsCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-e2e-cluster-'));
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const names = clientPorts.map((_, i) => `e2e-n${i + 1}`);
  const children = new Map<string, ChildProcess>();
  clientPorts.forEach((port, i) => {
    const name = names[i]!;
    const child = spawn(
      'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(port), '-n', name, '--cluster_name', 'logscope-e2e',
        '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes, '-sd', path.join(dir, name)],
      { stdio: 'ignore' },
    );
    children.set(name, child);
  });
  const url = `nats://${clientPorts.map((p) => `127.0.0.1:${p}`).join(',')}`;
  const destroy = () => {
    for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const withJsm = async <T>(fn: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>): Promise<T> => {
    const nc = await connect({ servers: natsServers(url), timeout: 1_000, maxReconnectAttempts: 0 });
    try {
      return await fn(await jetstreamManager(nc, { timeout: 2_000 }));
    } finally {
      await nc.close();
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await withJsm((jsm) => jsm.getAccountInfo()); // a meta leader was elected
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        destroy();
        throw new Error(`NATS cluster not ready: ${String(error)}`);
      }
      await sleep(250);
    }
  }
  return {
    url,
    names,
    streamLeader: (prefix) => withJsm(async (jsm) => (await jsm.streams.info(`LOGSCOPE_${prefix.toUpperCase()}`)).cluster?.leader ?? ''),
    kill: (name) => children.get(name)?.kill('SIGKILL'),
    destroy,
  };
}

// ---------------------------------------------------------------- events stream

export interface LinesArrival {
  step: string;
  n: number;
  text: string;
  at: number;
}

/**
 * `GET /jobs/{job}/events` read over fetch (Node 20 has no EventSource): records every line
 * with its arrival time, the last cursor, and whether `end` came.
 */
export class EventsReader {
  readonly lines: LinesArrival[] = [];
  ended = false;
  lastId: string | null = null;
  error: unknown = null;
  private readonly controller = new AbortController();
  private readonly done: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(baseURL: string, jobId: string, after: string | null, onLine?: (line: LinesArrival) => void) {
    const query = after === null ? '' : `?after=${encodeURIComponent(after)}`;
    this.done = this.run(`${baseURL}/api/v1/jobs/${jobId}/events${query}`, onLine);
  }

  private async run(url: string, onLine?: (line: LinesArrival) => void): Promise<void> {
    try {
      const response = await fetch(url, { signal: this.controller.signal, headers: { accept: 'text/event-stream' } });
      if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
      const parser = createParser({
        onEvent: (event) => {
          if (event.id) this.lastId = event.id;
          if (event.event === 'lines') {
            const at = performance.now();
            const data = JSON.parse(event.data) as { step: string; lines: { n: number; text: string }[] };
            for (const line of data.lines) {
              const arrival = { step: data.step, n: line.n, text: line.text, at };
              this.lines.push(arrival);
              onLine?.(arrival);
            }
          } else if (event.event === 'end') {
            this.ended = true;
          }
          this.notify();
        },
      });
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.error = error;
    } finally {
      this.notify();
    }
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  has(step: string, n: number): boolean {
    return this.lines.some((l) => l.step === step && l.n === n);
  }

  /** Resolves once line n of step arrived; rejects after `timeoutMs` or if the stream failed. */
  async waitFor(step: string, n: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.has(step, n)) {
      if (this.error) throw this.error;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`events: line ${step}:${n} did not arrive in ${timeoutMs} ms`);
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), sleep(Math.min(left, 500))]);
    }
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done;
  }
}

// ---------------------------------------------------------------- CLI

export interface CliRun {
  child: ChildProcess;
  /** exit code (null: killed by a signal) and what it wrote to stderr */
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** `logscope ARGS…` (bin/logscope.mjs) against `url`, with a token cache of its own. */
export function runCli(url: string, args: string[], env: Record<string, string> = {}): CliRun {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'logscope-e2e-cli-'));
  const child = spawn(process.execPath, [path.join(root, 'bin/logscope.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, LOGSCOPE_URL: url, LOGSCOPE_STATE_DIR: stateDir, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-8000)));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once('exit', (code) => {
      rmSync(stateDir, { recursive: true, force: true });
      resolve({ code, stderr });
    });
  });
  return { child, exited };
}

/**
 * A shell-free child command for `logscope run`: prints `line <i>` for i = 1..count, `burst`
 * lines every `everyMs` (so a run lasts count / burst × everyMs).
 */
export function numberedLinesCommand(count: number, burst: number, everyMs: number): string[] {
  const script = `let i=0;const t=setInterval(()=>{let s='';for(let k=0;k<${burst}&&i<${count};k++)s+='line '+(++i)+'\\n';process.stdout.write(s);if(i>=${count})clearInterval(t);},${everyMs});`;
  return [process.execPath, '-e', script];
}

/** `GET` that retries a 503 (as its Retry-After asks) for up to `budgetMs`; other errors throw. */
export async function getWithRetry(url: string, budgetMs = 30_000): Promise<Response> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
    if (response.status !== 503 || Date.now() > deadline) return response;
    await response.body?.cancel();
    await sleep(Math.min(5_000, 1000 * Number(response.headers.get('retry-after') ?? '1')));
  }
}

/** Every stored line of a step, read back in pages through `GET lines` (503s retried). */
export async function readAllLines(baseURL: string, jobId: string, stepId: string): Promise<{ n: number; text: string }[]> {
  const out: { n: number; text: string }[] = [];
  for (let from = 1; ; ) {
    const response = await getWithRetry(`${baseURL}/api/v1/jobs/${jobId}/steps/${stepId}/lines?from=${from}&limit=5000`);
    if (!response.ok) throw new Error(`GET lines → ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { lines: { n: number; text: string }[]; last: number };
    out.push(...page.lines.map((l) => ({ n: l.n, text: l.text })));
    if (page.lines.length === 0 || out.length >= page.last) return out;
    from = page.lines[page.lines.length - 1]!.n + 1;
  }
}
