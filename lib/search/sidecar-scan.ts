import 'server-only';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { RegExpParser, type AST } from '@eslint-community/regexpp';
import { matcherFor, type Matcher, type Range } from './matcher';
import type { CompiledQuery } from './pattern';

/**
 * Search over step sidecars (lib/store/file/sidecar.ts: the plain text of a step, one line per
 * `\n`), run in a search worker, synchronously. A step is read in blocks of about BLOCK_BYTES
 * that end on a sidecar index entry where one falls in reach, so the line number at each block
 * start is known without counting. In a block:
 * - case-sensitive substring: `Buffer.indexOf` of the UTF-8 needle (a byte match is a text match);
 * - case-insensitive ASCII substring: `Buffer.indexOf` of the lowercase needle in the step's
 *   lowercased copy (`.low`, same offsets): an ASCII needle's case variants are ASCII
 *   (case-fold.ts), so this finds exactly the lines the `i` flag would;
 * - regexp: the block as a UTF-8 string, with the `m` flag. When the pattern cannot consume a `\n`
 *   a match never crosses a line and `^ $ \b` see line edges as they do per line, so the
 *   leftmost match from a line start lies in the first line that matches per line, or is a
 *   candidate the per-line check refuses (the 16 Ki cap). Each candidate line is checked with
 *   the per-line matcher (matcher.ts, the one semantics). A pattern that can consume `\n`
 *   (`\s`, `[^x]`, `\W`…) is matched line by line instead.
 * After a match the scan moves on to the next line, like `grep -c`. Only the `want` matching
 * lines after the first `skip` (HitWindow) get a line number (one index lookup, fewer than EVERY `\n` counted) and ranges
 * (their plain text decoded and matched per line); the others are only counted.
 */
export const BLOCK_BYTES = 4 * 1024 * 1024;
/** Characters (whole lines) one regexp exec is given at most; see scanBlock. */
const REGEX_SLICE_CHARS = 64 * 1024;
/** Lines between clock checks when a regexp runs line by line. */
const CLOCK_CHECK_LINES = 256;

/** Lines `from`..`to` of one step's sidecar. */
export interface ScanSegment {
  path: string;
  /** the same text with ASCII letters lowercased, same offsets (lib/store/file/sidecar.ts `.low`) */
  lower: string;
  from: number;
  to: number;
  /** byte offset just after line `to`; -1: not known (the worker finds it) */
  end: number;
  /** sidecar index: byte offsets of lines 1, 1+every, … (at least up to `to`) */
  index: number[];
  /** the index's interval in lines (lib/store/file/sidecar.ts SIDECAR_INDEX_EVERY) */
  every: number;
}

export type SegmentHit = [n: number, ranges: Range[]];

export interface SegmentResult {
  /** matching lines among those scanned */
  total: number;
  /** the first matching lines (up to the request's `want` over all segments) */
  hits: SegmentHit[];
}

export interface SidecarScanResult {
  segments: SegmentResult[];
  /** where the deadline stopped the scan (the segment and its next line not scanned), or null: all scanned */
  stopped: { segment: number; line: number } | null;
}

const NL = 10;
const parser = new RegExpParser({ ecmaVersion: 2024 });

/** True when some match of `source` (no `s` flag) can consume a `\n` (conservative). */
export function canConsumeNewline(source: string): boolean {
  let pattern: AST.Pattern;
  try {
    pattern = parser.parsePattern(source, 0, source.length, { unicode: false, unicodeSets: false });
  } catch {
    return true;
  }
  return consumes(pattern);
}

/** Shorter required literals are not worth a prefilter: a frequent character would select most lines. */
const MIN_REQUIRED_LITERAL = 2;

/**
 * A string every match of `source` (no flags) contains, or null: the longest run of plain
 * characters at the pattern's top level, outside any group, class, quantifier or alternation
 * (`ERROR.*(timeout|socket)` → `ERROR`). Runs stop at a `\n` and at surrogate halves, so the
 * string's UTF-8 bytes are exactly what a matching line holds. A line without it cannot match.
 */
