import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CORPUS_ABSENT, CORPUS_DIR, corpusPresent, FIXTURES_DIR } from '../test/support/corpus';
import { completeJob, createJob, getJob, sendLines, setStep, uniqueJobId, type Producer } from '../test/support';
import { LogPage } from './log-page';

/**
 * Issue 3: nested GitLab sections and Buildkite groups (the project's own Buildkite fixture
 * and, when the optional third-party corpus is present, a real Buildkite log from it) become
 * nested, collapsible sections in Chromium, titled and timed, honouring the producer's
 * collapsed/expanded hints.
 */

async function sendRaw(p: Producer, step: string, bytes: Buffer) {
  const response = await fetch(`${p.baseURL}/api/v1/jobs/${p.jobId}/steps/${step}/lines?first=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.token}`, 'content-type': 'text/plain' },
    body: new Uint8Array(bytes),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

test('nested GitLab sections are nested, timed sections that collapse with their parent', async ({ page, baseURL }) => {
  const p = await createJob(baseURL!, uniqueJobId('gitlab'), { title: 'GitLab', steps: [{ id: 'ci', name: 'CI job' }] });
  await sendLines(p, 'ci', 1, [
    'section_start:1700000000:build[collapsed=false]\r\u001b[0KBuilding the app',
    'compiling',
    'section_start:1700000001:unit_tests[collapsed=true]\r\u001b[0KRunning unit tests',
    'test 1 ok',
    'section_end:1700000005:unit_tests\r\u001b[0K',
    'linking',
    'section_end:1700000009:build\r\u001b[0K',
    'after the sections',
  ]);
  await setStep(p, 'ci', { status: 'success' });
  await completeJob(p, 'success');

  const groups = ((await getJob(baseURL!, p.jobId)).steps as { groups: { id: string; name: string; parent: string | null; start: number; end: number }[] }[])[0]!.groups;
  expect(groups.map((g) => [g.name, g.parent, g.start, g.end])).toEqual([
    ['build', null, 1, 7],
    ['unit_tests', groups[0]!.id, 3, 5],
  ]);

  const log = new LogPage(page);
  await log.gotoJob(p.jobId);
  // a passed job opens its last step (README "Finding the failure")
  await expect(log.header('ci')).toHaveAttribute('aria-expanded', 'true');
  const outer = log.header(`ci/${groups[0]!.id}`);
  const inner = log.header(`ci/${groups[1]!.id}`);
  await expect(outer).toHaveAccessibleName(/Building the app/);
  await expect(outer).toHaveAttribute('aria-expanded', 'true'); // [collapsed=false]
  await expect(outer).toContainText('9s');
  await expect(inner).toHaveAccessibleName(/Running unit tests/);
  await expect(inner).toHaveAttribute('aria-expanded', 'false'); // [collapsed=true]
  await expect(inner).toContainText('4s');
  await expect(log.line('ci', 2)).toHaveText(/compiling/);
  await expect(log.line('ci', 4)).toHaveCount(0);

  await inner.click();
  await expect(log.line('ci', 4)).toHaveText(/test 1 ok/);
  await outer.click();
  await expect(inner).toHaveCount(0);
  await expect(log.line('ci', 2)).toHaveCount(0);
  await expect(log.line('ci', 4)).toHaveCount(0);
  await expect(log.line('ci', 8)).toHaveText(/after the sections/);
});

/** A Buildkite log, and lines the test looks at: one in an open (+++) group, one in a closed (---) one. */
const BUILDKITE_LOGS = [
  { label: 'the Buildkite fixture', file: path.join(FIXTURES_DIR, 'buildkite.log'), openLine: 16, closedLine: 12, present: true },
  { label: corpusPresent() ? 'a real Buildkite log (shared corpus)' : 'a real Buildkite log (shared corpus absent, skipped)', file: path.join(CORPUS_DIR, 'buildkite__bash-example.log'), openLine: 166, closedLine: 51, present: corpusPresent() },
];

for (const { label, file, openLine, closedLine, present } of BUILDKITE_LOGS) {
  test(`${label} shows its groups: +++ open, --- and ~~~ closed, timestamps stripped`, async ({ page, baseURL }) => {
    test.skip(!present, `${CORPUS_ABSENT}: optional corpus test skipped`);
    const p = await createJob(baseURL!, uniqueJobId('buildkite'), { title: 'Buildkite', steps: [{ id: 'bk', name: 'Buildkite job' }] });
    await sendRaw(p, 'bk', readFileSync(file));
    await setStep(p, 'bk', { status: 'success' });
    await completeJob(p, 'success');

    const log = new LogPage(page);
    await page.setViewportSize({ width: 1400, height: 1400 });
    await log.gotoJob(p.jobId);
    // the header toggles once the viewer has hydrated (the first screen is static HTML)
    await expect(page.getByTestId('stream-state')).toHaveText(/complete/i);
    // a passed job opens its last step (README "Finding the failure")
    await expect(log.header('bk')).toHaveAttribute('aria-expanded', 'true');
    const tests = page.locator('[data-section^="bk/"]').filter({ has: page.getByRole('button', { name: /:hammer: Example tests/ }) });
    await expect(tests.locator('button[aria-expanded]')).toHaveAttribute('aria-expanded', 'true');
    const environment = page.locator('[data-section^="bk/"]').filter({ has: page.getByRole('button', { name: /Build job environment/ }) });
    await expect(environment.locator('button[aria-expanded]')).toHaveAttribute('aria-expanded', 'false');
    const hook = page.locator('[data-section^="bk/"]').filter({ has: page.getByRole('button', { name: /Running global environment hook/ }) });
    await expect(hook.locator('button[aria-expanded]')).toHaveAttribute('aria-expanded', 'false');
    // lines inside the open group are shown; no raw timestamp escape reaches the page
    await expect(log.line('bk', openLine)).toBeVisible();
    await expect(log.line('bk', closedLine)).toHaveCount(0);
    await expect(page.locator('[role="log"]')).not.toContainText('bk;t=');
    await environment.locator('button[aria-expanded]').click();
    await expect(log.line('bk', closedLine)).toBeVisible();
  });
}
