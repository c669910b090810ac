import 'server-only';
import { plainText } from '../ansi/plain';
import type { JobMeta } from '../contracts';
import type { LogStore } from '../store/types';
import { safeHeaderText } from './header';

/** Lines read per store call while streaming a download: bounded memory for any log size. */
const PAGE = 2000;

/**
 * The raw log of a job (or one step) as a pull-based byte stream: steps in order, each
 * announced by a header line in the whole-job download (the step name made safe to print:
 * header.ts); `text` gives each line's plainText.
 */
export function logDownloadStream(
  store: LogStore,
  job: JobMeta,
  options: { step?: string; format: 'ansi' | 'text' },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const steps = options.step ? job.steps.filter((s) => s.id === options.step) : job.steps;
  let stepIndex = 0;
  let next = 1;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = steps[stepIndex];
      if (!step) {
        controller.close();
        return;
      }
      let out = '';
      if (!options.step && !headerSent) {
        out += `${options.format === 'ansi' ? '\x1b[1m' : ''}=== ${safeHeaderText(step.name)} (${step.status})${options.format === 'ansi' ? '\x1b[0m' : ''}\n`;
        headerSent = true;
      }
      const { lines } = await store.readLines(job.id, step.id, next, PAGE);
      for (const line of lines) out += `${options.format === 'text' ? plainText(line.text) : line.text}\n`;
      next += lines.length;
      if (lines.length < PAGE) {
        stepIndex++;
        next = 1;
        headerSent = false;
      }
      if (out) controller.enqueue(encoder.encode(out));
    },
  });
}