export function requiredLiteral(source: string): string | null {
  let pattern: AST.Pattern;
  try {
    pattern = parser.parsePattern(source, 0, source.length, { unicode: false, unicodeSets: false });
  } catch {
    return null;
  }
  if (pattern.alternatives.length !== 1) return null;
  let best = '';
  let run = '';
  for (const element of pattern.alternatives[0]!.elements) {
    const value = element.type === 'Character' ? element.value : -1;
    if (value >= 0 && value !== NL && (value < 0xd800 || value > 0xdfff)) {
      run += String.fromCodePoint(value);
      if (run.length > best.length) best = run;
    } else run = '';
  }
  return best.length >= MIN_REQUIRED_LITERAL ? best : null;
}

function setHasNewline(node: AST.EscapeCharacterSet): boolean {
  // \s, \W and \D contain `\n`; \S, \w and \d do not
  return node.kind === 'space' ? !node.negate : node.negate;
}

function consumes(node: AST.Node): boolean {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup':
      return node.alternatives.some(consumes);
    case 'Alternative':
      return node.elements.some(consumes);
    case 'Quantifier':
      return consumes(node.element);
    case 'Character':
      return node.value === NL;
    case 'CharacterSet':
      if (node.kind === 'any') return false;
      return node.kind === 'space' || node.kind === 'word' || node.kind === 'digit' ? setHasNewline(node) : true;
    case 'CharacterClass': {
      let has = false;
      for (const element of node.elements) {
        if (element.type === 'Character') has ||= element.value === NL;
        else if (element.type === 'CharacterClassRange') has ||= element.min.value <= NL && NL <= element.max.value;
        else if (element.type === 'CharacterSet' && (element.kind === 'space' || element.kind === 'word' || element.kind === 'digit')) has ||= setHasNewline(element);
        else has = true; // anything else: assume it may
      }
      return node.negate ? !has : has;
    }
    default:
      return false;
  }
}

/** What a scan needs of a query, built once per query in a worker. */
export class PreparedQuery {
  readonly matcher: Matcher;
  /** substring: the needle's bytes; null when no line can hold it (it has a `\n`) */
  readonly needle: Buffer | null = null;
  readonly blockRegex: RegExp | null = null;
  readonly perLine: boolean = false;
  /** regex: the UTF-8 bytes of a literal every match contains (requiredLiteral), or null */
  readonly regexLiteral: Buffer | null = null;

  constructor(
    readonly query: CompiledQuery,
    /** tests: false scans a regex without its literal prefilter, to compare the two */
    literalPrefilter = true,
  ) {
    this.matcher = matcherFor(query);
    switch (query.kind) {
      case 'substring':
        this.needle = query.needle.includes('\n') ? null : Buffer.from(query.needle);
        break;
      case 'folded':
        // The needle is ASCII and lowercase: found in the lowercased sidecar (`.low`), where an
        // ASCII letter in any case is lowercase and nothing else changed. A `\n` never matches.
        this.needle = query.needle.includes('\n') ? null : Buffer.from(query.needle);
        break;
      case 'regex':
        this.perLine = canConsumeNewline(query.source);
        this.blockRegex = new RegExp(query.source, 'gm');
        if (literalPrefilter) {
          const literal = requiredLiteral(query.source);
          if (literal !== null) this.regexLiteral = Buffer.from(literal);
        }
        break;
    }
  }
}

/** Finds line numbers of byte (or string) offsets in one block from known line starts. */
class LineLocator {
  private atOffset: number;
  private atLine: number;
  private nextPoint: number;

  constructor(
    private readonly text: Buffer | string,
    start: number,
    line: number,
    /** sidecar index offsets relative to the block start, or null when offsets are not bytes */
    private readonly points: { offsets: number[]; first: number; firstLine: number; every: number } | null,
  ) {
    this.atOffset = start;
    this.atLine = line;
    this.nextPoint = points?.first ?? 0;
  }

