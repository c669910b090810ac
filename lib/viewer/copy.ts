import { plainText } from '@/lib/ansi/plain';
import { MAX_RANGE_LIMIT, type Line, type LineRange as RangeReply } from '@/lib/contracts';
import type { JobLink } from './hash';
import type { GroupNode, StepSection } from './sections';

/*
 * Copying a step, a group or a selected range of lines (components/log-viewer/use-copy.ts is
 * the hook over it). The rows on screen hold a few hundred lines at most, so a copy never reads
 * them: it reads its lines from the server through the range API, page by page, and builds the
 * text without line numbers — what the step's download gives for those lines (`format=text`
 * strips escape codes through the one plain-text rule, `ansi` keeps the stored codes).
 *
 * Bounds: one request asks for at most COPY_PAGE_LINES lines (the API's own cap, and its byte
 * budget may cut a reply shorter: the rest is asked from `next`); COPY_PAGES_IN_FLIGHT pages are
 * read at a time, and a page stops reading once it alone holds more than the cap; the text kept
 * is at most MAX_COPY_BYTES, past which the copy stops with CopyTooLargeError (the user is
 * offered the download instead). An AbortSignal cancels it, pages read ahead included.
 */

/**
 * Most UTF-8 bytes one copy puts on the clipboard. A clipboard holding more is unusable where
 * it is pasted (editors and chat boxes choke well before this), the browser holds the text
 * twice while writing it (the parts and the Blob), and a whole 100,000-line step of typical CI
 * output (~80 bytes a line, 8 MB) still fits. Bigger: the download.
 */
export const MAX_COPY_BYTES = 16 * 1024 * 1024;

/** Lines asked for per range request: the API's cap (docs/api.md "Reading"). */
export const COPY_PAGE_LINES = MAX_RANGE_LIMIT;

/** `text`: what each line shows, no escape codes; `ansi`: the stored text, colours as escape codes. */
export type CopyFormat = 'text' | 'ansi';

/** Lines `from..to` (inclusive) of one step. */
export interface CopyTarget {
  step: string;
  from: number;
  to: number;
  /** what the status line calls it: `step Build`, `group Tests`, `lines 3–9` */
  label: string;
}

export function stepCopyTarget(section: Pick<StepSection, 'lines' | 'step'>): CopyTarget | null {
  if (section.lines < 1) return null;
  return { step: section.step.id, from: 1, to: section.lines, label: `step ${section.step.name || section.step.id}` };
}

/** A group from its opening marker line (its header) to its last line, as the export counts it. */
export function groupCopyTarget(stepId: string, group: Pick<GroupNode, 'start' | 'end'>, title: string): CopyTarget {
  return { step: stepId, from: group.start, to: Math.max(group.start, group.end), label: `group ${title}` };
}

/** The selected lines, cut to the lines the step has; null without a line selection or past the end. */
export function selectionCopyTarget(selection: JobLink | null, sections: readonly Pick<StepSection, 'lines' | 'step'>[]): CopyTarget | null {
  if (!selection?.lines) return null;
  const section = sections.find((s) => s.step.id === selection.step);
  if (!section) return null;
  const from = selection.lines.from;
  const to = Math.min(selection.lines.to, section.lines);
  if (from > to) return null;
  return { step: selection.step, from, to, label: from === to ? `line ${from}` : `lines ${from}–${to}` };
}

export function targetLines(target: CopyTarget): number {
  return target.to - target.from + 1;
}

/** One copied line: no line number, LF-terminated, as the download writes it. */
export function copyLineText(line: Pick<Line, 'text'>, format: CopyFormat): string {
  return `${format === 'text' ? plainText(line.text) : line.text}\n`;
}

/** UTF-8 length of a string without encoding it (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** `12.3 MB`, `512 KB`, `80 B` (decimal units, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(bytes < 10_000 ? 1 : 0)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** The cap as users read it: MAX_COPY_BYTES is 16 MiB. */
export function formatCap(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : formatBytes(bytes);
}

/** One range request: `limit` lines of `step` from `from` (GET …/lines). */
export type FetchRange = (step: string, from: number, limit: number, signal: AbortSignal) => Promise<RangeReply>;

export interface CopyProgress {
  /** lines read so far, of `total` */
  done: number;
  total: number;
  bytes: number;
}

