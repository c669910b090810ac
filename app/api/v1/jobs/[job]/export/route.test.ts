import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetAccessConfig } from '@/lib/access/config';
import { signLink } from '@/lib/access/links';
import { newWriteToken } from '@/lib/auth/tokens';
import { closeStore, getStore } from '@/lib/store/instance';
import { GET as deliveries } from '@/app/api/v1/admin/webhooks/deliveries/route';
import { GET } from './route';

const READ_A = 'read-key-for-repo-a-0123456789';
const ADMIN = 'admin-key-0123456789abcdef';
const LINK_SECRET = 'link-secret-0123456789abcdef';
const saved = { ...process.env };
let dir = '';
const writeA = newWriteToken();

async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const job = new URL(url).pathname.split('/')[4]!;
  return GET(new Request(url, { headers }), { params: Promise.resolve({ job }) });
}

describe('GET /api/v1/jobs/{job}/export (access: token)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-export-route-'));
    await writeFile(
      path.join(dir, 'keys.json'),
      JSON.stringify({
        keys: [
          { id: 'read-a', kind: 'read', secrets: [READ_A], scope: { labels: { repo: 'acme/a' } } },
          { id: 'admin', kind: 'admin', secrets: [ADMIN] },
        ],
        linkSecrets: [LINK_SECRET],
      }),
    );
    Object.assign(process.env, { LOGSCOPE_ACCESS: 'token', LOGSCOPE_KEYS: path.join(dir, 'keys.json'), LOGSCOPE_STORE: `file:${path.join(dir, 'data')}` });
    resetAccessConfig();
    const store = await getStore();
    await store.putJob('job-a', { labels: { repo: 'acme/a' } }, { tokenHash: writeA.hash });
    await store.append('job-a', 'build', { lines: [{ n: 1, ts: 1, stream: 'out', text: '\x1b[32mgreen\x1b[0m' }, { n: 2, ts: 2, stream: 'err', text: 'bad' }] });
    await store.append('job-a', 'test', { lines: [{ n: 1, ts: 3, stream: 'out', text: 'ok' }] });
    await store.putJob('job-b', { labels: { repo: 'acme/b' } }, { tokenHash: 'b'.repeat(64) });
  });
  afterAll(async () => {
    await closeStore();
    await rm(dir, { recursive: true, force: true });
    process.env = saved;
    resetAccessConfig();
  });

  const base = 'http://logscope.test/api/v1/jobs';
  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

  it('streams NDJSON with a filename to a key whose scope covers the job', async () => {
    const res = await get(`${base}/job-a/export?step=build&ansi=strip`, bearer(READ_A));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="job-a-build.ndjson"');
    expect(await res.text()).toBe(
      '{"step":"build","n":1,"ts":1,"stream":"out","group":null,"text":"green"}\n{"step":"build","n":2,"ts":2,"stream":"err","group":null,"text":"bad"}\n',
    );
    const whole = await get(`${base}/job-a/export`, bearer(ADMIN));
    expect(whole.headers.get('content-disposition')).toBe('attachment; filename="job-a.ndjson"');
    expect((await whole.text()).trim().split('\n').map((l) => (JSON.parse(l) as { step: string }).step)).toEqual(['build', 'build', 'test']);
  });

  it('answers as every read does: 401 without a credential, 404 for another scope, a step link for its step only', async () => {
    expect((await get(`${base}/job-a/export`)).status).toBe(401);
    const other = await get(`${base}/job-b/export`, bearer(READ_A));
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('not_found');
    // an unknown job looks the same as one outside the scope
    expect((await get(`${base}/job-zzz/export`, bearer(READ_A))).status).toBe(404);
    const link = signLink(LINK_SECRET, { job: 'job-a', step: 'test', expires: Math.floor(Date.now() / 1000) + 600 });
    expect((await get(`${base}/job-a/export?step=test&access=${link}`)).status).toBe(200);
    expect((await get(`${base}/job-a/export?step=build&access=${link}`)).status).toBe(404);
    // without ?step= a step link exports its own step only, as the log download does
    const narrowed = await get(`${base}/job-a/export?access=${link}`);
    expect(narrowed.status).toBe(200);
    const steps = new Set((await narrowed.text()).trim().split('\n').map((l) => (JSON.parse(l) as { step: string }).step));
    expect([...steps]).toEqual(['test']);
    expect((await get(`${base}/job-a/export?access=${link}x`)).status).toBe(401);
    // a job's write token reads its own job, not another
    expect((await get(`${base}/job-a/export`, bearer(writeA.token))).status).toBe(200);
    expect((await get(`${base}/job-b/export`, bearer(writeA.token))).status).toBe(404);
  });

  it('400 for a bad query, 404 for an unknown step', async () => {
    expect((await get(`${base}/job-a/export?ansi=html`, bearer(ADMIN))).status).toBe(400);
    expect((await get(`${base}/job-a/export?step=../x`, bearer(ADMIN))).status).toBe(400);
    expect((await get(`${base}/job-a/export?step=nope`, bearer(ADMIN))).status).toBe(404);
  });

  it('the delivery log is for admin keys only', async () => {
    const url = 'http://logscope.test/api/v1/admin/webhooks/deliveries';
    expect((await deliveries(new Request(url))).status).toBe(401);
    expect((await deliveries(new Request(url, { headers: bearer(READ_A) }))).status).toBe(403);
    expect((await deliveries(new Request(`${url}?limit=0`, { headers: bearer(ADMIN) }))).status).toBe(400);
    const ok = await deliveries(new Request(url, { headers: bearer(ADMIN) }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ deliveries: [], storage: 'file' });
  });
});
