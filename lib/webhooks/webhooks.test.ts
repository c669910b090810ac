import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uniqueJobId } from '../../test/support';
import { parseKeysFile, resetAccessConfig, type AccessKey } from '../access/config';
import { webhookPayloadSchema, type DeliveryRecord, type WebhookPayload } from '../contracts/webhooks';
import type { JobMeta } from '../contracts';
import { closeStore, getStore } from '../store/instance';
import { completeJob, inProcessCreateAuth, putJob, putStep } from '../writes/jobs';
import { sweepOnce } from '../retention/sweeper';
import { writeLines } from '../writes/line-writer';
import { DELIVERY_LOG_FILE, FileDeliveryLog, MemoryDeliveryLog } from './delivery-log';
import { WebhookDispatcher } from './dispatcher';
import { ByteBudget } from './queue';
import { verifyWebhook } from './signature';
import { ALLOW_PRIVATE_ENV, webhooks } from './index';

/** A real HTTP receiver on a random local port; `answer` picks each request's status. */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
async function startReceiver(answer: (req: Received, index: number) => number | { status: number; location: string } = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      const a = answer(entry, received.length - 1);
      if (typeof a === 'number') res.writeHead(a).end('ok');
      else res.writeHead(a.status, { Location: a.location }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const SECRET_A = 'secret-of-repo-a-0123456789';
const SECRET_B = 'secret-of-repo-b-0123456789';

function keysFor(base: string, extra: object[] = []): AccessKey[] {
  return parseKeysFile(
    JSON.stringify({
      keys: [
        { id: 'ci-a', kind: 'ingest', secrets: ['ingest-key-a-0123456789'], scope: { labels: { repo: 'acme/a' } }, webhooks: [{ url: `${base}/a`, secret: SECRET_A }] },
        {
          id: 'ci-b',
          kind: 'ingest',
          secrets: ['ingest-key-b-0123456789'],
          scope: { labels: { repo: 'acme/b' } },
          webhooks: [{ url: `${base}/b`, secret: SECRET_B, events: ['job.completed'] }],
        },
        ...extra,
      ],
    }),
  ).keys;
}

function job(id: string, labels: Record<string, string>, status: JobMeta['status'] = 'running'): JobMeta {
  return { id, title: `title of ${id}`, labels, status, createdAt: 1, endedAt: null, cursor: '0', steps: [] };
}

const FAST = { attempts: 4, baseMs: 5, capMs: 20 };
const payloadOf = (r: Received): WebhookPayload => webhookPayloadSchema.parse(JSON.parse(r.body));

describe('webhook dispatcher against a real receiver', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let dir: string;
  let failuresLeft: number;
  beforeEach(async () => {
    failuresLeft = 0;
    receiver = await startReceiver((r) => (r.path === '/a' && failuresLeft-- > 0 ? 500 : 200));
    dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-webhooks-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const dispatcher = (keys: AccessKey[], extra: Partial<ConstructorParameters<typeof WebhookDispatcher>[0]> = {}) =>
    new WebhookDispatcher({ keys: () => keys, log: new FileDeliveryLog(path.join(dir, DELIVERY_LOG_FILE)), backoff: FAST, allowPrivate: true, ...extra });

  it('signs each delivery over its raw body, and only the webhooks whose key scope covers the job hear it', async () => {
    const d = dispatcher(keysFor(receiver.base));
    d.emit({ type: 'job.created', job: job('a-1', { repo: 'acme/a', team: 'x' }) });
    d.emit({ type: 'job.created', job: job('b-1', { repo: 'acme/b' }) }); // b listens to job.completed only
    d.emit({ type: 'job.completed', job: job('b-2', { repo: 'acme/b' }, 'success') });
    d.emit({ type: 'job.completed', job: job('c-1', { repo: 'acme/c' }, 'success') }); // nobody's scope
    await d.idle();
    expect(receiver.received.map((r) => `${r.path} ${payloadOf(r).type} ${payloadOf(r).job.id}`).sort()).toEqual(['/a job.created a-1', '/b job.completed b-2']);
    for (const r of receiver.received) {
      const secret = r.path === '/a' ? SECRET_A : SECRET_B;
      expect(verifyWebhook(secret, String(r.headers['logscope-signature']), r.body).ok).toBe(true);
      // the other key's secret does not verify it: a receiver knows who sent it
      expect(verifyWebhook(secret === SECRET_A ? SECRET_B : SECRET_A, String(r.headers['logscope-signature']), r.body).ok).toBe(false);
      const payload = payloadOf(r);
      expect(r.headers['logscope-delivery']).toBe(payload.id);
      expect(r.headers['logscope-event']).toBe(payload.type);
      expect(r.headers['content-type']).toBe('application/json');
      expect(payload.version).toBe(1);
    }
    expect(payloadOf(receiver.received.find((r) => r.path === '/a')!).job).toEqual({
      id: 'a-1',
      title: 'title of a-1',
      labels: { repo: 'acme/a', team: 'x' },
      status: 'running',
      createdAt: 1,
      endedAt: null,
    });
    await d.close();
  });

  it('retries after 500s with the same id and body, signed afresh, and logs the attempts', async () => {
    failuresLeft = 2;
    const d = dispatcher(keysFor(receiver.base));
    d.emit({ type: 'job.created', job: job('a-2', { repo: 'acme/a' }) });
    await d.idle();
    const tries = receiver.received.filter((r) => r.path === '/a');
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((r) => r.body)).size).toBe(1);
    expect(new Set(tries.map((r) => r.headers['logscope-delivery'])).size).toBe(1);
    for (const r of tries) expect(verifyWebhook(SECRET_A, String(r.headers['logscope-signature']), r.body).ok).toBe(true);
    const [record] = await d.log.list(10);
    expect(record).toMatchObject({ id: payloadOf(tries[0]!).id, event: 'job.created', job: 'a-2', url: `${receiver.base}/a`, key: 'ci-a', state: 'delivered', attempts: 3, statusCode: 200, error: null });
    expect(record!.finishedAt).toBeGreaterThanOrEqual(record!.queuedAt);
    expect(record!.lastDurationMs).toBeGreaterThanOrEqual(0);
    await d.close();

    // the log survives a restart: a new log over the same file reads it back
    const reopened = new FileDeliveryLog(path.join(dir, DELIVERY_LOG_FILE));
    expect(await reopened.list(10)).toEqual([record]);
  });

  it('gives up after the last attempt, and at once on a 4xx or a redirect (never followed)', async () => {
    failuresLeft = 100;
    let hits = 0;
    const target = await startReceiver(() => (hits++, 200));
    const redirecting = await startReceiver(() => ({ status: 302, location: `${target.base}/stolen` }));
    const gone = await startReceiver(() => 410);
    const keys = keysFor(receiver.base, [
      { id: 'r', kind: 'ingest', secrets: ['ingest-key-r-0123456789'], scope: { labels: { repo: 'acme/a' } }, webhooks: [{ url: `${redirecting.base}/r`, secret: SECRET_A }, { url: `${gone.base}/g`, secret: SECRET_A }] },
    ]);
    const d = dispatcher(keys);
    d.emit({ type: 'job.created', job: job('a-3', { repo: 'acme/a' }) });
    await d.idle();
    const records = await d.log.list(10);
    const byUrl = (u: string) => records.find((r) => r.url === u);
    expect(byUrl(`${receiver.base}/a`)).toMatchObject({ state: 'failed', attempts: FAST.attempts, statusCode: 500, error: 'HTTP 500' });
    expect(byUrl(`${redirecting.base}/r`)).toMatchObject({ state: 'failed', attempts: 1, statusCode: 302, error: 'redirect (302) not followed' });
    expect(byUrl(`${gone.base}/g`)).toMatchObject({ state: 'failed', attempts: 1, statusCode: 410 });
    expect(hits).toBe(0);
    await d.close();
    await Promise.all([target.close(), redirecting.close(), gone.close()]);
  });

  it('refuses loopback and private targets unless allowed', async () => {
    const d = dispatcher(keysFor(receiver.base), { allowPrivate: false });
    const named = dispatcher(keysFor(receiver.base.replace('127.0.0.1', 'localhost')), { allowPrivate: false });
    d.emit({ type: 'job.created', job: job('a-4', { repo: 'acme/a' }) });
    named.emit({ type: 'job.created', job: job('a-5', { repo: 'acme/a' }) });
    await Promise.all([d.idle(), named.idle()]);
    expect(receiver.received).toEqual([]);
    expect(await d.log.list(1)).toMatchObject([{ state: 'failed', attempts: 1, error: 'refused: 127.0.0.1 is a private address' }]);
    expect((await named.log.list(1))[0]).toMatchObject({ state: 'failed', attempts: 1, error: expect.stringMatching(/^refused: localhost resolves to a private address/) });
    await Promise.all([d.close(), named.close()]);
  });

  it('drops what does not fit the queue budget, recorded, without waiting', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = http.createServer((req, res) => void held.then(() => res.writeHead(200).end()));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    const keys = parseKeysFile(JSON.stringify({ keys: [{ id: 'k', kind: 'ingest', secrets: ['ingest-key-k-0123456789'], webhooks: [{ url, secret: SECRET_A }] }] })).keys;
    const log = new MemoryDeliveryLog();
    const d = new WebhookDispatcher({ keys: () => keys, log, backoff: FAST, allowPrivate: true, budget: new ByteBudget(1_000_000, 3), concurrency: 1 });
    for (let i = 0; i < 5; i++) d.emit({ type: 'job.created', job: job(`q-${i}`, {}) });
    const records = await log.list(10);
    expect(records.filter((r) => r.state === 'dropped').map((r) => r.job).sort()).toEqual(['q-3', 'q-4']);
    expect(records.find((r) => r.state === 'dropped')?.error).toMatch(/^dropped: the webhook queue is full \(3 deliveries/);
    release();
    await d.idle();
    expect((await log.list(10)).filter((r) => r.state === 'delivered').map((r) => r.job).sort()).toEqual(['q-0', 'q-1', 'q-2']);
    // room again once delivered
    d.emit({ type: 'job.created', job: job('q-5', {}) });
    await d.idle();
    expect((await log.list(1))[0]).toMatchObject({ job: 'q-5', state: 'delivered' });
    await d.close();
    await new Promise<void>((resolve) => slow.close(() => resolve()));
  });

  it('a delivery log file keeps the newest records only, and marks unfinished ones lost after a restart', async () => {
    const file = path.join(dir, DELIVERY_LOG_FILE);
    const log = new FileDeliveryLog(file, 5);
    const rec = (i: number, state: DeliveryRecord['state']): DeliveryRecord => ({
      id: `whd_${i}`,
      event: 'job.created',
      job: `j-${i}`,
      url: 'https://example.com/h',
      key: 'k',
      state,
      attempts: state === 'queued' ? 0 : 1,
      statusCode: null,
      error: null,
      queuedAt: i,
      lastAttemptAt: null,
      lastDurationMs: null,
      finishedAt: null,
    });
    for (let i = 0; i < 30; i++) {
      log.record(rec(i, 'queued'));
      await log.flush();
      if (i !== 29) log.record(rec(i, 'delivered'));
      await log.flush();
    }
    expect((await log.list(100)).map((r) => r.id)).toEqual([29, 28, 27, 26, 25].map((i) => `whd_${i}`));
    const lines = (await readFile(file, 'utf8')).trim().split('\n').length;
    expect(lines).toBeLessThanOrEqual(2 * 5);
    const restarted = new FileDeliveryLog(file, 5);
    const after = await restarted.list(100);
    expect(after.map((r) => [r.id, r.state])).toEqual([
      ['whd_29', 'lost'],
      ...[28, 27, 26, 25].map((i) => [`whd_${i}`, 'delivered']),
    ]);
  });
});

describe('webhooks from the write path (lib/writes)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let dir: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    receiver = await startReceiver();
    dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-webhooks-writes-'));
    const keysFile = path.join(dir, 'keys.json');
    await writeFile(
      keysFile,
      JSON.stringify({
        keys: [
          { id: 'ci-a', kind: 'ingest', secrets: ['ingest-key-a-0123456789'], scope: { labels: { repo: 'acme/a' } }, webhooks: [{ url: `${receiver.base}/a`, secret: SECRET_A }] },
          { id: 'ci-b', kind: 'ingest', secrets: ['ingest-key-b-0123456789'], scope: { labels: { repo: 'acme/b' } }, webhooks: [{ url: `${receiver.base}/b`, secret: SECRET_B }] },
        ],
      }),
    );
    process.env.LOGSCOPE_KEYS = keysFile;
    process.env.LOGSCOPE_STORE = `file:${path.join(dir, 'data')}`;
    process.env[ALLOW_PRIVATE_ENV] = '1';
    resetAccessConfig();
  });
  afterAll(async () => {
    await webhooks().close();
    await closeStore();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
    process.env = saved;
    resetAccessConfig();
  });

  it('job created, each step finished (with the first stderr line of a failed one), job completed; repo B hears nothing of repo A', async () => {
    const store = await getStore();
    const id = uniqueJobId('hooked');
    await putJob(store, id, { title: 'deploy', labels: { repo: 'acme/a' }, steps: [{ id: 'build' }, { id: 'test' }, { id: 'lint' }] }, inProcessCreateAuth());
    const lines = [
      { n: 1, text: 'compiling' },
      { n: 2, text: '\x1b[31merror\x1b[0m: missing semicolon', stream: 'err' },
      { n: 3, text: 'second error', stream: 'err' },
    ];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
        c.close();
      },
    });
    await writeLines(store, { jobId: id, stepId: 'build', body, format: 'ndjson', stream: 'out', maxBodyBytes: 1 << 20 });
    await putStep(store, id, 'build', { status: 'failure' });
    await putStep(store, id, 'build', { status: 'failure' }); // no change: no second event
    await putStep(store, id, 'lint', { status: 'running' });
    await completeJob(store, id, 'failure'); // ends lint (running) and test (pending)
    await webhooks().idle();

    expect(receiver.received.filter((r) => r.path === '/b')).toEqual([]);
    const got = receiver.received.map((r) => {
      expect(verifyWebhook(SECRET_A, String(r.headers['logscope-signature']), r.body).ok).toBe(true);
      return payloadOf(r);
    });
    const summary = got.map((p) => `${p.type}${p.step ? ` ${p.step.id} ${p.step.status}` : ''}`).sort();
    expect(summary).toEqual(['job.completed', 'job.created', 'step.finished build failure', 'step.finished lint cancelled', 'step.finished test cancelled']);
    const build = got.find((p) => p.step?.id === 'build')!.step!;
    expect(build).toMatchObject({ lines: 3, firstError: { n: 2, text: 'error: missing semicolon' }, firstErrorState: 'found' });
    expect(got.find((p) => p.step?.id === 'lint')!.step).toMatchObject({ firstError: null, firstErrorState: 'unknown' });
    expect(got.find((p) => p.type === 'job.completed')!.job).toMatchObject({ id, status: 'failure', labels: { repo: 'acme/a' } });
    expect(new Set(got.map((p) => p.id)).size).toBe(got.length);

    const log = await webhooks().log.list(100);
    expect(webhooks().log.storage).toBe('file');
    expect(log.filter((r) => r.job === id).map((r) => [r.event, r.state, r.key]).sort()).toEqual(
      [...got.map((p) => [p.type, 'delivered', 'ci-a'])].sort(),
    );
  });

  it('a job deleted by retention sends job.deleted to its scope only', async () => {
    const store = await getStore();
    const id = uniqueJobId('swept');
    await putJob(store, id, { title: 'old', labels: { repo: 'acme/a' } }, inProcessCreateAuth());
    await completeJob(store, id, 'success');
    await webhooks().idle();
    const before = receiver.received.length;
    const swept = await sweepOnce(store, [{ labels: { repo: 'acme/a' }, maxAgeDays: 1 }], Date.now() + 2 * 86_400_000, () => {});
    expect(swept.deleted.map((d) => d.id)).toContain(id);
    await webhooks().idle();
    const got = receiver.received.slice(before).map((r) => ({ path: r.path, ...payloadOf(r) }));
    expect(got.filter((p) => p.job.id === id).map((p) => [p.path, p.type])).toEqual([['/a', 'job.deleted']]);
  });
});
