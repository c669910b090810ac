import 'server-only';
import type { JobMeta, Line } from '@/lib/contracts';
import { readConfig } from '@/lib/config';
import { FIRST_SCREEN_BYTES, FIRST_SCREEN_VARIANTS, lineBytes } from '@/lib/limits';
import { getStore } from '@/lib/store/instance';
import { readLinesWithin } from '@/lib/store/read-range';
import type { LogStore } from '@/lib/store/types';
import { candidateVariants, firstSections, screenPlan, type FirstScreenData, type FirstScreenOptions, type FirstScreenPage, type PageNeed } from '@/lib/viewer/first-screen';

/**
 * Lines `from..upTo` of a step, all of them within `budget` bytes, or null (a range cut short
 * by the budget would leave out lines the screen shows).
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

/** The parts of `runs` whose lines `held` lacks. */
function missingRuns(runs: readonly { from: number; to: number }[], held: ReadonlyMap<number, Line> | undefined): { from: number; to: number }[] {
  if (!held) return [...runs];
  const out: { from: number; to: number }[] = [];
  for (const run of runs) {
    let start: number | null = null;
    for (let n = run.from; n <= run.to + 1; n++) {
      const missing = n <= run.to && !held.has(n);
      if (missing && start === null) start = n;
      else if (!missing && start !== null) {
        out.push({ from: start, to: n - 1 });
        start = null;
      }
    }
  }
  return out;
}

/**
 * Reads what the job page renders before any script runs: the job's metadata and, for the
 * screens of the likeliest links (lib/viewer/first-screen.ts), the lines they show (and only
 * those), per page, within FIRST_SCREEN_BYTES of lines. `job` is the job as the page's
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
    /** per page, the lines read so far by number */
    const pages = new Map<string, { step: string; page: number; lines: Map<number, Line> }>();
    let bytes = 0;
    /** Adds the lines `needs` asks that no earlier variant read, the reads in parallel; false if the budget ran out. */
    const want = async (needs: readonly PageNeed[]): Promise<boolean> => {
      const reads = needs.flatMap((need) => {
        const held = pages.get(`${need.step}\u0000${need.page}`)?.lines;
        return missingRuns(need.runs, held).map((run) => ({ need, ...run }));
      });
      const budget = Math.min(rangeBytes, FIRST_SCREEN_BYTES - bytes);
      const got = await Promise.all(reads.map(({ need, from, to }) => readRun(store, jobId, need.step, from, to, budget)));
      const total = got.reduce((sum, g) => sum + (g?.bytes ?? Infinity), 0);
      if (total > FIRST_SCREEN_BYTES - bytes) return false;
      reads.forEach(({ need }, i) => {
        const id = `${need.step}\u0000${need.page}`;
        let page = pages.get(id);
        if (!page) pages.set(id, (page = { step: need.step, page: need.page, lines: new Map() }));
        for (const line of got[i]!.lines) page.lines.set(line.n, line);
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
    const read: FirstScreenPage[] = [...pages.values()].map((p) => ({ step: p.step, page: p.page, lines: [...p.lines.values()].sort((a, b) => a.n - b.n) }));
    return { job, pages: read, variants, renderedAt };
  } catch (err) {
    console.error(`logscope: first screen of job ${jobId} not rendered: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
