import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetAccessConfig } from '@/lib/access';
import { closeStore, getStore } from '@/lib/store/instance';
import { uniqueJobId } from '@/test/support/ids';
import { DELETE as deleteJobRoute, GET as getJobRoute, PUT as putJobRoute } from './[job]/route';
import { GET as eventsRoute } from './[job]/events/route';
import { POST as postLinesRoute } from './[job]/steps/[step]/lines/route';
import { PUT as putStepRoute } from './[job]/steps/[step]/route';
import { DELETE as revokeTokenRoute, POST as issueTokenRoute } from './[job]/token/route';

/**
 * Write access through the route handlers (README "Write access and retention"): ingest keys
 * held to their scope, revocable job tokens, key rotation by editing the keys file, DELETE with
 * an admin key, and what a live viewer of a deleted job gets. File store; the store-level
 * rules run on every backend in the conformance suite (lib/store/conformance/deletion.ts).
 */

const ACME = 'acme-ingest-secret-0001';
const BETA = 'beta-ingest-secret-0002';
const LOOSE = 'loose-ingest-secret-003';
const ADMIN = 'admin-secret-000000004';
const READ = 'read-secret-0000000005';

let dir = '';
let keysFile = '';
const saved = { ...process.env };

function keysJson(extra: object[] = []): string {
  return JSON.stringify({
    keys: [
      { id: 'acme', kind: 'ingest', secrets: [ACME], scope: { labels: { repo: 'acme/api' } }, jobPrefix: 'acme-' },
      { id: 'beta', kind: 'ingest', secrets: [BETA], scope: { labels: { repo: 'beta/web' } }, jobPrefix: 'beta-' },
      { id: 'loose', kind: 'ingest', secrets: [LOOSE], scope: { labels: { team: 'loose' } } },
      { id: 'root', kind: 'admin', secrets: [ADMIN] },
      { id: 'reader', kind: 'read', secrets: [READ] },
      ...extra,
    ],
  });
}

const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });

