import 'server-only';
import { plainText } from '../ansi/plain';
import type { ExportQuery, ExportRecord } from '../contracts/export';
import type { JobMeta } from '../contracts';
import type { LogStore } from '../store/types';
import { GroupCursor } from './groups';
import { stepPages, type StepPagesOptions } from './pages';

/**
 * `GET /api/v1/jobs/{job}/export` (docs/api.md "Export"): the lines of a job, or one step, as
 * NDJSON records `{step, n, ts, stream, group, text}`, steps in order.
 *
 * The export is a snapshot: each step is read up to the line count its metadata had when the
 * export started (so every line's group is known from that same metadata); a running job's
 * later lines are in the next export. Text is the stored text, which had the job's masks
 * applied at ingest, exactly as downloads serve it; `ansi: strip` serves plainText instead.
 *
 * Memory: one range read (STREAM_PAGE_BYTES of text) is encoded per pull, and the stream asks
 * for the next only when its one queued chunk has been taken by the response, so a request
 * holds about two pages (JSON escaping can grow a control-heavy page up to 6×) whatever the
 * log's size, and a client that reads slowly slows the reads down.
 */
export function exportRecordPages(
  store: LogStore,
  job: JobMeta,
  query: ExportQuery,
  pages: StepPagesOptions = {},
): AsyncGenerator<ExportRecord[]> {
  const steps = query.step === undefined ? job.steps : job.steps.filter((s) => s.id === query.step);
  const text = query.ansi === 'strip' ? plainText : (t: string) => t;
  return (async function* () {
    for (const step of steps) {
      if (step.lines === 0) continue;
      const groups = new GroupCursor(step.groups, text);
      for await (const lines of stepPages(store, job.id, step.id, { ...pages, to: step.lines })) {
        yield lines.map((line) => ({ step: step.id, n: line.n, ts: line.ts, stream: line.stream, group: groups.at(line.n), text: text(line.text) }));
      }
    }
  })();
}

/** The export as a pull-based byte stream: one chunk per page, read when the consumer wants it. */
export function ndjsonExportStream(store: LogStore, job: JobMeta, query: ExportQuery, pages: StepPagesOptions = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const records = exportRecordPages(store, job, query, pages);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const page = await records.next();
        if (page.done) {
          controller.close();
          return;
        }
        let out = '';
        for (const record of page.value) out += `${JSON.stringify(record)}\n`;
        controller.enqueue(encoder.encode(out));
      },
      async cancel() {
        await records.return(undefined);
      },
    },
    // one chunk queued ahead of the response at most: the bound on bytes in flight per request
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );
}

/** `Content-Disposition` filename of an export: ids only (their pattern has no quote or separator). */
export function exportFilename(jobId: string, stepId: string | undefined): string {
  return `${stepId === undefined ? jobId : `${jobId}-${stepId}`}.ndjson`;
}
