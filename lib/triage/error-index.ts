import type { Stream } from '../contracts/lines';
import { classifyLine, initialTriageState, MAX_BLOCK_LINES, RULE_IDS, type BlockKind, type ClassifyContext, type RuleId, type TriageState } from './rules';

/**
 * A step's error index, built as its lines arrive: feed lines in order (`add`), read the error
 * lines' numbers and rules (`entries`, `first`, `count`), persist it (`toJSON`) and resume it
 * after a restart or on another server (`fromJSON`).
 *
 * Bounded: at most MAX_ERRORS_PER_STEP entries are kept (the first ones: a developer starts at
 * the first failure), and `count` goes on counting the rest, so the viewer can say "1000 of
 * 4,312". A line number at or below the last one fed is ignored, so a batch retried after a
 * timeout does not add its errors twice.
 */

/** Error lines kept per step; later ones are only counted. 1000 × ~6 bytes persisted ≈ 6 KB. */
export const MAX_ERRORS_PER_STEP = 1000;

export interface ErrorEntry {
  n: number;
  rule: RuleId;
}

/**
 * The persisted form: `n` holds the kept line numbers as deltas from the previous one (the
 * first from 0), `r` one character per entry (the rule's index in RULE_IDS, base 36), `count`
 * every error line seen, `last` the last line number fed, `state` the open block.
 */
export interface ErrorIndexJson {
  v: 1;
  n: number[];
  r: string;
  count: number;
  last: number;
  state: TriageState;
}

export interface ErrorIndex {
  /** Classifies one line; returns its match (null for none). Lines at or below `last` are skipped (null). */
  add(n: number, text: string, stream?: Stream): ReturnType<typeof classifyLine>;
  /**
   * Re-classifies line `n` (at or below `last`) whose text a terminal screen rewrote from
   * `before` to `text` (lib/ansi/screen.ts): its entry is removed or added so `count` stays
   * exact. Both texts are classified alone (no open block: a rewritten row is a progress line,
   * not part of a traceback). Returns the new match (null for none). A line above `last` is
   * left to `add`.
   */
  replace(n: number, before: string, text: string, stream?: Stream): ReturnType<typeof classifyLine>;
  /** Kept error lines, ascending. */
  entries(): readonly ErrorEntry[];
  /** The first error line, or null. */
  first(): ErrorEntry | null;
  /** Error lines seen (kept or not). */
  count(): number;
  /** True when error lines were seen past MAX_ERRORS_PER_STEP. */
  truncated(): boolean;
  toJSON(): ErrorIndexJson;
}

const RULE_CODES = RULE_IDS.map((_, i) => i.toString(36));
/** A rule code (one base-36 character) → the rule's index in RULE_IDS. */
const RULE_BY_CODE = new Map(RULE_CODES.map((code, i) => [code, i]));

/**
 * Resuming is cheap, because the write path resumes a step's index for every batch it ingests
 * (a producer may send one line a request): the persisted entries stay in their compact form
 * (`n` deltas, `r` codes) and are decoded only when `entries()` is read; new entries are
 * appended to a copy of that form.
 */
