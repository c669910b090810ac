/**
 * Plumbing of `npm run bench -- limits` (scripts/bench-limits.ts): the HTTP contract as a
 * producer and a reader use it (docs/api.md, nothing else, so that it runs against any build),
 * timing statistics, /proc sampling of a server and its children, and bounded waits.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Wall clock in ms with sub-ms resolution (the clock of Date.now()). */
export const nowMs = () => performance.timeOrigin + performance.now();

/** Nearest-rank percentile of `values` (sorted or not); null when empty. */
export function pct(values: ArrayLike<number>, p: number): number | null {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}

export function median(values: (number | null | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return pct(v, 50);
}

/** A figure for the table: `—` when missing. */
export function f(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Rejects after `ms` with "`what` timed out"; the timer never holds the process open. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

// ---------------------------------------------------------------- the HTTP contract

const enc = encodeURIComponent;

export class Api {
  constructor(readonly base: string) {}

  async json<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  /** PUT job with one step `main` (or `steps`); the write token. */
  async createJob(job: string, steps: string[] = ['main']): Promise<string> {
    const r = await this.json<{ writeToken?: string }>('PUT', `/api/v1/jobs/${enc(job)}`, { title: job, steps: steps.map((id) => ({ id, name: id })) });
    if (typeof r.writeToken !== 'string') throw new Error(`PUT job ${job}: no writeToken (the job existed?)`);
    return r.writeToken;
  }

  linesPath(job: string, step: string, first?: number): string {
    return `/api/v1/jobs/${enc(job)}/steps/${enc(step)}/lines${first ? `?first=${first}` : ''}`;
  }

  /** One text/plain POST of `body`; the answer `{accepted, duplicates, last}`. */
  async postText(job: string, step: string, token: string, body: Buffer | string, first?: number): Promise<{ last: number }> {
    const res = await fetch(this.base + this.linesPath(job, step, first), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain; charset=utf-8' },
      body: typeof body === 'string' ? body : new Uint8Array(body), // a copy: fetch wants an ArrayBuffer-backed view
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST lines ${job}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as { last: number };
  }

  /** One chunked text/plain POST streamed from `file` (never held in memory), with `?first=1`. */
  postFile(job: string, step: string, token: string, file: string): Promise<{ last: number }> {
    const url = new URL(this.base + this.linesPath(job, step, 1));
    return new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain; charset=utf-8', 'transfer-encoding': 'chunked' },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`POST lines ${job}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          else resolve(JSON.parse(text) as { last: number });
        });
      });
      const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
      stream.on('error', (e) => req.destroy(e));
      stream.pipe(req);
    });
  }

  async complete(job: string, token: string): Promise<void> {
    await this.json('POST', `/api/v1/jobs/${enc(job)}/complete`, { status: 'success' }, token);
  }

  async stepLines(job: string, step = 'main'): Promise<number | null> {
    const j = await this.json<{ steps?: { id: string; lines: number }[] }>('GET', `/api/v1/jobs/${enc(job)}`);
    return j.steps?.find((s) => s.id === step)?.lines ?? null;
  }

  async healthPid(): Promise<number | null> {
    try {
      return (await this.json<{ pid?: number }>('GET', '/api/health')).pid ?? null;
    } catch {
      return null;
    }
  }
}

/** `{lines, bytes}` of `n` lines at a time read from `file` (complete lines only). */
export async function* lineChunks(file: string, n: number): AsyncGenerator<{ buf: Buffer; lines: number }> {
  let parts: Buffer[] = [];
  let count = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 })) {
    const buf = chunk as Buffer;
    let start = 0;
    let i = 0;
    while ((i = buf.indexOf(10, i)) !== -1) {
      i++;
      if (++count === n) {
        parts.push(buf.subarray(start, i));
        yield { buf: Buffer.concat(parts), lines: n };
        parts = [];
        count = 0;
        start = i;
      }
    }
    if (start < buf.length) parts.push(buf.subarray(start));
  }
  if (parts.length) yield { buf: Buffer.concat(parts), lines: count };
}

// ---------------------------------------------------------------- /proc

let clockTicks: number | null = null;
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function statOf(pid: number | string): { ppid: number; ticks: number } {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
}

/** `root` and every process descending from it. */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      parent.set(Number(d), statOf(d).ppid);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (let p: number | undefined = pid, i = 0; p !== undefined && p > 0 && i < 64; p = parent.get(p), i++) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

export interface ProcSample {
  t: number;
  cpuS: number;
  rssMiB: number;
}

/** CPU seconds (user + system) and resident MiB of `pid` and its descendants, summed. */
export function sampleProc(pid: number): ProcSample {
  let ticks = 0;
  let rssKb = 0;
  for (const p of processTree(pid)) {
    try {
      ticks += statOf(p).ticks;
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      rssKb += m ? Number(m[1]) : 0;
    } catch {
      // exited meanwhile
    }
  }
  return { t: nowMs(), cpuS: ticks / ticksPerSecond(), rssMiB: rssKb / 1024 };
}

/** Samples `pid` every `everyMs` until stopped: CPU % between start and stop, RSS high-water. */
export function procSampler(pid: number | null, everyMs = 250) {
  if (pid === null || !fs.existsSync(`/proc/${pid}/stat`)) return { stop: () => ({ cpuPct: null, rssMaxMiB: null }) };
  const first = sampleProc(pid);
  let rssMax = first.rssMiB;
  const timer = setInterval(() => {
    rssMax = Math.max(rssMax, sampleProc(pid).rssMiB);
  }, everyMs);
  return {
    stop: (): { cpuPct: number | null; rssMaxMiB: number | null } => {
      clearInterval(timer);
      const last = sampleProc(pid);
      rssMax = Math.max(rssMax, last.rssMiB);
      const dt = (last.t - first.t) / 1000;
      return { cpuPct: dt > 0 ? ((last.cpuS - first.cpuS) / dt) * 100 : null, rssMaxMiB: rssMax };
    },
  };
}

/** The largest resident size (MiB) among Chromium renderers descending from this process. */
export function rendererRssMiB(): number | null {
  let max: number | null = null;
  for (const pid of processTree(process.pid)) {
    if (pid === process.pid) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) max = Math.max(max ?? 0, Number(m[1]) / 1024);
    } catch {
      // exited meanwhile
    }
  }
  return max;
}
