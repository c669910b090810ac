/**
 * `npm run bench -- copy`: copying a 100,000-line step in Chromium (issue 11 "Copy and raw").
 * Starts the built server with a fresh file store (BENCH_PORT, default 3195), writes a finished
 * job with one 100,000-line CI-like step (colours on most lines), opens it in Chromium with
 * clipboard permissions, and times "Copy step" and "Copy step with colours" from the menu
 * click to the clipboard holding the text (the status says Copied once `clipboard.write` has
 * resolved), RUNS times each. Prints the median and range, the bytes copied (as the status
 * reports and as the clipboard holds them), the range requests made and the page's JS heap
 * after a GC. Prints figures; asserts only that the clipboard got every line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { completeJob, createJob, runBench, setStep, startLogscope, uniqueJobId, type LogscopeServer } from '../test/support';
import { sendTextLines } from '../e2e/ui-fixtures';

const PORT = Number(process.env.BENCH_PORT ?? 3195);
const LINES = 100_000;
const RUNS = 3;
const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-copy-'));
let server: LogscopeServer | undefined;

/** A CI-like line: a dim timestamp, a coloured level, some text (~75 bytes, ~95 with escapes). */
function ciLine(n: number): string {
  const level = n % 17 === 0 ? '\u001b[33mWARN\u001b[0m' : '\u001b[32mINFO\u001b[0m';
  return `\u001b[2m12:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}\u001b[0m ${level} compiling module ${n} of ${LINES} (src/pkg/file-${n % 997}.ts)`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  server = await startLogscope(PORT, `file:${dir}`);
  const p = await createJob(server.url, uniqueJobId('bench-copy'), { title: 'Copy bench', steps: [{ id: 'build', name: 'Build' }] });
  await sendTextLines(p, 'build', LINES, ciLine);
  await setStep(p, 'build', { status: 'success' });
  await completeJob(p, 'success');

  const browser = await chromium.launch({
    executablePath: process.env.LOGSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  });
  try {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    let ranges = 0;
    page.on('request', (r) => {
      if (r.url().includes('/steps/build/lines?')) ranges++;
    });
    await page.goto(`${server.url}/jobs/${p.jobId}`);
    await page.getByTestId('stream-state').and(page.locator('[data-stream-state="complete"]')).waitFor();
    const status = page.getByTestId('copy-status');

    for (const [label, item] of [
      ['text (ANSI stripped)', 'Copy step'],
      ['with colours (raw ANSI)', 'Copy step with colours'],
    ] as const) {
      const times: number[] = [];
      let bytes = 0;
      let requests = 0;
      for (let run = 0; run < RUNS; run++) {
        await page.evaluate(() => navigator.clipboard.writeText(''));
        await page.getByRole('button', { name: 'Step actions: Build' }).click();
        const before = ranges;
        const t0 = Date.now();
        await page.getByRole('menuitem', { name: item, exact: true }).click();
        await page.locator('[data-testid="copy-status"][data-copy-state="copied"]').waitFor({ timeout: 120_000 });
        times.push(Date.now() - t0);
        requests = ranges - before;
        const got = await page.evaluate(async () => {
          const text = await navigator.clipboard.readText();
          return { bytes: new TextEncoder().encode(text).length, lines: text.split('\n').length - 1 };
        });
        if (got.lines !== LINES) throw new Error(`clipboard has ${got.lines} lines, expected ${LINES}`);
        bytes = got.bytes;
        console.log(`  run ${run + 1}: ${times[run]} ms — ${(await status.innerText()).replace(/\s+/g, ' ').replace('×', '').trim()}`);
      }
      console.log(
        `copy of a ${LINES.toLocaleString('en-US')}-line step, ${label}: median ${median(times)} ms (${Math.min(...times)}–${Math.max(...times)}), ` +
          `${(bytes / 1e6).toFixed(2)} MB (${bytes.toLocaleString('en-US')} bytes), ${requests} range requests`,
      );
    }
    // after a full GC: what the page keeps once a copy is done (the copied text is not held)
    const heap = await page.evaluate(() => {
      (globalThis as { gc?: () => void }).gc?.();
      return (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
    });
    console.log(`page JS heap after the copies and a GC: ${(heap / 1024 / 1024).toFixed(1)} MB`);
  } finally {
    await browser.close();
  }
}

runBench(main, async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});
