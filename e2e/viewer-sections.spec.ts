import { expect, test } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';

/** Sections: default open states, collapse/expand, expand/collapse all, hide/show, groups. */

async function seed(baseURL: string) {
  const jobId = uniqueJobId('sections');
  const p = await createJob(baseURL, jobId, {
    title: 'Sections',
    steps: [
      { id: 'setup', name: 'Setup' },
      { id: 'build', name: 'Build' },
      { id: 'agent', name: 'Agent bootstrap', internal: true },
    ],
  });
  await sendLines(p, 'setup', 1, ['setup one', 'setup two']);
  await setStep(p, 'setup', { status: 'success' });
  await sendLines(p, 'build', 1, [
    'compile start',
    // one dialect per step (docs/api.md "Group markers"): GitLab sections throughout
    'section_start:1699999998:deps\r\u001b[0KDependencies',
    'dep a',
    'section_start:1699999999:nested\r\u001b[0KNested',
    'nested line',
    'section_end:1699999999:nested\r\u001b[0K',
    'section_end:1699999999:deps\r\u001b[0K',
    'section_start:1700000000:quiet[collapsed=true]\r\u001b[0KQuiet section',
    'quiet body',
    'section_end:1700000001:quiet\r\u001b[0K',
    '\u001b[31mboom\u001b[0m',
  ]);
  await setStep(p, 'build', { status: 'failure' });
  await sendLines(p, 'agent', 1, ['agent secret-ish internals']);
  await setStep(p, 'agent', { status: 'success' });
  await completeJob(p, 'failure');
  return jobId;
}

test('passed steps start collapsed, failed open, internal hidden; headers toggle', async ({ page, baseURL }) => {
  const jobId = await seed(baseURL!);
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.streamState).toHaveText(/complete/i);

  await expect(log.header('setup')).toHaveAttribute('aria-expanded', 'false');
  await expect(log.header('build')).toHaveAttribute('aria-expanded', 'true');
  await expect(log.header('setup')).toHaveAccessibleName(/Setup/);
  await expect(log.lines('setup')).toHaveCount(0);
  await expect(log.line('build', 11)).toContainText('boom');
  // The red colour comes through renderLineHtml.
  await expect(log.line('build', 11).locator('span[style*="color"]')).toHaveText('boom');
  await expect(log.section('agent')).toHaveCount(0);

  await log.header('setup').click();
  await expect(log.header('setup')).toHaveAttribute('aria-expanded', 'true');
  await expect(log.line('setup', 2)).toHaveText(/setup two/);
  await log.header('build').click();
  await expect(log.header('build')).toHaveAttribute('aria-expanded', 'false');
  await expect(log.lines('build')).toHaveCount(0);
});

test('groups nest, show their title instead of the marker, and honour the collapsed hint', async ({ page, baseURL }) => {
  const jobId = await seed(baseURL!);
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  const deps = page.locator('[data-section^="build/"]').filter({ has: page.getByRole('button', { name: /Dependencies/ }) });
  await expect(deps).toHaveCount(1);
  await expect(deps.locator('button[aria-expanded]')).toHaveAttribute('aria-expanded', 'true');
  // The marker line is replaced by the header.
  await expect(log.line('build', 2)).toHaveCount(0);
  await expect(page.getByText('section_start')).toHaveCount(0);
  await expect(log.line('build', 5)).toContainText('nested line');
  const quiet = page.locator('[data-section^="build/"] button[aria-expanded]', { hasText: 'Quiet section' });
  await expect(quiet).toHaveAttribute('aria-expanded', 'false');
  await expect(log.line('build', 9)).toHaveCount(0);

  await deps.locator('button[aria-expanded]').click();
  await expect(log.line('build', 3)).toHaveCount(0);
  await expect(log.line('build', 5)).toHaveCount(0);
  await expect(log.line('build', 11)).toBeVisible();
  await quiet.click();
  await expect(log.line('build', 9)).toContainText('quiet body');
});

test('expand all, collapse all, and a toggle afterwards', async ({ page, baseURL }) => {
  const jobId = await seed(baseURL!);
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await log.button('Expand all').click();
  await expect(log.line('setup', 1)).toBeVisible();
  await expect(log.line('build', 9)).toBeVisible();
  for (const key of ['setup', 'build']) await expect(log.header(key)).toHaveAttribute('aria-expanded', 'true');

  await log.button('Collapse all').click();
  await expect(page.locator('[data-line]')).toHaveCount(0);
  for (const key of ['setup', 'build']) await expect(log.header(key)).toHaveAttribute('aria-expanded', 'false');

  await log.header('build').click();
  await expect(log.line('build', 1)).toBeVisible();
  await expect(log.lines('setup')).toHaveCount(0);
});

test('a step can be hidden and shown; internal steps can be shown', async ({ page, baseURL }) => {
  const jobId = await seed(baseURL!);
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.stepToggle('Build')).toBeChecked();
  await expect(log.stepToggle('Agent bootstrap')).not.toBeChecked();

  await log.stepToggle('Build').uncheck();
  await expect(log.section('build')).toHaveCount(0);
  await expect(log.lines('build')).toHaveCount(0);
  await log.stepToggle('Build').check();
  await expect(log.section('build')).toHaveCount(1);
  await expect(log.line('build', 1)).toBeVisible();

  await log.stepToggle('Agent bootstrap').check();
  await expect(log.section('agent')).toHaveCount(1);
  await log.header('agent').click();
  await expect(log.line('agent', 1)).toContainText('internals');
});

test('a long line is cut with a "show all" control that reveals the rest', async ({ page, baseURL }) => {
  const jobId = uniqueJobId('long');
  const p = await createJob(baseURL!, jobId, { steps: [{ id: 'run', name: 'Run' }] });
  const long = `${'a'.repeat(3000)}TAIL-MARKER`;
  await sendLines(p, 'run', 1, ['short', long]);
  await setStep(p, 'run', { status: 'failure' });
  await completeJob(p, 'failure');
  const log = new LogPage(page);
  await log.gotoJob(jobId);
  const line = log.line('run', 2);
  await expect(line).toBeVisible();
  await expect(line).not.toContainText('TAIL-MARKER');
  const showAll = line.getByRole('button', { name: /show all 3,011 chars/ });
  await showAll.click();
  await expect(line).toContainText('TAIL-MARKER');
  await expect(showAll).toHaveCount(0);
});
