import { randomUUID } from 'node:crypto';

/**
 * Deterministic test data through the public HTTP API, exactly as a producer sends it.
 * Every helper takes the server's base URL (Playwright's baseURL).
 */

export interface Producer {
  baseURL: string;
  jobId: string;
  token: string;
}

export function uniqueJobId(prefix = 'e2e'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

async function call(baseURL: string, method: string, path: string, token: string | null, body?: string, type = 'application/json') {
  const response = await fetch(`${baseURL}/api/v1${path}`, {
    method,
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function createJob(
  baseURL: string,
  jobId: string,
  body: { title?: string; labels?: Record<string, string>; steps?: { id: string; name?: string; internal?: boolean }[] } = {},
): Promise<Producer> {
  const created = await call(baseURL, 'PUT', `/jobs/${jobId}`, null, JSON.stringify(body));
  return { baseURL, jobId, token: String(created.writeToken) };
}

export async function setStep(p: Producer, step: string, body: { name?: string; status?: string; internal?: boolean }) {
  return call(p.baseURL, 'PUT', `/jobs/${p.jobId}/steps/${step}`, p.token, JSON.stringify(body));
}

/** Sends lines `first`..`first+texts.length-1` of a step as NDJSON. */
export async function sendLines(p: Producer, step: string, first: number, texts: string[], stream: 'out' | 'err' = 'out') {
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

export async function getJob(baseURL: string, jobId: string) {
  return call(baseURL, 'GET', `/jobs/${jobId}`, null);
}
