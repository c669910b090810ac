/**
 * Benchmark (not a test): open a failed job whose failing step holds 1,000,000 lines, with no
 * hash, and time how long until its first error line (line 900,000) is on screen. Prints
 * figures, asserts nothing (timings belong in benchmarks).
 *
 *   npx tsx --conditions=react-server e2e/perf-first-error-1m.bench.ts [baseURL]
 *
 * The job: a passed `setup` step of 200 lines, then `test` with 1M lines of ordinary output
 * and, from line 900,000, a failing test summary; `test` failed, the job failed. Over RUNS
 * fresh page loads it prints the time from navigation start to line 900,000 visible in the
 * viewport, the range requests made and the bytes they carried.
 */
import { chromium } from '@playwright/test';
import { completeJob, createJob, setStep, uniqueJobId } from '../test/support';
import { sendTextLines } from './ui-fixtures';

const LINES = 1_000_000;
const FIRST_ERROR = 900_000;
const RUNS = 3;

function text(n: number): string {
  if (n === FIRST_ERROR) return '\u001b[31mFAIL\u001b[0m src/parser.test.ts > parses nested groups';
  if (n === FIRST_ERROR + 1) return '  AssertionError: expected 3 to equal 4';
  return `\u001b[2m${String(n).padStart(7, '0')}\u001b[0m test output line ${n} \u001b[32mok\u001b[0m`;
}

async function main() {
  const baseURL = process.argv[2] ?? process.env.LOGSCOPE_URL ?? 'http://127.0.0.1:3100';
  const jobId = uniqueJobId('bench-first-error');
  const seedStart = Date.now();
  const p = await createJob(baseURL, jobId, {
    title: 'A failed job with a 1M-line step',
    steps: [
      { id: 'setup', name: 'Set up' },
      { id: 'test', name: 'Test' },
    ],
  });
  await sendTextLines(p, 'setup', 200, (n) => `setting up ${n}`);
  await setStep(p, 'setup', { status: 'success' });
  await sendTextLines(p, 'test', LINES, text);
  await setStep(p, 'test', { status: 'failure' });
  await completeJob(p, 'failure');
  console.log(`seeded ${LINES.toLocaleString('en-US')} lines in ${((Date.now() - seedStart) / 1000).toFixed(1)} s (${jobId})`);

  const browser = await chromium.launch({
    executablePath: process.env.LOGSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    for (let run = 1; run <= RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const ranges: { from: number; bytes: number }[] = [];
      page.on('response', async (r) => {
        const url = new URL(r.url());
        if (!url.pathname.endsWith('/lines')) return;
        const body = await r.body().catch(() => Buffer.alloc(0));
        ranges.push({ from: Number(url.searchParams.get('from')), bytes: body.length });
      });
      // Record, inside the page, when the first error line is first inside the viewport.
      // A string, not a function: tsx compiles functions with its `__name` helper, which the page
      // does not have (the script threw, and the line was never seen).
      await page.addInitScript(`(() => {
        const check = () => {
          if (window.__seenAt !== undefined) return;
          const el = document.querySelector('[data-step="test"][data-line="${FIRST_ERROR}"]');
          if (!el) return;
          const r = el.getBoundingClientRect();
          if (r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight) window.__seenAt = performance.now();
        };
        new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
        document.addEventListener('scroll', check, { capture: true, passive: true });
      })()`);
      await page.goto(`${baseURL}/jobs/${jobId}`);
      let seenAt: number | undefined;
      const deadline = Date.now() + 30_000;
      while (seenAt === undefined && Date.now() < deadline) {
        await page.waitForTimeout(50);
        seenAt = await page.evaluate(() => (window as unknown as { __seenAt?: number }).__seenAt);
      }
      const bytes = ranges.reduce((sum, r) => sum + r.bytes, 0);
      console.log(
        seenAt === undefined
          ? `run ${run}: first error line ${FIRST_ERROR.toLocaleString('en-US')} not on screen within 30 s`
          : `run ${run}: first error line ${FIRST_ERROR.toLocaleString('en-US')} on screen after ${seenAt.toFixed(0)} ms; ` +
              `range requests: ${ranges.length} (${(bytes / 1024).toFixed(0)} KiB) from=${ranges.map((r) => r.from).join(',')}`,
      );
      await context.close();
    }
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
