import { expect, test } from '@playwright/test';
import http from 'node:http';
import { createJob, getJob, readAllLines, sendLines, setStep, uniqueJobId, type Producer } from '../test/support';

/**
 * Masks end to end (docs/api.md "Masks"): what is masked, in which encodings, the ordering
 * guarantee across steps, and the per-job cap.
 */

const SECRET = 'sup3r-s3cret+token/v1';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A streamed text/plain POST whose body stays open until `end()`; resolves with its answer. */
function openStream(p: Producer, step: string) {
  const url = new URL(`${p.baseURL}/api/v1/jobs/${p.jobId}/steps/${step}/lines`);
  let resolveAnswer: (value: { status: number; body: string }) => void = () => undefined;
  const answer = new Promise<{ status: number; body: string }>((resolve) => (resolveAnswer = resolve));
  const req = http.request(url, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${p.token}`, 'transfer-encoding': 'chunked' } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body }));
  });
  return {
    write: (text: string) => new Promise<void>((resolve, reject) => req.write(text, (error) => (error ? reject(error) : resolve()))),
    end: () => {
      req.end();
      return answer;
    },
  };
}

async function waitForLines(p: Producer, step: string, count: number) {
  await expect.poll(async () => (await getJob(p.baseURL, p.jobId)).steps.find((s) => s.id === step)?.lines ?? 0).toBeGreaterThanOrEqual(count);
}

test.describe('masks', () => {
  test('a mask acknowledged in step A masks a concurrent streamed batch of step B stored after it', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('mask-order'));
    const b = openStream(p, 'b');
    await b.write(`before ${SECRET}\n`);
    await waitForLines(p, 'b', 1);
    // acknowledged: every line stored from now on is masked, in every step
    await sendLines(p, 'a', 1, [`::add-mask::${SECRET}`]);
    await b.write(`after ${SECRET}\n`);
    const answer = await b.end();
    expect(answer.status).toBe(200);
    expect((await readAllLines(baseURL!, p.jobId, 'b')).map((l) => l.text)).toEqual([`before ${SECRET}`, 'after ***']);
    expect((await readAllLines(baseURL!, p.jobId, 'a')).map((l) => l.text)).toEqual(['::add-mask::***']);
  });

  test('base64 (any alignment), URL- and JSON-escaped forms and OSC 8 link URLs are masked', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('mask-forms'));
    await sendLines(p, 's', 1, [
      `::add-mask::${SECRET}`,
      `basic ${b64(`u:${SECRET}`)}`,
      `basic ${b64(`us:${SECRET}\n`)}`,
      `url https://h.example/?t=${encodeURIComponent(SECRET)}&x=1`,
      `json ${JSON.stringify({ token: SECRET })}`,
      `\x1b]8;;https://h.example/cb?t=${SECRET}\x1b\\docs\x1b]8;;\x1b\\`,
    ]);
    const stored = (await readAllLines(baseURL!, p.jobId, 's')).map((l) => l.text);
    expect(stored.join('\n')).not.toContain(SECRET);
    expect(stored.join('\n')).not.toContain(encodeURIComponent(SECRET));
    expect(stored.join('\n')).not.toContain(b64(SECRET).slice(0, 20));
    expect(stored.slice(3)).toEqual(['url https://h.example/?t=***&x=1', 'json {"token":"***"}', '\x1b]8;;https://h.example/cb?t=***\x1b\\docs\x1b]8;;\x1b\\']);
  });

  test('title, labels, step names and group names are masked', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('mask-names'));
    await sendLines(p, 's', 1, [`::add-mask::${SECRET}`, `::group::deploy with ${SECRET}`, 'x', '::endgroup::']);
    await fetch(`${baseURL}/api/v1/jobs/${p.jobId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.token}` },
      body: JSON.stringify({ title: `build ${SECRET}`, labels: { token: SECRET }, steps: [{ id: 'd', name: `declared ${SECRET}` }] }),
    }).then((r) => expect(r.status).toBe(200));
    await setStep(p, 's', { name: `step ${b64(SECRET)}` });
    const job = await getJob(baseURL!, p.jobId);
    expect(JSON.stringify(job)).not.toContain(SECRET);
    expect(job.title).toBe('build ***');
    expect(job.labels).toEqual({ token: '***' });
    expect(job.steps.find((s) => s.id === 'd')?.name).toBe('declared ***');
    const s = job.steps.find((x) => x.id === 's');
    expect(s?.name).toMatch(/^step \*\*\*/);
    expect(s?.groups.map((g) => g.name)).toEqual(['deploy with ***']);
  });

  test('past the masks cap, the mask is refused with quota_exceeded and its line is not stored', async ({ baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('mask-cap'));
    await sendLines(p, 's', 1, Array.from({ length: 100 }, (_, i) => `::add-mask::value-number-${i}`));
    const response = await fetch(`${baseURL}/api/v1/jobs/${p.jobId}/steps/s/lines`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${p.token}` },
      body: [`::add-mask::${SECRET}`, `uses ${SECRET}`].map((text, i) => JSON.stringify({ n: 101 + i, text })).join('\n'),
    });
    expect(response.status).toBe(409);
    expect((await response.json()).error).toMatchObject({ code: 'quota_exceeded', limit: 'masks_per_job', max: 100, last: 100 });
    const stored = await readAllLines(baseURL!, p.jobId, 's');
    expect(stored).toHaveLength(100);
    expect(stored.map((l) => l.text).join('\n')).not.toContain(SECRET);
  });
});
