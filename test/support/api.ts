import type { JobMeta, Stream } from '../../lib/contracts';
import { sleep } from './processes';

/**
 * Deterministic test data through the public HTTP API, exactly as a producer sends it, and
 * reads of what was stored. Every helper takes the server's base URL (Playwright's baseURL).
 */

export interface Producer {
  baseURL: string;
  jobId: string;
  token: string;
}

async function call<T = Record<string, unknown>>(baseURL: string, method: string, path: string, token: string | null, body?: string, type = 'application/json'): Promise<T> {
  const response = await fetch(`${baseURL}/api/v1${path}`, {
    method,
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function createJob(
  baseURL: string,
  jobId: string,
  body: { title?: string; labels?: Record<string, string>; steps?: { id: string; name?: string; internal?: boolean }[] } = {},
  /** an ingest or admin key, where the server needs one to create a job */
  key: string | null = null,
): Promise<Producer> {
  const created = await call(baseURL, 'PUT', `/jobs/${jobId}`, key, JSON.stringify(body));
  return { baseURL, jobId, token: String(created.writeToken) };
}

export async function setStep(p: Producer, step: string, body: { name?: string; status?: string; internal?: boolean }) {
  return call(p.baseURL, 'PUT', `/jobs/${p.jobId}/steps/${step}`, p.token, JSON.stringify(body));
}

/** Sends lines `first`..`first+texts.length-1` of a step as NDJSON. */
export async function sendLines(p: Producer, step: string, first: number, texts: string[], stream: Stream = 'out') {
  const body = texts.map((text, i) => JSON.stringify({ n: first + i, stream, text })).join('\n');
  return call(p.baseURL, 'POST', `/jobs/${p.jobId}/steps/${step}/lines`, p.token, body, 'application/x-ndjson');
}

/** Sends `count` generated lines (`line <n>` unless `text` says otherwise) in NDJSON batches. */
export async function sendManyLines(p: Producer, step: string, count: number, text: (n: number) => string = (n) => `line ${n}`, batch = 5000) {
  for (let first = 1; first <= count; first += batch) {
    const size = Math.min(batch, count - first + 1);
    await sendLines(p, step, first, Array.from({ length: size }, (_, i) => text(first + i)));
  }
}

export async function completeJob(p: Producer, status: 'success' | 'failure' | 'cancelled') {
  return call(p.baseURL, 'POST', `/jobs/${p.jobId}/complete`, p.token, JSON.stringify({ status }));
}

/** `GET /jobs/{job}`; throws on any answer but 2xx (a 404 too). */
export async function getJob(baseURL: string, jobId: string): Promise<JobMeta> {
  return call<JobMeta>(baseURL, 'GET', `/jobs/${jobId}`, null);
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

export interface StoredLine {
  n: number;
  stream: Stream;
  text: string;
}

/** Every stored line of a step, read back in pages through `GET lines` (503s retried). */
export async function readAllLines(baseURL: string, jobId: string, stepId: string): Promise<StoredLine[]> {
  const out: StoredLine[] = [];
  for (let from = 1; ; ) {
    const response = await getWithRetry(`${baseURL}/api/v1/jobs/${jobId}/steps/${stepId}/lines?from=${from}&limit=5000`);
    if (!response.ok) throw new Error(`GET lines → ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { lines: StoredLine[]; last: number };
    out.push(...page.lines.map(({ n, stream, text }) => ({ n, stream, text })));
    const lastRead = page.lines.at(-1);
    if (lastRead === undefined || lastRead.n >= page.last) return out;
    from = lastRead.n + 1;
  }
}
