import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort, startLogscope, uniqueJobId, type LogscopeServer } from '../test/support';
import { LogPage } from './log-page';

/**
 * Write access on the real server (README "Write access and retention"): a key rotated by
 * editing the keys file while the server runs, and what a viewer sees when the job it watches
 * is deleted. The server is this spec's own: it needs a keys file.
 */

const ADMIN = 'e2e-admin-secret-00000001';
const OLD = 'e2e-ingest-secret-old-0001';
const NEW = 'e2e-ingest-secret-new-0002';

let dir = '';
let keysFile = '';
let server: LogscopeServer;

const keys = (ingestSecrets: string[]) =>
  JSON.stringify({
    keys: [
      { id: 'ci', kind: 'ingest', secrets: ingestSecrets, scope: { labels: { repo: 'e2e/write' } }, jobPrefix: 'e2e-' },
      { id: 'ops', kind: 'admin', secrets: [ADMIN] },
    ],
  });

async function api(method: string, url: string, bearer: string | null, body?: unknown): Promise<Response> {
  return fetch(`${server.url}/api/v1${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-e2e-write-'));
  keysFile = path.join(dir, 'keys.json');
  await writeFile(keysFile, keys([OLD]));
  server = await startLogscope(await freePort(3182, 3189), `file:${path.join(dir, 'data')}`, { LOGSCOPE_KEYS: keysFile, LOGSCOPE_INGEST_KEY: '' });
});

test.afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a key rotates by editing the keys file: old and new work together, then only the new', async () => {
  const create = (secret: string) => api('PUT', `/jobs/${uniqueJobId('e2e-rot')}`, secret, {});
  expect((await create(OLD)).status).toBe(201);
  expect((await create(NEW)).status).toBe(403);

  await writeFile(keysFile, keys([NEW, OLD]));
  await expect.poll(async () => (await create(NEW)).status, { timeout: 15_000 }).toBe(201);
  expect((await create(OLD)).status).toBe(201);

  await writeFile(keysFile, keys([NEW]));
  await expect.poll(async () => (await create(OLD)).status, { timeout: 15_000 }).toBe(403);
  expect((await create(NEW)).status).toBe(201);
});

test('a viewer watching a job sees "deleted" when an admin deletes it', async ({ page }) => {
  const jobId = uniqueJobId('e2e-watched');
  const created = await api('PUT', `/jobs/${jobId}`, NEW, { title: 'Watched', steps: [{ id: 'run', name: 'Run' }] });
  expect(created.status).toBe(201);
  const { writeToken } = (await created.json()) as { writeToken: string };
  const lines = await fetch(`${server.url}/api/v1/jobs/${jobId}/steps/run/lines`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${writeToken}` },
    body: '{"n":1,"text":"before the delete"}\n',
  });
  expect(lines.status).toBe(200);

  const log = new LogPage(page);
  await page.goto(`${server.url}/jobs/${jobId}`);
  await expect(log.line('run', 1)).toContainText('before the delete');
  await expect(log.streamState).toHaveText(/live/i);

  expect((await api('DELETE', `/jobs/${jobId}`, NEW)).status).toBe(403);
  expect((await api('DELETE', `/jobs/${jobId}`, ADMIN)).status).toBe(204);
  await expect(page.getByTestId('job-deleted')).toHaveText(new RegExp(`Job ${jobId} was deleted`));
  expect((await api('GET', `/jobs/${jobId}`, null)).status).toBe(404);
  // the id is free again
  expect((await api('PUT', `/jobs/${jobId}`, NEW, {})).status).toBe(201);
});
