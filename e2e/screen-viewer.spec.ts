import { expect, test, type Route } from '@playwright/test';
import { completeJob, createJob, sendManyLines, uniqueJobId } from '../test/support';
import { LogPage } from './log-page';

/**
 * Issue 13 in the browser, the client half: the `update` event (docs/api.md "Events stream")
 * replaces lines in place. The job and its lines are real (file store); its events stream is
 * played by the test (route-mocked), so that what arrives, in which order and after which
 * reconnect is exact: updates of lines in the live tail, in a cached page only, in the search
 * filter, a replayed `lines` event with newer text after a reconnect, an update of a line nobody
 * holds. The same flow against the real server is e2e/screen-progress.spec.ts.
 */

const STEP = 'run';
const LINES = 300;
const long = (label: string) => `${label} ${'#'.repeat(400)}`;

interface Frame {
  id: string;
  event: 'lines' | 'update';
  lines: { n: number; text: string }[];
}

function body(frames: Frame[]): string {
  let out = 'retry: 200\n\n';
  for (const f of frames) {
    const data = { step: STEP, lines: f.lines.map((l) => ({ n: l.n, ts: Date.now(), stream: 'out', text: l.text })) };
    out += `id: ${f.id}\nevent: ${f.event}\ndata: ${JSON.stringify(data)}\n\n`;
  }
  return out;
}

function fulfil(route: Route, frames: Frame[]) {
  return route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' }, body: body(frames) });
}

test('update events replace lines in place: tail, cached page, search filter; a replay after a reconnect holds newer text', async ({ page, baseURL }) => {
  const jobId = uniqueJobId('screen-client');
  const p = await createJob(baseURL!, jobId, { title: 'Redraws', steps: [{ id: STEP, name: 'Run' }] });
  await sendManyLines(p, STEP, LINES, (n) => `line ${n}`);

  // The stream: nothing until the gate opens (the browser reconnects every 200 ms), then the
  // first burst, then, after the reconnect it causes, the replay.
  let phase: 'closed' | 'first' | 'wait' | 'replay' | 'idle' = 'closed';
  await page.route('**/api/v1/jobs/*/events*', async (route) => {
    const current = phase;
    if (current === 'closed' || current === 'wait' || current === 'idle') return fulfil(route, []);
    if (current === 'first') {
      phase = 'wait';
      return fulfil(route, [
        { id: 'm1', event: 'update', lines: [295, 296, 297, 298, 299, 300].map((n) => ({ n, text: `frame 1 line ${n}` })) },
        { id: 'm2', event: 'lines', lines: [301, 302].map((n) => ({ n, text: `line ${n}` })) },
        // new lines and their redraw in one frame; line 5 is only in a cached page; 9000 is held by nobody
        { id: 'm3', event: 'update', lines: [{ n: 5, text: 'redrawn 5' }, { n: 301, text: 'frame 1 line 301' }, { n: 9000, text: 'nobody holds me' }] },
      ]);
    }
    phase = 'idle';
    return fulfil(route, [
      // a replay reads current text: newer than the update the viewer saw
      { id: 'm4', event: 'lines', lines: [301, 302].map((n) => ({ n, text: `frame 2 line ${n}` })) },
      // following, these rows now wrap onto several rows each
      { id: 'm5', event: 'update', lines: [298, 299, 300].map((n) => ({ n, text: long(`frame 2 line ${n}`) })) },
    ]);
  });
  // Search pages after the first answer wait until the test ends: the mocked redraws are not on
  // the server, whose recount would put the old text back.
  let searches = 0;
  let releaseSearches: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (releaseSearches = resolve));
  await page.route('**/api/v1/jobs/*/search*', async (route) => {
    if (searches++ === 0) return route.continue();
    await held;
    await route.abort().catch(() => undefined);
  });

  const log = new LogPage(page);
  await log.gotoJob(jobId);
  await expect(log.line(STEP, LINES)).toBeInViewport();

  // The search filter holds lines 29 and 290..299 with their text.
  await log.searchBox.fill('line 29');
  await log.log.click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+F');
  const filter = page.getByTestId('search-filter');
  await expect(filter.locator('[data-match-line="296"]')).toContainText('line 296');

  phase = 'first';
  await expect(filter.locator('[data-match-line="296"]')).toContainText('frame 1 line 296');
  await expect(filter.locator('[data-match-line="29"]')).toHaveText(/line 29$/);

  // Back to the log, following again; then the reconnect's replay.
  await page.keyboard.press('Shift+F');
  await expect(filter).toHaveCount(0);
  await log.jumpToLive.click();
  await expect(log.line(STEP, 302)).toContainText('line 302');
  await expect(log.line(STEP, 301)).toContainText('frame 1 line 301');
  await expect(log.line(STEP, 300)).toHaveText(/frame 1 line 300$/);
  const rowHeight = await log.line(STEP, 300).evaluate((el) => el.getBoundingClientRect().height);
  phase = 'replay';
  // The tail and the page hold the newest text, no row was added.
  await expect(log.line(STEP, 302)).toContainText('frame 2 line 302');
  await expect(log.line(STEP, 301)).toContainText('frame 2 line 301');
  await expect(log.line(STEP, 300)).toContainText('frame 2 line 300 ####');
  await expect(log.line(STEP, 299)).toContainText('frame 2 line 299 ####');
  await expect(log.line(STEP, 297)).toHaveText(/frame 1 line 297$/);
  await expect(log.line(STEP, 295)).toContainText('frame 1 line 295');
  await expect(log.line(STEP, 303)).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Steps' }).getByRole('listitem')).toHaveText(/Run\s*302$/);
  // Following: the long redrawn rows wrap onto more rows, the end stays in view.
  expect(await log.line(STEP, 300).evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(rowHeight * 1.5);
  await expect.poll(() => log.atBottom()).toBe(true);
  await expect(log.jumpToLive).toHaveCount(0);
  await expect(log.line(STEP, 302)).toBeInViewport();

  // A line only in a cached page (the tail never held it) was patched there.
  await log.scroller.evaluate((el) => (el.scrollTop = 0));
  await expect(log.line(STEP, 5)).toHaveText(/redrawn 5$/);
  await expect(log.line(STEP, 6)).toHaveText(/line 6$/);
  await expect(page.getByText('nobody holds me')).toHaveCount(0);

  releaseSearches();
  await completeJob(p, 'success');
});
