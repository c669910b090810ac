/**
 * Benchmark (not a test): open a 1,000,000-line step at line 900,000 in real Chromium and
 * print what it cost. Prints figures, asserts nothing (timings belong in benchmarks).
 *
 *   npx tsx e2e/perf-open-1m.bench.ts [baseURL]      (default http://127.0.0.1:3100)
 *
 * Needs a running Logscope server (e.g. the one `npx playwright test` starts, or
 * `LOGSCOPE_STORE=file:/tmp/x npx next start -p 3101`). Seeds the job once per run through
 * the HTTP API, then measures, over RUNS fresh page loads:
 * - time from navigation start to line 900,000 visible and highlighted;
 * - range requests made (count, line span) — the viewer must not download the step;
 * - JS heap used (CDP Performance.getMetrics), the renderer process's resident memory
 *   (SystemInfo.getProcessInfo + /proc) and the DOM node count.
 */
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type CDPSession } from '@playwright/test';
import { completeJob, createJob, setStep, uniqueJobId } from '../test/support';
import { sendTextLines } from './ui-fixtures';

const LINES = 1_000_000;
const TARGET = 900_000;
const RUNS = 3;

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/**
 * Memory of the page's renderer process (Linux /proc: RSS and PSS). Chromium also keeps spare
 * and utility renderers, so the biggest renderer is taken as the page's.
 */
async function rendererMemory(browser: Browser): Promise<{ rss: number; pss: number }> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { id: number; type: string }[] };
    let best = { rss: 0, pss: 0 };
    for (const proc of processInfo.filter((p) => p.type === 'renderer')) {
      try {
        const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.id}/status`, 'utf8'))?.[1] ?? 0) * 1024;
        const pss = Number(/Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.id}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
        if (rss > best.rss) best = { rss, pss };
      } catch {
        // the process ended, or this is not Linux
      }
    }
    return best;
  } finally {
    await cdp.detach();
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const baseURL = process.argv[2] ?? process.env.LOGSCOPE_URL ?? 'http://127.0.0.1:3100';
  const jobId = uniqueJobId('bench-1m');
  const seedStart = Date.now();
  const p = await createJob(baseURL, jobId, { title: 'One million lines', steps: [{ id: 'huge', name: 'Huge' }] });
  await sendTextLines(p, 'huge', LINES, (n) => `\u001b[2m${String(n).padStart(7, '0')}\u001b[0m step output line ${n} \u001b[32mok\u001b[0m`);
  await setStep(p, 'huge', { status: 'success' });
  await completeJob(p, 'success');
  console.log(`seeded ${LINES.toLocaleString('en-US')} lines in ${((Date.now() - seedStart) / 1000).toFixed(1)} s (${jobId})`);

  const browser = await chromium.launch({
    executablePath: process.env.LOGSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--enable-precise-memory-info'],
  });
  try {
    for (let run = 1; run <= RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const ranges: { from: number; limit: number; bytes: number }[] = [];
      page.on('response', async (r) => {
        const url = new URL(r.url());
        if (!url.pathname.endsWith('/lines')) return;
        const body = await r.body().catch(() => Buffer.alloc(0));
        ranges.push({ from: Number(url.searchParams.get('from')), limit: Number(url.searchParams.get('limit')), bytes: body.length });
      });
      // Record, inside the page, when the target line first shows up highlighted.
      await page.addInitScript((target: number) => {
        const w = window as unknown as { __seenAt?: number };
        const check = () => {
          if (w.__seenAt === undefined && document.querySelector(`[data-line="${target}"][data-highlighted]`)) w.__seenAt = performance.now();
        };
        new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
      }, TARGET);
      await page.goto(`${baseURL}/jobs/${jobId}#huge:${TARGET}`);
      const line = page.locator(`[data-step="huge"][data-line="${TARGET}"][data-highlighted]`);
      await line.waitFor({ state: 'visible', timeout: 60_000 });
      const seenAt = await page.evaluate(() => (window as unknown as { __seenAt?: number }).__seenAt ?? performance.now());
      const inView = await line.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      });
      await page.waitForTimeout(1000);
      const m = await metrics(cdp);
      const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
      const renderer = await rendererMemory(browser);
      const lineSpan = ranges.reduce((sum, r) => sum + r.limit, 0);
      const bytes = ranges.reduce((sum, r) => sum + r.bytes, 0);
      console.log(
        [
          `run ${run}: line ${TARGET.toLocaleString('en-US')} visible+highlighted after ${seenAt.toFixed(0)} ms (in viewport: ${inView})`,
          `  range requests: ${ranges.length} (${lineSpan} lines, ${(bytes / 1024).toFixed(0)} KiB) from=${ranges.map((r) => r.from).join(',')}`,
          `  JS heap used: ${mb(m.JSHeapUsedSize ?? 0)} (CDP) / ${mb(heap)} (performance.memory), total ${mb(m.JSHeapTotalSize ?? 0)}`,
          `  page renderer process: RSS ${mb(renderer.rss)}, PSS ${mb(renderer.pss)}`,
          `  DOM nodes: ${m.Nodes ?? 0}, layout count: ${m.LayoutCount ?? 0}, script ${(m.ScriptDuration ?? 0).toFixed(2)} s, layout ${(m.LayoutDuration ?? 0).toFixed(2)} s`,
        ].join('\n'),
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