function call(method: string, url: string, bearer?: string, body?: unknown): Request {
  const headers: Record<string, string> = {};
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Request(`http://logscope.test${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function putJob(job: string, bearer?: string, body: unknown = {}): Promise<Response> {
  return putJobRoute(call('PUT', `/api/v1/jobs/${job}`, bearer, body), ctx({ job }));
}

async function putStep(job: string, step: string, bearer?: string): Promise<Response> {
  return putStepRoute(call('PUT', `/api/v1/jobs/${job}/steps/${step}`, bearer, { status: 'running' }), ctx({ job, step }));
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}

async function created(job: string, bearer: string | undefined, body: unknown = {}): Promise<{ token: string; labels: Record<string, string> }> {
  const response = await putJob(job, bearer, body);
  expect(response.status).toBe(201);
  const json = (await response.json()) as { writeToken: string; job: { labels: Record<string, string> } };
  return { token: json.writeToken, labels: json.job.labels };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-write-access-'));
  keysFile = path.join(dir, 'keys.json');
  process.env.LOGSCOPE_STORE = `file:${path.join(dir, 'data')}`;
  delete process.env.LOGSCOPE_INGEST_KEY;
  delete process.env.LOGSCOPE_ACCESS;
});

afterAll(async () => {
  await closeStore();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  resetAccessConfig();
  await rm(dir, { recursive: true, force: true });
});

describe('zero-config (no keys, access none)', () => {
  beforeEach(() => {
    delete process.env.LOGSCOPE_KEYS;
    resetAccessConfig();
  });

  it('creates jobs without a credential, as before; DELETE needs an admin key', async () => {
    const id = uniqueJobId('open');
    const { token } = await created(id, undefined, { labels: { repo: 'anything' } });
    expect((await putStep(id, 's', token)).status).toBe(200);
    expect(await errorOf(await deleteJobRoute(call('DELETE', `/api/v1/jobs/${id}`), ctx({ job: id })))).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await errorOf(await deleteJobRoute(call('DELETE', `/api/v1/jobs/${id}`, token), ctx({ job: id })))).toMatchObject({ status: 403, code: 'forbidden' });
  });
});

describe('ingest keys per project', () => {
  beforeAll(async () => {
    await writeFile(keysFile, keysJson());
    process.env.LOGSCOPE_KEYS = keysFile;
    resetAccessConfig();
  });

  it('needs a key to create once ingest keys exist', async () => {
    expect(await errorOf(await putJob(uniqueJobId('acme-anon')))).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await errorOf(await putJob(uniqueJobId('acme-read'), READ))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await errorOf(await putJob(uniqueJobId('acme-bad'), 'not-a-key-at-all-123'))).toMatchObject({ status: 403, code: 'forbidden' });
    const admin = await created(uniqueJobId('admin'), ADMIN, { labels: { any: 'x' } });
    expect(admin.labels).toEqual({ any: 'x' });
  });

  it("adds the key's scope labels and refuses a conflicting one, storing nothing", async () => {
    const id = uniqueJobId('acme-labels');
    const job = await created(id, ACME, { labels: { branch: 'main' } });
    expect(job.labels).toEqual({ branch: 'main', repo: 'acme/api' });
    const other = uniqueJobId('acme-conflict');
    expect(await errorOf(await putJob(other, ACME, { labels: { repo: 'beta/web' } }))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await (await getStore()).getJob(other)).toBeNull();
  });

  it('holds a key to its jobPrefix with one answer, whether the job exists or not', async () => {
    const taken = uniqueJobId('beta-taken');
    await created(taken, BETA);
    const existing = await errorOf(await putJob(taken, ACME));
    const missing = await errorOf(await putJob(uniqueJobId('beta-free'), ACME));
    expect(existing).toMatchObject({ status: 403, code: 'forbidden' });
    expect(missing).toEqual(existing);
  });

  it("never updates or squats another scope's job; the answer is the same as for its own", async () => {
    const theirs = uniqueJobId('acme-theirs');
    await created(theirs, ACME);
    const mine = uniqueJobId('loose-mine');
    await created(mine, LOOSE);
    const squat = await errorOf(await putJob(theirs, LOOSE, { title: 'mine now' }));
    const own = await errorOf(await putJob(mine, LOOSE, { title: 'again' }));
    expect(squat).toMatchObject({ status: 403, code: 'forbidden' });
    expect(own).toEqual(squat);
    expect((await (await getStore()).getJob(theirs))?.title).toBe('');
  });

  it('answers an unknown bearer the same for an existing and a missing job', async () => {
    const id = uniqueJobId('acme-bearer');
    await created(id, ACME);
    const existing = await errorOf(await putJob(id, 'lsw_not-the-token'));
    const missing = await errorOf(await putJob(uniqueJobId('acme-nobody'), 'lsw_not-the-token'));
    expect(existing).toMatchObject({ status: 403 });
    expect(missing).toEqual(existing);
  });

  it('keeps scope labels fixed on updates with the write token', async () => {
    const id = uniqueJobId('acme-fixed');
    const { token } = await created(id, ACME);
    expect(await errorOf(await putJob(id, token, { labels: { repo: 'beta/web' } }))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await errorOf(await putJob(id, token, { labels: { branch: 'x' } }))).toMatchObject({ status: 403 });
    const ok = await putJob(id, token, { title: 'renamed', labels: { repo: 'acme/api', branch: 'x' } });
    expect(ok.status).toBe(200);
    expect((await (await getStore()).getJob(id))?.labels).toEqual({ repo: 'acme/api', branch: 'x' });
  });
});

describe('job tokens that can be revoked', () => {
  beforeAll(async () => {
    await writeFile(keysFile, keysJson());
    process.env.LOGSCOPE_KEYS = keysFile;
    resetAccessConfig();
  });

  const issue = (job: string, bearer?: string) => issueTokenRoute(call('POST', `/api/v1/jobs/${job}/token`, bearer), ctx({ job }));
  const revoke = (job: string, bearer?: string) => revokeTokenRoute(call('DELETE', `/api/v1/jobs/${job}/token`, bearer), ctx({ job }));

  it('issues a new token (the old one stops at once) and revokes it', async () => {
    const id = uniqueJobId('acme-rotate');
    const { token: first } = await created(id, ACME);
    const issued = await issue(id, ACME);
    expect(issued.status).toBe(200);
    const { writeToken: second } = (await issued.json()) as { writeToken: string };
    expect(second).toMatch(/^lsw_/);
    expect((await putStep(id, 's', first)).status).toBe(403);
    expect((await putStep(id, 's', second)).status).toBe(200);

    const byAdmin = (await (await issue(id, ADMIN)).json()) as { writeToken: string };
    expect((await putStep(id, 's', second)).status).toBe(403);
    expect((await putStep(id, 's', byAdmin.writeToken)).status).toBe(200);

    expect((await revoke(id, ACME)).status).toBe(204);
    expect(await errorOf(await putStep(id, 's', byAdmin.writeToken))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await errorOf(await putJob(id, byAdmin.writeToken, { title: 'x' }))).toMatchObject({ status: 403 });
    const again = (await (await issue(id, ACME)).json()) as { writeToken: string };
    expect((await putStep(id, 't', again.writeToken)).status).toBe(200);
  });

  it('answers 401 without a key, 403 for a read key, 404 for a job outside the key (as for no job)', async () => {
    const id = uniqueJobId('acme-guarded');
    await created(id, ACME);
    expect((await issue(id)).status).toBe(401);
    expect((await issue(id, READ)).status).toBe(403);
    const outside = await errorOf(await issue(id, BETA));
    const none = await errorOf(await issue(uniqueJobId('beta-none'), BETA));
    expect(outside).toMatchObject({ status: 404, code: 'not_found' });
    expect({ ...none, message: '' }).toEqual({ ...outside, message: '' });
    expect((await revoke(id, LOOSE)).status).toBe(404);
    expect((await issue(uniqueJobId('none'), ADMIN)).status).toBe(404);
  });
});

describe('key rotation without downtime', () => {
  const OLD = 'rotating-secret-old-0001';
  const NEW = 'rotating-secret-new-0002';
  const rotating = (secrets: string[]) => keysJson([{ id: 'rot', kind: 'ingest', secrets, scope: { labels: { repo: 'rot/ate' } }, jobPrefix: 'rot-' }]);

  /** Waits (bounded) until the server has re-read the keys file: `probe` answers `status`. */
  async function until(probe: () => Promise<Response>, status: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const response = await probe();
      if (response.status === status) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the keys file change was not picked up (expected ${status})`);
  }

  it('accepts the old and the new secret together, then only the new one', async () => {
    await writeFile(keysFile, rotating([OLD]));
    process.env.LOGSCOPE_KEYS = keysFile;
    resetAccessConfig();
    await created(uniqueJobId('rot-a'), OLD);
    expect((await putJob(uniqueJobId('rot-b'), NEW)).status).toBe(403);

    // the server keeps running: the file is edited under it
    await writeFile(keysFile, rotating([NEW, OLD]));
    await until(() => putJob(uniqueJobId('rot-c'), NEW), 201);
    await created(uniqueJobId('rot-d'), OLD);
    await created(uniqueJobId('rot-e'), NEW);

    await writeFile(keysFile, rotating([NEW]));
    await until(() => putJob(uniqueJobId('rot-f'), OLD), 403);
    await created(uniqueJobId('rot-g'), NEW);
  });
});