  /** The line number of the line starting at `offset` (offsets asked in ascending order). */
  lineAt(offset: number): number {
    const points = this.points;
    if (points) {
      while (this.nextPoint < points.offsets.length && (points.offsets[this.nextPoint] ?? Infinity) <= offset) {
        const pointOffset = points.offsets[this.nextPoint] ?? 0;
        if (pointOffset > this.atOffset) {
          this.atOffset = pointOffset;
          this.atLine = points.firstLine + (this.nextPoint - points.first) * points.every;
        }
        this.nextPoint++;
      }
    }
    let line = this.atLine;
    const text = this.text;
    if (typeof text === 'string') {
      for (let at = text.indexOf('\n', this.atOffset); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
    } else {
      for (let at = text.indexOf(NL, this.atOffset); at !== -1 && at < offset; at = text.indexOf(NL, at + 1)) line++;
    }
    this.atOffset = offset;
    this.atLine = line;
    return line;
  }
}

interface Block {
  /** the block's bytes, whole lines */
  bytes: Buffer;
  /** absolute offset of its first byte */
  start: number;
  /** number of its first line */
  line: number;
  /** the line after the block, when known without counting (the block ends on an index entry or at the segment end) */
  nextLine: number | null;
}

/**
 * Which matching lines get a number and ranges: the first `skip` counted are passed over, the
 * next `room` kept (a job search's page, `offset`/`limit`). Matches are offered in scan order.
 */
export class HitWindow {
  constructor(
    private skip: number,
    private room: number,
  ) {}

  /** A match was counted: true when it is to be kept (then call `kept` if it was). */
  offer(): boolean {
    if (this.skip > 0) {
      this.skip--;
      return false;
    }
    return this.room > 0;
  }

  kept(): void {
    this.room--;
  }
}

/** Scans one block; returns how many lines matched; pushes the hits `window` keeps. */
function scanBlock(
  prepared: PreparedQuery,
  block: Block,
  index: number[],
  every: number,
  hits: SegmentHit[],
  window: HitWindow,
  /** a line's plain text by its offsets in the block (`bytes` may be the lowercased copy) */
  lineText: (start: number, end: number) => string,
  deadline: number,
  now: () => number,
): { total: number; stoppedLine: number | null } {
  const { bytes } = block;
  const { query, matcher } = prepared;
  let total = 0;
  // Index entries inside the block, as offsets relative to it.
  const firstEntry = Math.ceil((block.line - 1) / every);
  const byteOffsets = (base: number) => {
    const offsets: number[] = [];
    for (let k = firstEntry; k < index.length; k++) {
      const offset = (index[k] ?? 0) - base;
      if (offset >= bytes.length) break;
      offsets.push(offset);
    }
    return { offsets, first: 0, firstLine: firstEntry * every + 1, every };
  };

  // Lines holding a needle's bytes, found with `Buffer.indexOf`. A substring query's needle: every
  // such line matches, and only the kept ones are decoded for their ranges. A regex's required
  // literal (`ERROR.*(timeout|socket)`): only those lines are decoded and matched (`verify`), as
  // grep does, instead of decoding the whole block (most of a regex search's time on a log with
  // non-ASCII text); the matcher decides each line, so the answer is the per-line semantics'.
  const substring = query.kind === 'substring' || query.kind === 'folded';
  const needle = substring ? prepared.needle : prepared.regexLiteral;
  if (substring && !needle) return { total: 0, stoppedLine: null };
  if (needle) {
    const verify = !substring;
    const locator = new LineLocator(bytes, 0, block.line, byteOffsets(block.start));
    let checked = 0;
    for (let at = bytes.indexOf(needle, 0); at !== -1; ) {
      const lineStart = at === 0 ? 0 : bytes.lastIndexOf(NL, at - 1) + 1;
      if (verify && ++checked % CLOCK_CHECK_LINES === 0 && now() >= deadline) return { total, stoppedLine: locator.lineAt(lineStart) };
      let lineEnd = bytes.indexOf(NL, at + needle.length);
      if (lineEnd === -1) lineEnd = bytes.length;
      const ranges = verify ? matcher(lineText(lineStart, lineEnd)) : null;
      if (!verify || ranges) {
        total++;
        if (window.offer()) {
          const kept = ranges ?? matcher(lineText(lineStart, lineEnd));
          if (kept) {
            hits.push([locator.lineAt(lineStart), kept]);
            window.kept();
          }
        }
      }
      at = lineEnd + 1 < bytes.length ? bytes.indexOf(needle, lineEnd + 1) : -1;
    }
    return { total, stoppedLine: null };
  }

  const regex = prepared.blockRegex;
  if (!regex) return { total: 0, stoppedLine: null };
  const text = bytes.toString('utf8');
  const sameOffsets = text.length === bytes.length;
  const locator = new LineLocator(text, 0, block.line, sameOffsets ? byteOffsets(block.start) : null);

  if (prepared.perLine) {
    for (let lineStart = 0, count = 0; lineStart < text.length; count++) {
      if (count % CLOCK_CHECK_LINES === CLOCK_CHECK_LINES - 1 && now() >= deadline) return { total, stoppedLine: locator.lineAt(lineStart) };
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1) lineEnd = text.length;
      const ranges = matcher(text.slice(lineStart, lineEnd));
      if (ranges) {
        total++;
        if (window.offer()) {
          hits.push([locator.lineAt(lineStart), ranges]);
          window.kept();
        }
      }
      lineStart = lineEnd + 1;
    }
    return { total, stoppedLine: null };
  }

