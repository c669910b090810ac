import 'server-only';
import type { JobMeta, Line } from '@/lib/contracts';
import { readConfig } from '@/lib/config';
import { FIRST_SCREEN_BYTES, FIRST_SCREEN_VARIANTS, lineBytes } from '@/lib/limits';
import { getStore } from '@/lib/store/instance';
import { readLinesWithin } from '@/lib/store/read-range';
import type { LogStore } from '@/lib/store/types';
import { candidateVariants, firstSections, screenPlan, type FirstScreenData, type FirstScreenOptions, type FirstScreenPage, type PageNeed } from '@/lib/viewer/first-screen';
import { pageFirstLine } from '@/lib/viewer/pages';

/**
 * Lines `from..upTo` of a step, all of them within `budget` bytes, or null (a range cut short
 * by the budget would leave a gap in the page it extends).
 */
async function readRun(store: LogStore, jobId: string, step: string, from: number, upTo: number, budget: number): Promise<{ lines: Line[]; bytes: number } | null> {
  if (budget <= 0) return null;
  const range = await readLinesWithin(store, jobId, step, from, upTo - from + 1, budget);
  // cut short by the budget, or a step with a gap: either would leave a hole in the page
  if (range.truncated || !range.lines.every((line, i) => line.n === from + i)) return null;
  let bytes = 0;
  for (const line of range.lines) bytes += lineBytes(line.text);
  // a single line is returned even past the budget
  return bytes <= budget ? { lines: range.lines, bytes } : null;
}

/**
 * Reads what the job page renders before any script runs: the job's metadata and, for the
 * screens of the likeliest links (lib/viewer/first-screen.ts), the lines they show, as the
 * start of each page, within FIRST_SCREEN_BYTES of lines. `job` is the job as the page's
 * reader may read it (app/_access/page-access.ts pageJob: only its readable steps), null when
 * there is none. Null when there is no such job or the store fails: the viewer then loads (and
 * reports) everything itself, as before.
 */
export async function loadFirstScreen(job: JobMeta | null, opts: FirstScreenOptions = {}): Promise<FirstScreenData | null> {
  if (!job) return null;
  const jobId = job.id;
  try {
    const store = await getStore();
    const renderedAt = Date.now();
    if (opts.onlyStep !== undefined && !job.steps.some((s) => s.id === opts.onlyStep)) return { job, pages: [], variants: [], renderedAt };
    const rangeBytes = readConfig().limits.rangeBytes;
    const sections = firstSections(job);
    const pages = new Map<string, FirstScreenPage>();
    let bytes = 0;
    /** Extends the pages to what `needs` asks, the reads in parallel; false if the budget ran out. */
    const want = async (needs: readonly PageNeed[]): Promise<boolean> => {
      const reads = needs.flatMap((need) => {
        const page = pages.get(`${need.step}\u0000${need.page}`);
        const from = pageFirstLine(need.page) + (page?.lines.length ?? 0);
        return from <= need.upTo ? [{ need, from }] : [];
      });
      const budget = Math.min(rangeBytes, FIRST_SCREEN_BYTES - bytes);
      const got = await Promise.all(reads.map(({ need, from }) => readRun(store, jobId, need.step, from, need.upTo, budget)));
      const total = got.reduce((sum, g) => sum + (g?.bytes ?? Infinity), 0);
      if (total > FIRST_SCREEN_BYTES - bytes) return false;
      reads.forEach(({ need }, i) => {
        const id = `${need.step}\u0000${need.page}`;
        const lines = got[i]!.lines;
        const page = pages.get(id);
        // a page is only ever the start of a page: lines from its first, none missing
        if (page) page.lines = [...page.lines, ...lines];
        else pages.set(id, { step: need.step, page: need.page, lines });
      });
      bytes += total;
      return true;
    };
    const variants: string[] = [];
    for (const variant of candidateVariants(job, opts)) {
      if (variants.length >= FIRST_SCREEN_VARIANTS || bytes >= FIRST_SCREEN_BYTES) break;
      const plan = screenPlan(job, variant, opts, sections);
      if (plan && (await want(plan.needs))) variants.push(variant);
    }
    return { job, pages: [...pages.values()], variants, renderedAt };
  } catch (err) {
    console.error(`logscope: first screen of job ${jobId} not rendered: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
