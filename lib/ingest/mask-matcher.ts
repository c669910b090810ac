import 'server-only';
import { maskForms } from './mask-encodings';

/**
 * Finds every occurrence of a job's mask values (and their encoded forms, mask-encodings.ts)
 * in a line, in one pass. Each value brings up to ~15 forms, so a job at its mask cap has
 * over a thousand patterns: one `indexOf` per pattern per line would cost more than the rest
 * of ingest. Few patterns use `indexOf` (native and fast); more use an Aho-Corasick automaton
 * over UTF-16 code units, linear in the line's length whatever the number of patterns.
 *
 * Result: sorted, merged [from, to) ranges; overlapping or adjacent matches become one range,
 * so one `***`.
 */

/** Up to this many patterns the `indexOf` loop is faster than the automaton (bench-masks). */
const INDEX_OF_PATTERNS = 24;
/** Matchers kept for reuse, keyed by the mask list (the same list comes back every batch). */
const CACHE_SIZE = 64;

export type MaskRanges = Array<[number, number]>;

export interface MaskMatcher {
  /** the patterns searched for: every value's forms */
  readonly patterns: readonly string[];
  ranges(text: string): MaskRanges;
}

/** Pushes [from, to), merging it with earlier ranges it overlaps or touches. */
function pushMerged(out: MaskRanges, from: number, to: number): void {
  let start = from;
  let end = to;
  for (let last = out[out.length - 1]; last && start <= last[1]; last = out[out.length - 1]) {
    start = Math.min(start, last[0]);
    end = Math.max(end, last[1]);
    out.pop();
  }
  out.push([start, end]);
}

class IndexOfMatcher implements MaskMatcher {
  constructor(readonly patterns: readonly string[]) {}

  ranges(text: string): MaskRanges {
    const found: MaskRanges = [];
    for (const p of this.patterns) {
      for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) found.push([at, at + p.length]);
    }
    if (found.length <= 1) return found;
    found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged: MaskRanges = [];
    for (const [from, to] of found) pushMerged(merged, from, to);
    return merged;
  }
}

/** Keys of the goto map: node · 2^16 + code unit (exact in a double up to 2^37 nodes). */
const UNIT = 0x10000;

class AhoCorasickMatcher implements MaskMatcher {
  private readonly goto = new Map<number, number>();
  private readonly fail: Int32Array;
  /** length of the longest pattern that ends at this node (itself or through its fail chain) */
  private readonly longest: Int32Array;
  /** code units that start some pattern: at the root, anything else is skipped at once */
  private readonly first = new Uint8Array(UNIT);

  constructor(readonly patterns: readonly string[]) {
    const own: number[] = [0];
    const children: number[][] = [[]];
    for (const p of patterns) {
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const key = node * UNIT + p.charCodeAt(i);
        let next = this.goto.get(key);
        if (next === undefined) {
          next = own.length;
          own.push(0);
          children.push([]);
          children[node]?.push(next);
          this.goto.set(key, next);
        }
        node = next;
      }
      own[node] = Math.max(own[node] ?? 0, p.length);
      this.first[p.charCodeAt(0)] = 1;
    }
    this.fail = new Int32Array(own.length);
    this.longest = Int32Array.from(own);
    // Breadth first: a node's fail link is the longest proper suffix that is also a prefix.
    const codeOf = new Map<number, number>();
    for (const [key, child] of this.goto) codeOf.set(child, key % UNIT);
    const queue = [...(children[0] ?? [])];
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q] as number;
      for (const child of children[node] ?? []) {
        const code = codeOf.get(child) ?? 0;
        let f = this.fail[node] as number;
        let target = this.goto.get(f * UNIT + code);
        while (target === undefined && f !== 0) {
          f = this.fail[f] as number;
          target = this.goto.get(f * UNIT + code);
        }
        const link = target === undefined || target === child ? 0 : target;
        this.fail[child] = link;
        this.longest[child] = Math.max(this.longest[child] as number, this.longest[link] as number);
        queue.push(child);
      }
    }
  }

  ranges(text: string): MaskRanges {
    const out: MaskRanges = [];
    const { goto, fail, longest, first } = this;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (node === 0 && first[code] === 0) continue;
      let next = goto.get(node * UNIT + code);
      while (next === undefined && node !== 0) {
        node = fail[node] as number;
        next = goto.get(node * UNIT + code);
      }
      node = next ?? 0;
      const length = longest[node] as number;
      if (length > 0) pushMerged(out, i + 1 - length, i + 1);
    }
    return out;
  }
}

const NONE: MaskMatcher = { patterns: [], ranges: () => [] };

/** A matcher for exactly these patterns (no derived forms added). */
export function patternMatcher(patterns: readonly string[]): MaskMatcher {
  const distinct = [...new Set(patterns.filter((p) => p.length > 0))];
  if (distinct.length === 0) return NONE;
  return distinct.length <= INDEX_OF_PATTERNS ? new IndexOfMatcher(distinct) : new AhoCorasickMatcher(distinct);
}

const cache = new Map<string, MaskMatcher>();

/** The matcher for mask values `values` and all their forms; reused while the list is the same. */
export function maskMatcher(values: readonly string[]): MaskMatcher {
  if (values.length === 0) return NONE;
  const key = values.join('\u0000');
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const matcher = patternMatcher(values.flatMap(maskForms));
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, matcher);
  return matcher;
}
