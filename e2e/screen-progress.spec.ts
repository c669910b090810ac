import { expect, test, type Page } from '@playwright/test';
import { completeJob, createJob, getJob, readAllLines, sendManyLines, setStep, uniqueJobId, type Producer } from '../test/support';
import { LogPage } from './log-page';

/**
 * Issue 13 end to end (real server, file store, real Chromium): a producer draws a 20-row
 * progress display (cursor up 20, each row erased and rewritten) ten times a second for ten
 * seconds, under 300 lines of output. The page that watches it live shows exactly those 20 rows
 * changing in place, following at the end; the stored step ends with the last frame; a page
 * that opens mid-way and reloads ends with the same text, and a reader scrolled up is not moved.
 */

const ESC = '\x1b';
const STEP = 'pull';
const PREAMBLE = 300;
const ROWS = 20;
const FRAMES = 100;
const FRAME_MS = 100;
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
/**
 * Row `i` (1-based) of frame `f`: a bar that grows from 18 to 117 columns, so that late frames
 * wrap in the viewer (see the viewport below), and under the terminal's 160 columns, past which
 * a row counts as the terminal rows it wraps onto (lib/ansi/screen.ts).
 */
const row = (f: number, i: number) => `task ${i}: ${f}/${FRAMES - 1} [${'='.repeat(f)}>]`;
const TASK = /^task (\d+): (\d+)\//;

// about 75 columns of log beside the steps panel: the longer rows wrap onto two
test.use({ viewport: { width: 900, height: 700 } });