/** The copy would put more than `maxBytes` on the clipboard. */
export class CopyTooLargeError extends Error {
  constructor(
    readonly maxBytes: number,
    /** lines read when the cap was reached */
    readonly linesRead: number,
  ) {
    super(`more than ${formatCap(maxBytes)}`);
    this.name = 'CopyTooLargeError';
  }
}

export interface CopiedText {
  /** the text in pieces (one per page), to be joined by a Blob rather than into one string */
  parts: string[];
  lines: number;
  bytes: number;
}

/** Pages read ahead of the one being turned into text: the next request is on its way while this one is read. */
export const COPY_PAGES_IN_FLIGHT = 2;

/**
 * The lines `start..end` of a step, asked for in one request and followed from `next` when the
 * byte budget cut the reply. Stops early at the step's end (a reply without the next line), or
 * once it holds more than `maxChars` characters of text: the copy's cap stops there anyway, so a
 * page of huge lines never piles up past it.
 */
async function readPage(step: string, start: number, end: number, fetchRange: FetchRange, signal: AbortSignal, maxChars: number): Promise<Line[]> {
  const lines: Line[] = [];
  let chars = 0;
  for (let from = start; from <= end; ) {
    const reply = await fetchRange(step, from, end - from + 1, signal);
    let last = from - 1;
    for (const line of reply.lines) {
      // lines come in order from `from`; anything else is not ours to copy
      if (line.n !== last + 1 || line.n > end) break;
      lines.push(line);
      chars += line.text.length;
      last = line.n;
    }
    // no line at `from`: the step ends here; a reply the byte budget cut (`truncated`) ends
    // where its `next` starts, so go on after its last line
    if (last < from || !reply.truncated || chars > maxChars) break;
    from = last + 1;
  }
  return lines;
}

/**
 * Reads the target's lines page by page and returns their text (see the top of this file).
 * Pages are COPY_PAGE_LINES-line spans of the target, read COPY_PAGES_IN_FLIGHT at a time and
 * turned into text in order. A step that has fewer lines than the target names (a step still
 * being written, or a stale count) ends the copy at its last line.
 */
export async function collectCopy(
  target: CopyTarget,
  format: CopyFormat,
  fetchRange: FetchRange,
  options: { signal: AbortSignal; maxBytes?: number; onProgress?: (progress: CopyProgress) => void },
): Promise<CopiedText> {
  const { maxBytes = MAX_COPY_BYTES, onProgress } = options;
  // pages read ahead stop when the copy does (cancelled, too big, failed)
  const ahead = new AbortController();
  const stop = () => ahead.abort(options.signal.reason);
  if (options.signal.aborted) stop();
  else options.signal.addEventListener('abort', stop, { once: true });
  const signal = ahead.signal;
  const total = targetLines(target);
  const starts: number[] = [];
  for (let start = target.from; start <= target.to; start += COPY_PAGE_LINES) starts.push(start);
  const pageEnd = (start: number) => Math.min(target.to, start + COPY_PAGE_LINES - 1);
  const read = (start: number) => readPage(target.step, start, pageEnd(start), fetchRange, signal, maxBytes);
  const pending = starts.slice(0, COPY_PAGES_IN_FLIGHT).map(read);
  // a page read ahead that fails before its turn is reported at its turn, not as unhandled
  for (const page of pending) page.catch(() => {});
  const parts: string[] = [];
  let lines = 0;
  let bytes = 0;
  try {
    for (let i = 0; i < starts.length; i++) {
      const page = await pending[i]!;
      options.signal.throwIfAborted();
      const next = starts[i + COPY_PAGES_IN_FLIGHT];
      if (next !== undefined) {
        const more = read(next);
        more.catch(() => {});
        pending.push(more);
      }
      let chunk = '';
      for (const line of page) {
        const text = copyLineText(line, format);
        const size = utf8Length(text);
        if (bytes + size > maxBytes) throw new CopyTooLargeError(maxBytes, lines);
        chunk += text;
        bytes += size;
        lines++;
      }
      if (chunk) parts.push(chunk);
      onProgress?.({ done: lines, total, bytes });
      if (page.length < pageEnd(starts[i]!) - starts[i]! + 1) break; // the step ends in this page
    }
  } finally {
    options.signal.removeEventListener('abort', stop);
    ahead.abort();
  }
  return { parts, lines, bytes };
}