export function createErrorIndex(from?: ErrorIndexJson): ErrorIndex {
  /** the persisted entries, still compact, and the kept entries added since */
  const deltas: number[] = from ? [...from.n] : [];
  let codes = from ? from.r : '';
  let keptCount = deltas.length;
  let lastKept = 0;
  for (const d of deltas) lastKept += d;
  let count = from ? from.count : 0;
  let last = from ? from.last : 0;
  const ctx: ClassifyContext = { state: from ? { ...from.state } : initialTriageState() };
  let decoded: ErrorEntry[] | null = null;
  const ruleOf = (code: string | undefined): RuleId => RULE_IDS[RULE_BY_CODE.get(code ?? '') ?? -1] ?? 'level';
  return {
    add(n, text, stream) {
      if (!(n > last)) return null;
      last = n;
      const match = classifyLine({ text, stream }, ctx);
      if (match && !match.continues) {
        count++;
        if (keptCount < MAX_ERRORS_PER_STEP) {
          deltas.push(n - lastKept);
          codes += RULE_CODES[RULE_IDS.indexOf(match.rule)];
          lastKept = n;
          keptCount++;
          decoded = null;
        }
      }
      return match;
    },
    replace(n, before, text, stream) {
      if (!(n >= 1 && n <= last)) return null;
      const match = classifyLine({ text, stream }, { state: initialTriageState() });
      const isError = match !== null && !match.continues;
      const all = this.entries();
      const at = all.findIndex((e) => e.n === n);
      // an error line beyond the kept ones: only its classification says it was one
      const was = at >= 0 || (count > keptCount && n > lastKept && isErrorAlone(before, stream));
      if (was === isError && (at < 0 || all[at]?.rule === match?.rule)) return match;
      const next = all.filter((e) => e.n !== n);
      if (was) count--;
      if (isError && match) {
        count++;
        let i = next.length;
        while (i > 0 && (next[i - 1]?.n ?? 0) > n) i--;
        next.splice(i, 0, { n, rule: match.rule });
      }
      // keep the first MAX_ERRORS_PER_STEP; a removal below the cap may leave a counted line unkept
      const kept = next.slice(0, MAX_ERRORS_PER_STEP);
      deltas.length = 0;
      codes = '';
      let prev = 0;
      for (const e of kept) {
        deltas.push(e.n - prev);
        codes += RULE_CODES[RULE_IDS.indexOf(e.rule)];
        prev = e.n;
      }
      keptCount = kept.length;
      lastKept = prev;
      decoded = null;
      return match;
    },
    entries() {
      if (!decoded) {
        decoded = [];
        let n = 0;
        for (let i = 0; i < deltas.length; i++) {
          n += deltas[i] ?? 0;
          decoded.push({ n, rule: ruleOf(codes[i]) });
        }
      }
      return decoded;
    },
    first: () => (deltas.length > 0 ? { n: deltas[0] ?? 0, rule: ruleOf(codes[0]) } : null),
    count: () => count,
    truncated: () => count > keptCount,
    toJSON: () => ({ v: 1, n: [...deltas], r: codes, count, last, state: { ...ctx.state } }),
  };
}

function isErrorAlone(text: string, stream: Stream | undefined): boolean {
  const match = classifyLine({ text, stream }, { state: initialTriageState() });
  return match !== null && !match.continues;
}

/** Largest line number accepted when reading a persisted index (the store's line numbers fit well under it). */
const MAX_LINE_NUMBER = Number.MAX_SAFE_INTEGER;

/**
 * Reads a persisted index (untrusted: it comes from storage): the shape, the bounds, ascending
 * line numbers, known rules and block kinds. Returns null on anything else, so the caller
 * rebuilds the index from the step's lines rather than trusting a bad one.
 */
export function parseErrorIndex(value: unknown): ErrorIndexJson | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.v !== 1 || !Array.isArray(v.n) || typeof v.r !== 'string' || typeof v.count !== 'number' || typeof v.last !== 'number') return null;
  const deltas: unknown[] = v.n;
  if (deltas.length > MAX_ERRORS_PER_STEP || v.r.length !== deltas.length) return null;
  let n = 0;
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) return null;
    n += d;
    if (!RULE_BY_CODE.has(v.r[i] ?? '')) return null;
  }
  if (n > MAX_LINE_NUMBER || !Number.isInteger(v.count) || v.count < deltas.length || !Number.isInteger(v.last) || v.last < n || v.last > MAX_LINE_NUMBER) return null;
  // (count may exceed the kept entries of an index that is not full: `replace` removed a kept
  // entry of a full one, and the counted-only lines after it are not known)
  const state = parseState(v.state);
  if (!state) return null;
  return { v: 1, n: deltas as number[], r: v.r, count: v.count, last: v.last, state };
}

const BLOCKS: readonly BlockKind[] = ['traceback', 'panic', 'npm', 'test', 'diagnostic'];

function parseState(value: unknown): TriageState | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  const blockLines = s.blockLines;
  if (typeof blockLines !== 'number' || !Number.isInteger(blockLines) || blockLines < 0 || blockLines > MAX_BLOCK_LINES) return null;
  if (s.block === null && s.blockRule === null) return { block: null, blockRule: null, blockLines };
  const block = BLOCKS.find((b) => b === s.block);
  const rule = RULE_IDS.find((r) => r === s.blockRule);
  if (!block || !rule) return null;
  return { block, blockRule: rule, blockLines };
}