  // One exec never gets more than REGEX_SLICE_CHARS of whole lines: a hostile pattern's exec
  // stays short (a worker is only interrupted between regexp calls), and the clock is checked
  // between slices.
  for (let sliceStart = 0; sliceStart < text.length; ) {
    if (now() >= deadline) return { total, stoppedLine: locator.lineAt(sliceStart) };
    let sliceEnd = Math.min(text.length, sliceStart + REGEX_SLICE_CHARS);
    if (sliceEnd < text.length) {
      const nl = text.lastIndexOf('\n', sliceEnd - 1);
      if (nl < sliceStart) {
        // One line longer than a slice: matched alone, where the matcher caps what a regexp reads.
        let lineEnd = text.indexOf('\n', sliceStart);
        if (lineEnd === -1) lineEnd = text.length;
        const ranges = matcher(text.slice(sliceStart, lineEnd));
        if (ranges) total++;
        if (ranges && window.offer()) {
          hits.push([locator.lineAt(sliceStart), ranges]);
          window.kept();
        }
        sliceStart = lineEnd + 1;
        continue;
      }
      sliceEnd = nl + 1;
    }
    const slice = text.slice(sliceStart, sliceEnd);
    regex.lastIndex = 0;
    while (regex.lastIndex < slice.length) {
      const match = regex.exec(slice);
      // An empty match after the slice's last `\n` (`^$`, `$` with `m`) is no line.
      if (!match || match.index >= slice.length) break;
      const at = match.index;
      const lineStart = at === 0 ? 0 : slice.lastIndexOf('\n', at - 1) + 1;
      let lineEnd = slice.indexOf('\n', at);
      if (lineEnd === -1) lineEnd = slice.length;
      const ranges = matcher(slice.slice(lineStart, lineEnd));
      if (ranges) total++;
      if (ranges && window.offer()) {
        hits.push([locator.lineAt(sliceStart + lineStart), ranges]);
        window.kept();
      }
      regex.lastIndex = lineEnd + 1;
    }
    sliceStart = sliceEnd;
  }
  return { total, stoppedLine: null };
}

