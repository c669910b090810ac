import 'server-only';
import { plainText } from '../ansi/plain';
import type { JobMeta } from '../contracts';
import { stepPages } from '../export/pages';
import type { LogStore } from '../store/types';
import { safeHeaderText } from './header';

/**
 * The raw log of a job (or one step) as a pull-based byte stream: steps in order, each
 * announced by a header line in the whole-job download (the step name made safe to print:
 * header.ts); `text` gives each line's plainText. Lines come page by page (lib/export/pages.ts),
 * one page per pull: bounded memory for any log size.
 */
export function logDownloadStream(
  store: LogStore,
  job: JobMeta,
  options: { step?: string; format: 'ansi' | 'text' },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const steps = options.step ? job.steps.filter((s) => s.id === options.step) : job.steps;
  const bold = (s: string) => (options.format === 'ansi' ? `\x1b[1m${s}\x1b[0m` : s);
  const chunks = (async function* () {
    for (const step of steps) {
      if (!options.step) yield `${bold(`=== ${safeHeaderText(step.name)} (${step.status})`)}\n`;
      for await (const lines of stepPages(store, job.id, step.id)) {
        let out = '';
        for (const line of lines) out += `${options.format === 'text' ? plainText(line.text) : line.text}\n`;
        yield out;
      }
    }
  })();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await chunks.next();
      if (chunk.done) controller.close();
      else controller.enqueue(encoder.encode(chunk.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
