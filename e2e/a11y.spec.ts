import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, sendLines, setStep, uniqueJobId, type Producer } from '../test/support';
import { LogPage } from './log-page';

/**
 * axe (WCAG 2.0 A/AA and 2.1 AA rules) on every kind of page: the job list, a job page live and
 * finished, the search page and the embed route. Zero violations, per theme.
 *
 * Themes: each entry sets the page up for one theme before it loads. The pages follow the
 * system's colour scheme by default (README "Display"); the embed route takes `?theme=`.
 */
interface Theme {
  name: 'dark' | 'light';
  prepare: (page: Page) => Promise<void>;
}
const THEMES: readonly Theme[] = [
  { name: 'dark', prepare: (page) => page.emulateMedia({ colorScheme: 'dark' }) },
  { name: 'light', prepare: (page) => page.emulateMedia({ colorScheme: 'light' }) },
];

/** The rule sets the issue asks for. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];

const MARK = `a11y-${Date.now().toString(36)}`;

/** A failed job with what the viewer draws: steps of each status, a group, stderr, colours, a link, a long line. */
async function seedFinished(baseURL: string): Promise<string> {
  const p = await createJob(baseURL, uniqueJobId('a11y-done'), {
    title: 'Accessible failure',
    labels: { branch: 'main' },
    steps: [
      { id: 'setup', name: 'Setup' },
      { id: 'build', name: 'Build' },
      { id: 'agent', name: 'Agent', internal: true },
    ],
  });
  await sendLines(p, 'setup', 1, ['setup one', 'setup two']);
  await setStep(p, 'setup', { status: 'success' });
  await sendLines(p, 'build', 1, [
    'compile start',
    '::group::Dependencies',
    'dep a https://example.com/dep',
    '::endgroup::',
    `\u001b[32mok\u001b[0m \u001b[33mwarn\u001b[0m \u001b[34mblue\u001b[0m \u001b[35mmagenta\u001b[0m \u001b[36mcyan\u001b[0m \u001b[90mgrey\u001b[0m ${MARK}`,
    'x'.repeat(30_000),
  ]);
  await sendLines(p, 'build', 7, ['\u001b[31merror: boom\u001b[0m', 'stderr says no'], 'err');
  await setStep(p, 'build', { status: 'failure' });
  await sendLines(p, 'agent', 1, ['agent']);
  await setStep(p, 'agent', { status: 'success' });
  await completeJob(p, 'failure');
  return p.jobId;
}

async function seedLive(baseURL: string): Promise<Producer> {
  const p = await createJob(baseURL, uniqueJobId('a11y-live'), { title: 'Accessible live job', steps: [{ id: 'one', name: 'One' }, { id: 'two', name: 'Two' }] });
  await sendLines(p, 'one', 1, ['first', 'second']);
  await setStep(p, 'one', { status: 'success' });
  await sendLines(p, 'two', 1, Array.from({ length: 50 }, (_, i) => `running ${i + 1}`));
  await setStep(p, 'two', { status: 'running' });
  return p;
}

/** Runs axe and fails with a readable list (rule, impact, nodes) when anything is found. */
async function expectNoViolations(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ') ?? ''}`).join('\n')}`,
  );
  expect(found, `axe on ${what}:\n${found.join('\n')}`).toEqual([]);
}

let finished = '';
let live: Producer | null = null;

test.beforeAll(async ({ baseURL }) => {
  finished = await seedFinished(baseURL!);
  live = await seedLive(baseURL!);
});

test.afterAll(async () => {
  if (live) await completeJob(live, 'success');
});

for (const theme of THEMES) {
  test.describe(`axe, ${theme.name} theme`, () => {
    test.beforeEach(async ({ page }) => {
      await theme.prepare(page);
    });

    test('job list', async ({ page }) => {
      await page.goto('/');
      await expect(page.locator(`tr[data-job="${finished}"]`)).toBeVisible();
      await expect(page.locator(`tr[data-job="${live!.jobId}"]`)).toBeVisible();
      await expectNoViolations(page, 'the job list');
    });

    test('job page, finished, with a selected line', async ({ page }) => {
      const log = new LogPage(page);
      await log.gotoJob(finished, '#build:5');
      await expect(log.streamState).toHaveText(/complete/i);
      await expect(log.line('build', 5)).toHaveAttribute('data-highlighted', '');
      await expect(log.scroller).toBeVisible();
      await log.header('setup').click();
      await expect(log.line('setup', 1)).toBeVisible();
      await expectNoViolations(page, 'a finished job');
    });

    test('job page, live', async ({ page }) => {
      const log = new LogPage(page);
      await log.gotoJob(live!.jobId);
      await expect(log.streamState).toHaveText(/live/i);
      await expect(log.scroller).toBeVisible();
      await expect(log.line('two', 50)).toBeVisible();
      await expectNoViolations(page, 'a live job');
    });

    test('step page', async ({ page }) => {
      const log = new LogPage(page);
      await log.gotoStep(finished, 'build');
      await expect(log.streamState).toHaveText(/complete/i);
      await expect(log.line('build', 1)).toBeVisible();
      await expectNoViolations(page, 'a step page');
    });

    test('search page with results', async ({ page }) => {
      await page.goto(`/search?q=${MARK}`);
      await expect(page.getByRole('link', { name: /Accessible failure/ }).first()).toBeVisible();
      await expectNoViolations(page, 'the search page');
    });

    test('in-log search with a match', async ({ page }) => {
      const log = new LogPage(page);
      await log.gotoJob(finished);
      await expect(log.streamState).toHaveText(/complete/i);
      await log.search(MARK);
      await expect(log.searchStatus).toHaveText(/1 of 1/);
      await expectNoViolations(page, 'a job page with a search');
    });

    test('embed route', async ({ page }) => {
      await page.goto(`/embed/jobs/${finished}?theme=${theme.name}`);
      await expect(page.getByTestId('stream-state')).toHaveText(/complete/i);
      await expect(page.locator('[data-virtuoso-scroller]')).toBeVisible();
      await expectNoViolations(page, 'the embed route');
    });
  });
}
