import { expect, test } from '@playwright/test';
import { createJob, getJob, sendLines, uniqueJobId, type Producer } from '../test/support';

/**
 * Group markers by dialect (docs/api.md "Group markers") through the API: a dialect declared
 * with PUT step or PUT job steps[], and the groups `GET /api/v1/jobs/{job}` answers; the
 * download's header line with a hostile step name.
 */

const DIFF = ['diff --git a/src/x.ts b/src/x.ts', 'index 1a2b3c4..5d6e7f8 100644', '--- a/src/x.ts', '+++ b/src/x.ts', '@@ -1 +1 @@', '-a', '+b'];

async function put(p: Producer, path: string, body: unknown) {
  const response = await fetch(`${p.baseURL}/api/v1/jobs/${p.jobId}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${p.token}` },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as unknown;
}

const groupsOf = async (p: Producer, step: string) =>
  ((await getJob(p.baseURL, p.jobId)).steps.find((s) => s.id === step)?.groups ?? []).map((g) => `${g.name} ${g.start}-${g.end ?? '?'}`);

test.describe('marker dialects', () => {
  test('PUT step declares github: Buildkite-looking lines and diffs stay text', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('dialect-gh'));
    expect(await put(p, '/steps/lint', { markers: 'github', status: 'running' })).toMatchObject({ step: { id: 'lint', markers: 'github' } });
    await sendLines(p, 'lint', 1, ['--- Summary', '::group::Lint', ...DIFF, '::endgroup::', '+++ not a group', '::group::Test', 'ok']);
    await sendLines(p, 'lint', 14, ['::endgroup::']);
    const job = await getJob(baseURL!, p.jobId);
    expect(job.steps.find((s) => s.id === 'lint')?.markers).toBe('github');
    expect(await groupsOf(p, 'lint')).toEqual(['Lint 2-10', 'Test 12-14']);
  });

  test('PUT job steps[] declares buildkite: GitHub markers are text, diffs are no groups', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('dialect-bk'));
    await put(p, '', { steps: [{ id: 'build', markers: 'buildkite' }] });
    await sendLines(p, 'build', 1, ['::group::G', '--- :lint: Lint', ...DIFF, '+++ :test: Test', 'ok']);
    expect(await groupsOf(p, 'build')).toEqual([':lint: Lint 2-9', ':test: Test 10-?']);
  });

  test('auto: a git diff alone makes no group', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('dialect-auto'));
    await sendLines(p, 's', 1, DIFF);
    await sendLines(p, 's', 8, ['--- f.py', '+++ f.py']);
    await sendLines(p, 's', 10, ['@@ -1 +1 @@', '-x', '+y']);
    expect(await groupsOf(p, 's')).toEqual([]);
  });

  test('an unknown dialect is a 400', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('dialect-bad'));
    const response = await fetch(`${baseURL}/api/v1/jobs/${p.jobId}/steps/s`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.token}` },
      body: JSON.stringify({ markers: 'jenkins' }),
    });
    expect(response.status).toBe(400);
  });

  test('the download header line carries the step name without escapes or newlines', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('dl-name'));
    await put(p, '/steps/a', { name: 'evil\x1b]0;pwned\x07\x1b[2J\nname\u009b31m\u202e' });
    await sendLines(p, 'a', 1, ['line']);
    const text = await (await fetch(`${baseURL}/api/v1/jobs/${p.jobId}/log?format=text`)).text();
    expect(text).toBe('=== evil␛]0;pwned␇␛[2J␊name?31m? (running)\nline\n');
    const ansi = await (await fetch(`${baseURL}/api/v1/jobs/${p.jobId}/log`)).text();
    expect(ansi.split('\n')[0]).toBe('\x1b[1m=== evil␛]0;pwned␇␛[2J␊name?31m? (running)\x1b[0m');
  });
});
