import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ndjsonLineSchema, type Line, type StepStatus } from '../../lib/contracts';

/**
 * A small in-memory server speaking the write half of the HTTP contract (http.md), with fault
 * injection, for the SDK's unit tests: it lets a test script exactly which request fails and
 * how (a dropped connection after storing part of a batch, 503 + Retry-After, 429, a gap).
 * It is not the product's server; the integration tests run against that one.
 */
export type Fault =
  | { kind: 'status'; status: 429 | 500 | 503; retryAfter?: number }
  /** store the first `keep` lines of the batch, then destroy the socket without answering */
  | { kind: 'drop'; keep: number }
  /** store the first `keep` lines, then answer as if the next record were malformed (400 {last}) */
  | { kind: 'truncate'; keep: number };

interface FakeStep {
  status: StepStatus;
  internal: boolean;
  name: string;
  lines: Line[];
}
interface FakeJob {
  token: string;
  status: string;
  steps: Map<string, FakeStep>;
}

export interface ContractServer {
  url: string;
  jobs: Map<string, FakeJob>;
  /** faults consumed one per `POST lines` request, in order */
  lineFaults: Fault[];
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

export async function startContractServer(): Promise<ContractServer> {
  const jobs = new Map<string, FakeJob>();
  const lineFaults: Fault[] = [];
  const requests: Array<{ method: string; path: string }> = [];
  let tokens = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, extra: Record<string, unknown> = {}) =>
    send(res, status, { error: { code, message: code, ...extra } });

  const stepMeta = (id: string, step: FakeStep) => ({
    id,
    name: step.name,
    parent: null,
    status: step.status,
    startedAt: null,
    endedAt: null,
    lines: step.lines.length,
    groups: [],
    ...(step.internal && { internal: true }),
  });
  const jobMeta = (id: string, job: FakeJob) => ({
    id,
    title: id,
    labels: {},
    status: job.status,
    createdAt: 0,
    endedAt: null,
    cursor: '0',
    steps: [...job.steps].map(([sid, s]) => stepMeta(sid, s)),
  });
  const stepOf = (job: FakeJob, id: string): FakeStep => {
    let step = job.steps.get(id);
    if (!step) {
      step = { status: 'pending', internal: false, name: id, lines: [] };
      job.steps.set(id, step);
    }
    return step;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    requests.push({ method: req.method ?? '', path: url.pathname });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    // /api/v1/jobs/{job}[/steps/{step}[/lines]|/complete]
    const [, , , jobId, sub, stepId, tail] = parts;
    if (!jobId) return fail(res, 404, 'not_found');
    const job = jobs.get(jobId);
    const auth = req.headers.authorization;
    const authorised = () => {
      if (!job) return false;
      if (!auth) return fail(res, 401, 'unauthorized'), false;
      if (auth !== `Bearer ${job.token}`) return fail(res, 403, 'forbidden'), false;
      return true;
    };
    if (req.method === 'GET' && !sub) return job ? send(res, 200, jobMeta(jobId, job)) : fail(res, 404, 'not_found');
    if (req.method === 'PUT' && !sub) {
      if (!job) {
        const created: FakeJob = { token: `tok-${++tokens}`, status: 'running', steps: new Map() };
        jobs.set(jobId, created);
        return send(res, 201, { job: jobMeta(jobId, created), writeToken: created.token });
      }
      if (!authorised()) return;
      return send(res, 200, { job: jobMeta(jobId, job) });
    }
    if (!job) return fail(res, 404, 'not_found');
    if (!authorised()) return;
    if (sub === 'complete') {
      if (job.status !== 'running') return fail(res, 409, 'job_completed');
      job.status = (JSON.parse(raw) as { status: string }).status;
      return send(res, 200, { job: jobMeta(jobId, job) });
    }
    if (sub !== 'steps' || !stepId) return fail(res, 404, 'not_found');
    if (job.status !== 'running') return fail(res, 409, 'job_completed');
    const step = stepOf(job, stepId);
    if (req.method === 'PUT' && !tail) {
      const body = JSON.parse(raw) as { name?: string; internal?: boolean; status?: StepStatus };
      if (body.name !== undefined) step.name = body.name;
      if (body.internal !== undefined) step.internal = body.internal;
      if (body.status !== undefined) step.status = body.status;
      return send(res, 200, { step: stepMeta(stepId, step) });
    }
    if (req.method === 'POST' && tail === 'lines') {
      const fault = lineFaults.shift();
      if (fault?.kind === 'status') {
        return send(res, fault.status, { error: { code: 'unavailable', message: 'injected' } }, {
          ...(fault.retryAfter !== undefined && { 'retry-after': String(fault.retryAfter) }),
        });
      }
      let accepted = 0;
      let duplicates = 0;
      const records = raw.split('\n').filter((l) => l !== '');
      for (const [index, record] of records.entries()) {
        if (fault?.kind === 'drop' && index >= fault.keep) {
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'truncate' && index >= fault.keep) {
          return fail(res, 400, 'bad_request', { last: step.lines.length });
        }
        const parsed = ndjsonLineSchema.safeParse(JSON.parse(record));
        if (!parsed.success) return fail(res, 400, 'bad_request', { last: step.lines.length });
        const { n, text, stream = 'out' } = parsed.data;
        if (n <= step.lines.length) {
          duplicates++;
          continue;
        }
        if (n > step.lines.length + 1) {
          return fail(res, 409, 'line_gap', { expected: step.lines.length + 1, last: step.lines.length });
        }
        step.lines.push({ n, ts: 0, stream, text });
        accepted++;
      }
      if (fault?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (step.status === 'pending') step.status = 'running';
      return send(res, 200, { accepted, duplicates, last: step.lines.length });
    }
    return fail(res, 404, 'not_found');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    jobs,
    lineFaults,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