function frameLines(f: number): string[] {
  return Array.from({ length: ROWS }, (_, k) => `${f > 0 && k === 0 ? `${ESC}[${ROWS}A` : ''}${ESC}[2K${ESC}[32m${row(f, k + 1)}${ESC}[0m`);
}

async function postFrame(p: Producer, f: number) {
  const first = PREAMBLE + f * ROWS + 1;
  const body = frameLines(f)
    .map((text, k) => JSON.stringify({ n: first + k, text }))
    .join('\n');
  const response = await fetch(`${p.baseURL}/api/v1/jobs/${p.jobId}/steps/${STEP}/lines`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${p.token}` },
    body,
  });
  if (!response.ok) throw new Error(`frame ${f} → ${response.status}: ${await response.text()}`);
}

/** What a page shows of the step now: its rendered lines (number, plain text), and whether it still follows. */
async function sample(page: Page) {
  return page.evaluate((step) => {
    const rows = [...document.querySelectorAll<HTMLElement>(`[data-step="${step}"][data-line]`)].map((el) => ({
      n: Number(el.dataset.line),
      text: el.querySelector('.ls-text')?.textContent ?? '',
    }));
    return { rows, jumpToLive: document.querySelector('[data-testid="jump-to-live"]') !== null };
  }, STEP);
}

async function shownRows(page: Page): Promise<string[]> {
  const { rows } = await sample(page);
  return rows.filter((r) => r.n > PREAMBLE).sort((a, b) => a.n - b.n).map((r) => r.text);
}

test('a 20-row progress display redraws in place, live and after a reload, and is stored as its last frame', async ({ page, context, baseURL }) => {
  test.setTimeout(120_000);
  const jobId = uniqueJobId('screen-progress');
  const p = await createJob(baseURL!, jobId, { title: 'Progress', steps: [{ id: STEP, name: 'Pull' }] });
  await setStep(p, STEP, { status: 'running' });
  await sendManyLines(p, STEP, PREAMBLE, (n) => `prep ${n}`);

  const live = new LogPage(page);
  await live.gotoJob(jobId);
  await expect(live.line(STEP, PREAMBLE)).toBeInViewport();
  await expect(live.streamState).toHaveText(/live/i);

  // The producer, and beside it the live page sampled as it goes.
  let frame = -1;
  const producing = (async () => {
    for (let f = 0; f < FRAMES; f++) {
      const started = Date.now();
      await postFrame(p, f);
      frame = f;
      await new Promise((r) => setTimeout(r, Math.max(0, FRAME_MS - (Date.now() - started))));
    }
  })();
  const seenFrames = new Set<number>();
  const problems: string[] = [];
  let samples = 0;
  const watching = (async () => {
    while (frame < FRAMES - 1) {
      const s = await sample(page);
      const tasks = s.rows.filter((r) => TASK.test(r.text));
      if (tasks.length > 0) {
        samples++;
        // (while the first frame is still arriving, its rows are new rows: fewer is fine)
        const drawn = s.rows.some((r) => r.n === PREAMBLE + ROWS);
        if (tasks.length > ROWS || (drawn && tasks.length !== ROWS)) problems.push(`${tasks.length} progress rows shown`);
        const beyond = s.rows.filter((r) => r.n > PREAMBLE + ROWS);
        if (beyond.length > 0) problems.push(`rows past the display: ${beyond.map((r) => r.n).join(',')}`);
        const frames = tasks.map((r) => Number(TASK.exec(r.text)![2]));
        for (const f of frames) seenFrames.add(f);
        // no row left behind: the writer may store a frame in more than one append (its body's
        // last line comes in its own), so a page can show a frame while its last rows are on the
        // one before, never older
        if (Math.max(...frames) - Math.min(...frames) > 1) problems.push(`frames mixed: ${frames.join(',')}`);
        tasks.forEach((r) => {
          if (Number(TASK.exec(r.text)![1]) !== r.n - PREAMBLE) problems.push(`row ${r.n} shows ${r.text.slice(0, 12)}`);
        });
      }
      if (s.jumpToLive) problems.push('stopped following');
      await new Promise((r) => setTimeout(r, 150));
    }
  })();

  // A second page opens mid-way, reloads later, and its reader scrolls up to the top.
  await expect.poll(() => frame, { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
  const late = await context.newPage();
  const lateLog = new LogPage(late);
  await lateLog.gotoJob(jobId);
  await expect(lateLog.line(STEP, PREAMBLE + ROWS)).toContainText(/task 20: \d+\//);
  await expect.poll(() => frame, { timeout: 30_000 }).toBeGreaterThanOrEqual(60);
  await late.reload();
  await expect(lateLog.line(STEP, PREAMBLE + ROWS)).toContainText(/task 20: \d+\//);
  // the reader scrolls up (the wheel stops following), to the top
  await lateLog.scrollUp(2000);
  await expect(async () => {
    await lateLog.scroller.evaluate((el) => (el.scrollTop = 0));
    await expect(lateLog.line(STEP, 1)).toBeInViewport({ timeout: 1000 });
  }).toPass();
  await expect(lateLog.jumpToLive).toBeVisible();
  const topBefore = await lateLog.line(STEP, 1).evaluate((el) => el.getBoundingClientRect().top);

  await producing;
  await watching;
  console.log(`screen-progress: ${samples} samples of the live page, ${seenFrames.size} of ${FRAMES} frames seen in the DOM`);
  expect(problems, problems.slice(0, 5).join('; ')).toEqual([]);
  expect(samples).toBeGreaterThan(20);
  // the text changed in place many times over (10 s at 10 redraws/s, sampled every ~150 ms)
  expect(seenFrames.size).toBeGreaterThan(10);

  // Stored: the preamble and the display's last frame; 320 rows for 2,300 producer lines.
  const final = Array.from({ length: ROWS }, (_, k) => row(FRAMES - 1, k + 1));
  const stored = await readAllLines(baseURL!, jobId, STEP);
  expect(stored).toHaveLength(PREAMBLE + ROWS);
  expect(stored.slice(PREAMBLE).map((l) => plain(l.text))).toEqual(final);
  expect((await getJob(baseURL!, jobId)).steps[0]).toMatchObject({ lines: PREAMBLE + ROWS, produced: PREAMBLE + FRAMES * ROWS });

  // The live page shows the last frame at its end, still following.
  await expect.poll(() => shownRows(page)).toEqual(final);
  await expect.poll(() => live.atBottom()).toBe(true);
  await expect(live.line(STEP, PREAMBLE + ROWS + 1)).toHaveCount(0);
  // (the last frame's rows wrap: following kept the end through rows growing in place)
  const wrapped = await live.line(STEP, PREAMBLE + 1).evaluate((el) => el.querySelector('.ls-text')!.getClientRects().length);
  expect(wrapped).toBeGreaterThan(1);

  // The reloaded page: its reader was not moved by the redraws below, and it ends the same.
  expect(Math.abs((await lateLog.line(STEP, 1).evaluate((el) => el.getBoundingClientRect().top)) - topBefore)).toBeLessThan(2);
  await lateLog.jumpToLive.click();
  await expect.poll(() => shownRows(late)).toEqual(final);

  await setStep(p, STEP, { status: 'success' });
  await completeJob(p, 'success');
});
