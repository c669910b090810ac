import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild, runCli, startLogscope, uniqueJobId, type LogscopeServer } from '../../test/support';

/**
 * The CLI against a server in access mode token (README "Access control"), on port 3176: a
 * producer with an ingest key creates and writes its job (its probe reads with its write token, or not at
 * all), and `logscope link` prints a link that reads the job, and nothing else.
 */
const ADMIN = 'cli-admin-key-0123456789';
const READ_OTHER = 'cli-read-other-0123456789';
/** In mode token creating a job needs an ingest key (README "Write access and retention"). */
const INGEST = 'cli-ingest-key-0123456789';
let server: LogscopeServer;
let env: Record<string, string>;

beforeAll(async () => {
  ensureBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-access-'));
  const keys = path.join(dir, 'keys.json');
  writeFileSync(
    keys,
    JSON.stringify({
      keys: [
        { id: 'ops', kind: 'admin', secrets: [ADMIN] },
        { id: 'ci', kind: 'ingest', secrets: [INGEST] },
        { id: 'other', kind: 'read', secrets: [READ_OTHER], scope: { labels: { repo: 'other' } } },
      ],
      linkSecrets: ['cli-link-secret-0123456789'],
    }),
  );
  server = await startLogscope(3176, `file:${path.join(dir, 'data')}`, { LOGSCOPE_ACCESS: 'token', LOGSCOPE_KEYS: keys }, [], { adminKey: ADMIN });
  env = { LOGSCOPE_URL: server.url, LOGSCOPE_STATE_DIR: path.join(dir, 'state'), LOGSCOPE_TOKEN: '', LOGSCOPE_JOB: '', LOGSCOPE_KEY: '', LOGSCOPE_INGEST_KEY: INGEST };
}, 600_000);

afterAll(async () => {
  await server?.stop();
});

describe('logscope link', () => {
  it('prints a signed link to the job a run created; the link reads it, anonymous reads do not', async () => {
    const job = uniqueJobId('link');
    const run = await runCli(['run', '--job', job, '--step', 'build', '--', process.execPath, '-e', 'console.log("hello")'], { env });
    expect(run.code).toBe(0);
    const anonymous = await fetch(`${server.url}/api/v1/jobs/${job}/steps/build/lines`);
    expect(anonymous.status).toBe(401);

    // the write token kept by `run` for this job mints it
    const printed = await runCli(['link', '--job', job, '--ttl', '600'], { env });
    expect(printed.code).toBe(0);
    const url = new URL(printed.stdout.trim());
    expect(url.pathname).toBe(`/jobs/${job}`);
    const access = url.searchParams.get('access')!;
    const lines = await fetch(`${server.url}/api/v1/jobs/${job}/steps/build/lines?access=${access}`);
    expect(((await lines.json()) as { lines: { text: string }[] }).lines.map((l) => l.text)).toEqual(['hello']);

    const step = await runCli(['link', '--job', job, '--step', 'build', '--json'], { env: { ...env, LOGSCOPE_KEY: ADMIN } });
    expect(JSON.parse(step.stdout)).toMatchObject({ url: `${server.url}/jobs/${job}/steps/build?access=${JSON.parse(step.stdout).token}` });

    // a key of another scope gets the answer of a missing job; a bad --ttl never reaches the server
    const refused = await runCli(['link', '--job', job], { env: { ...env, LOGSCOPE_KEY: READ_OTHER } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not found/);
    expect((await runCli(['link', '--job', job, '--ttl', '0'], { env })).code).not.toBe(0);
  });
});