function readFully(fd: number, buffer: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const got = readSync(fd, buffer, done, length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}

/** Byte offset of line `n` of a segment's sidecar (one index lookup, then counted up to `bound`). */
function offsetOfLine(fd: number, segment: ScanSegment, n: number, scratch: Buffer, bound: number): number {
  const every = segment.every;
  const k = Math.floor((n - 1) / every);
  let offset = segment.index[k] ?? 0;
  let line = k * every + 1;
  while (line < n && offset < bound) {
    const got = readFully(fd, scratch, Math.min(scratch.length, bound - offset), offset);
    if (got === 0) break;
    let from = 0;
    for (let nl = scratch.indexOf(NL, from); nl !== -1 && nl < got && line < n; nl = scratch.indexOf(NL, from)) {
      line++;
      from = nl + 1;
    }
    offset += from;
    if (from === 0) offset += got; // no `\n` in this chunk (cannot happen with whole lines)
  }
  return offset;
}

/**
 * Scans `segments` in order until `deadline` (ms since the epoch), counting matching lines and
 * keeping `want` hits over all segments after the first `skip` matching lines.
 */
export function scanSidecars(prepared: PreparedQuery, segments: readonly ScanSegment[], want: number, deadline: number, now: () => number = Date.now, skip = 0): SidecarScanResult {
  const results: SegmentResult[] = [];
  let buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  const window = new HitWindow(skip, want);
  for (const [s, segment] of segments.entries()) {
    const result: SegmentResult = { total: 0, hits: [] };
    results.push(result);
    if (segment.from > segment.to) continue;
    const fd = openSync(segment.path, 'r');
    // A case-insensitive literal reads the lowercased copy, and the text itself for the lines it reports.
    const lowerFd = prepared.query.kind === 'folded' ? openSync(segment.lower, 'r') : null;
    const lineBuffer = { buffer: Buffer.allocUnsafe(4096) };
    try {
      // `end` < 0: the segment stops inside the sidecar's lines; its end is found here.
      const segmentEnd = segment.end >= 0 ? segment.end : offsetOfLine(fd, segment, segment.to + 1, buffer, fstatSync(fd).size);
      let line = segment.from;
      let position = offsetOfLine(fd, segment, line, buffer, segmentEnd);
      while (position < segmentEnd) {
        if (now() >= deadline) return { segments: results, stopped: { segment: s, line } };
        // End on the last index entry within reach, else on the last `\n` of a full buffer.
        const every = segment.every;
        const k = Math.floor((line - 1) / every);
        let entry = k + 1;
        while (entry + 1 < segment.index.length && (segment.index[entry + 1] ?? Infinity) - position <= BLOCK_BYTES) entry++;
        const entryOffset = segment.index[entry];
        let end: number;
        let nextLine: number | null;
        if (segmentEnd - position <= BLOCK_BYTES) {
          end = segmentEnd;
          nextLine = segment.to + 1;
        } else if (entryOffset !== undefined && entryOffset > position && entryOffset < segmentEnd && entryOffset - position <= BLOCK_BYTES) {
          end = entryOffset;
          nextLine = entry * every + 1;
        } else {
          end = position + BLOCK_BYTES;
          nextLine = null;
        }
        let length = end - position;
        if (buffer.length < length) buffer = Buffer.allocUnsafe(length);
        let got = readFully(lowerFd ?? fd, buffer, length, position);
        if (nextLine === null) {
          // Whole lines only: cut after the last `\n`, growing the read for a line longer than the buffer.
          let cut = got > 0 ? buffer.lastIndexOf(NL, got - 1) : -1;
          while (cut === -1 && got > 0 && position + got < segmentEnd) {
            const bigger = Buffer.allocUnsafe(buffer.length * 2);
            buffer.copy(bigger, 0, 0, got);
            buffer = bigger;
            got += readFully(lowerFd ?? fd, buffer, Math.min(buffer.length - got, segmentEnd - position - got), position + got);
            cut = buffer.lastIndexOf(NL, got - 1);
          }
          length = cut === -1 ? got : cut + 1;
        } else {
          length = got;
        }
        if (length === 0) break; // the file is shorter than its view said
        const bytes = buffer.subarray(0, length);
        const base = position;
        const lineText =
          lowerFd === null
            ? (start: number, end: number) => bytes.toString('utf8', start, end)
            : (start: number, end: number) => {
                if (lineBuffer.buffer.length < end - start) lineBuffer.buffer = Buffer.allocUnsafe(end - start);
                const read = readFully(fd, lineBuffer.buffer, end - start, base + start);
                return lineBuffer.buffer.toString('utf8', 0, read);
              };
        const scanned = scanBlock(prepared, { bytes, start: position, line, nextLine }, segment.index, segment.every, result.hits, window, lineText, deadline, now);
        result.total += scanned.total;
        if (scanned.stoppedLine !== null) return { segments: results, stopped: { segment: s, line: scanned.stoppedLine } };
        if (nextLine === null) {
          let count = 0;
          for (let at = bytes.indexOf(NL); at !== -1; at = bytes.indexOf(NL, at + 1)) count++;
          line += count;
        } else {
          line = nextLine;
        }
        position += length;
      }
    } finally {
      closeSync(fd);
      if (lowerFd !== null) closeSync(lowerFd);
    }
  }
  return { segments: results, stopped: null };
}