describe('DELETE /api/v1/jobs/{job}', () => {
  beforeAll(async () => {
    await writeFile(keysFile, keysJson());
    process.env.LOGSCOPE_KEYS = keysFile;
    resetAccessConfig();
  });

  const del = (job: string, bearer?: string) => deleteJobRoute(call('DELETE', `/api/v1/jobs/${job}`, bearer), ctx({ job }));

  it('needs an admin key; then the job is gone, and its id can be created again', async () => {
    const id = uniqueJobId('acme-del');
    const { token } = await created(id, ACME);
    expect((await del(id)).status).toBe(401);
    expect((await del(id, ACME)).status).toBe(403);
    expect((await del(id, token)).status).toBe(403);
    expect((await del(id, ADMIN)).status).toBe(204);
    expect((await getJobRoute(call('GET', `/api/v1/jobs/${id}`), ctx({ job: id }))).status).toBe(404);
    expect((await putStep(id, 's', token)).status).toBe(404);
    expect((await del(id, ADMIN)).status).toBe(404);
    await created(id, ACME);
  });

  it('sends live viewers a `deleted` event, then ends their stream', async () => {
    const id = uniqueJobId('acme-watched');
    const { token } = await created(id, ACME);
    expect((await putStep(id, 's', token)).status).toBe(200);
    const controller = new AbortController();
    const stream = await eventsRoute(new Request(`http://logscope.test/api/v1/jobs/${id}/events`, { signal: controller.signal }), ctx({ job: id }));
    expect(stream.status).toBe(200);
    const text = stream.text();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await del(id, ADMIN)).status).toBe(204);
    const body = await text; // resolves only because the stream ends
    controller.abort();
    expect(body).toContain('event: step');
    expect(body).toMatch(new RegExp(`event: deleted\\ndata: \\{"id":"${id}"\\}\\n\\n$`));
    expect((await eventsRoute(new Request(`http://logscope.test/api/v1/jobs/${id}/events`), ctx({ job: id }))).status).toBe(404);
  });

  it('takes the first lines of a job created again, even where the old one was being written (another server deleted it)', async () => {
    const id = uniqueJobId('acme-again');
    const post = async (token: string, from: number, texts: string[]) => {
      const body = texts.map((text, i) => JSON.stringify({ n: from + i, text })).join('\n') + '\n';
      const request = new Request(`http://logscope.test/api/v1/jobs/${id}/steps/s/lines`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body,
      });
      return (await (await postLinesRoute(request, ctx({ job: id, step: 's' }))).json()) as { accepted: number; last: number };
    };
    const first = await created(id, ACME);
    expect(await post(first.token, 1, ['old 1', 'old 2', 'old 3', 'old 4', 'old 5'])).toMatchObject({ accepted: 5, last: 5 });
    // deleted through the store, as another server sharing the backend would: this process's writer cache is not told
    expect(await (await getStore()).deleteJob(id)).toBe(true);
    const second = await created(id, ACME);
    expect(await post(second.token, 1, ['new 1', 'new 2'])).toMatchObject({ accepted: 2, last: 2 });
    expect((await (await getStore()).readLines(id, 's', 1, 10)).lines.map((l) => l.text)).toEqual(['new 1', 'new 2']);
  });
});
