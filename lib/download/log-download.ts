import 'server-only';
import { plainText } from '../ansi/plain';
import type { JobMeta, LogFormat } from '../contracts';
import { stepPages } from '../export/pages';
import type { LogStore } from '../store/types';
import { safeHeaderText } from './header';
import { maskedRawChunks } from './raw-masked';

/**
 * The log of a job (or one step) as a pull-based byte stream: steps in order, each announced by
 * a header line in the whole-job download (the step name made safe to print: header.ts).
 * `ansi` gives each stored line's final text (after the terminal screen's redraws), `text` its
 * plainText; lines come page by page (lib/export/pages.ts), one page per pull: bounded memory for
 * any log size. `raw` gives the producer's lines as sent (LogStore.readRaw, redraws included),
 * masked (raw-masked.ts), chunk by chunk; a step stored before raw text was kept (none stored
 * but lines) gives its stored text instead.
 */
export function logDownloadStream(
  store: LogStore,
  job: JobMeta,
  options: { step?: string; format: LogFormat; masks?: readonly string[] },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const steps = options.step ? job.steps.filter((s) => s.id === options.step) : job.steps;
  const bold = (s: string) => (options.format === 'text' ? s : `\x1b[1m${s}\x1b[0m`);
  const cancelled = new AbortController();
  const stored = async function* (stepId: string) {
    for await (const lines of stepPages(store, job.id, stepId)) {
      let out = '';
      for (const line of lines) out += `${options.format === 'text' ? plainText(line.text) : line.text}\n`;
      yield out;
    }
  };
  const chunks = (async function* () {
    for (const step of steps) {
      if (!options.step) yield `${bold(`=== ${safeHeaderText(step.name)} (${step.status})`)}\n`;
      if (options.format !== 'raw') {
        yield* stored(step.id);
        continue;
      }
      let any = false;
      for await (const chunk of maskedRawChunks(store.readRaw(job.id, step.id, cancelled.signal), options.masks ?? [])) {
        any = true;
        yield chunk;
      }
      if (!any && step.lines > 0) yield* stored(step.id);
    }
  })();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await chunks.next();
      if (chunk.done) controller.close();
      else controller.enqueue(encoder.encode(chunk.value));
    },
    async cancel() {
      cancelled.abort();
      await chunks.return(undefined);
    },
  });
}
