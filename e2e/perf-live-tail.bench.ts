/**
 * Benchmark (not a test): a viewer in follow mode while a fast producer writes LINES lines.
 * Prints how far behind the viewer is when the producer stops, long tasks on the main
 * thread, and the JS heap. Asserts nothing.
 *
 *   npx tsx e2e/perf-live-tail.bench.ts [baseURL]      (default http://127.0.0.1:3100)
 */
import { chromium } from '@playwright/test';
import { completeJob, createJob, sendLines, uniqueJobId } from '../test/support';

const LINES = 200_000;
const BATCH = 2_000;

async function main() {
  const baseURL = process.argv[2] ?? process.env.LOGSCOPE_URL ?? 'http://127.0.0.1:3100';
  const jobId = uniqueJobId('bench-live');
  const p = await createJob(baseURL, jobId, { title: 'Fast producer', steps: [{ id: 'run', name: 'Run' }] });
  await sendLines(p, 'run', 1, ['start']);

  const browser = await chromium.launch({
    executablePath: process.env.LOGSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--enable-precise-memory-info'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.addInitScript(() => {
      const w = window as unknown as { __long: number[] };
      w.__long = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`${baseURL}/jobs/${jobId}`);
    await page.locator('[data-step="run"][data-line="1"]').waitFor();
    const started = Date.now();
    for (let first = 2; first <= LINES; first += BATCH) {
      const size = Math.min(BATCH, LINES - first + 1);
      await sendLines(p, 'run', first, Array.from({ length: size }, (_, i) => `\u001b[36m[${first + i}]\u001b[0m compiling module ${first + i} of ${LINES}`));
    }
    const produced = Date.now() - started;
    await page.locator(`[data-step="run"][data-line="${LINES}"]`).waitFor({ timeout: 120_000 });
    const caughtUp = Date.now() - started;
    const inView = await page.locator(`[data-step="run"][data-line="${LINES}"]`).isVisible();
    const stats = await page.evaluate(() => {
      const w = window as unknown as { __long: number[] };
      const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return { long: w.__long, heap: mem?.usedJSHeapSize ?? 0, nodes: document.getElementsByTagName('*').length };
    });
    const longTotal = stats.long.reduce((a, b) => a + b, 0);
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    const sec = (k: string) => `${(m[k] ?? 0).toFixed(2)} s`;
    console.log(`renderer busy: task ${sec('TaskDuration')}, script ${sec('ScriptDuration')}, layout ${sec('LayoutDuration')}, style ${sec('RecalcStyleDuration')}`);
    console.log(`producer wrote ${LINES.toLocaleString('en-US')} lines in ${produced} ms (${Math.round(LINES / (produced / 1000)).toLocaleString('en-US')} lines/s)`);
    console.log(`viewer showed the last line ${caughtUp - produced} ms after the producer finished (visible: ${inView})`);
    console.log(`long tasks: ${stats.long.length}, total ${longTotal.toFixed(0)} ms, max ${Math.max(0, ...stats.long).toFixed(0)} ms`);
    console.log(`JS heap used: ${(stats.heap / 1024 / 1024).toFixed(1)} MB, DOM elements: ${stats.nodes}`);
    await completeJob(p, 'success');
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
