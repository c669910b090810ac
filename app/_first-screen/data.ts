import 'server-only';
import type { Line } from '@/lib/contracts';
import { readConfig } from '@/lib/config';
import { FIRST_SCREEN_BYTES, FIRST_SCREEN_VARIANTS, lineBytes } from '@/lib/limits';
import { getStore } from '@/lib/store/instance';
import { readLinesWithin } from '@/lib/store/read-range';
import type { LogStore } from '@/lib/store/types';
import { PAGE_SIZE } from '@/lib/viewer/constants';
import { pageFirstLine, type PageRef } from '@/lib/viewer/pages';
import {
  candidateVariants,
  firstSections,
  hydrationPages,
  screenPlan,
  type FirstScreenData,
  type FirstScreenOptions,
  type FirstScreenPage,
} from '@/lib/viewer/first-screen';

/**
 * One whole page, as the client reads it (lib/client/api.ts fetchLinePage), or null when it
 * does not fit in `budget` bytes: a partial page would only be fetched again.
 */
async function readPage(store: LogStore, jobId: string, ref: PageRef, budget: number): Promise<{ lines: Line[]; bytes: number } | null> {
  const first = pageFirstLine(ref.page);
  const range = await readLinesWithin(store, jobId, ref.step, first, PAGE_SIZE, budget);
  if (range.truncated) return null;
  let bytes = 0;
  for (const line of range.lines) bytes += lineBytes(line.text);
  // a single line is returned even past the budget
  return bytes <= budget ? { lines: range.lines, bytes } : null;
}

/**
 * Reads what the job page renders before any script runs: the job's metadata, the pages the
 * viewer fetches as it hydrates, and the screens of the likeliest links (lib/viewer/first-screen.ts),
 * within FIRST_SCREEN_BYTES of lines. Null when there is no such job or the store fails: the
 * viewer then loads (and reports) everything itself, as before.
 */
export async function loadFirstScreen(jobId: string, opts: FirstScreenOptions = {}): Promise<FirstScreenData | null> {
  try {
    const store = await getStore();
    const renderedAt = Date.now();
    const job = await store.getJob(jobId);
    if (!job) return null;
    if (opts.onlyStep !== undefined && !job.steps.some((s) => s.id === opts.onlyStep)) return { job, pages: [], variants: [], renderedAt };
    const rangeBytes = readConfig().limits.rangeBytes;
    const sections = firstSections(job);
    const pages = new Map<string, FirstScreenPage>();
    let bytes = 0;
    /** Reads the pages not read yet while the budget lasts; false if one did not fit. */
    const want = async (refs: readonly PageRef[]): Promise<boolean> => {
      for (const ref of refs) {
        const id = `${ref.step}\u0000${ref.page}`;
        if (pages.has(id)) continue;
        if (bytes >= FIRST_SCREEN_BYTES) return false;
        const page = await readPage(store, jobId, ref, Math.min(rangeBytes, FIRST_SCREEN_BYTES - bytes));
        if (!page) return false;
        bytes += page.bytes;
        pages.set(id, { ...ref, lines: page.lines });
      }
      return true;
    };
    await want(hydrationPages(job, opts, sections));
    const variants: string[] = [];
    for (const variant of candidateVariants(job, opts)) {
      if (variants.length >= FIRST_SCREEN_VARIANTS || bytes >= FIRST_SCREEN_BYTES) break;
      const plan = screenPlan(job, variant, opts, sections);
      if (plan && (await want(plan.pages))) variants.push(variant);
    }
    return { job, pages: [...pages.values()], variants, renderedAt };
  } catch (err) {
    console.error(`logscope: first screen of job ${jobId} not rendered: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
