import 'server-only';
import { compileQuery, type CompiledQuery, type QueryOptions } from './pattern';

/** `[from, to)` UTF-16 offsets into a line's plain text. */
export type Range = [number, number];

/**
 * A user regex runs over at most this many characters of a line's plain text (the first 16 Ki):
 * it bounds the work one line can cost even in the linear-time engine. A regex match further in
 * is not found; a substring search has no such cap. Not tied to what the viewer shows.
 */
export const MAX_REGEX_SCAN_CHARS = 16 * 1024;
/** Ranges reported per line: enough to highlight a line, bounded for a pattern like `.` on a long line. */
export const MAX_RANGES_PER_LINE = 50;

export type MatcherOptions = QueryOptions;

/**
 * Ranges of the matches in `plain`, or null when the line does not match. A line that only has
 * zero-length matches (`^`, `a*`) matches with no ranges: there is nothing to highlight.
 */
export type Matcher = (plain: string) => Range[] | null;

/** Compiles an untrusted query and its matcher in one go (tests; the server splits the two, see pool.ts). */
export function compileMatcher(options: MatcherOptions): Matcher {
  return matcherFor(compileQuery(options));
}

/**
 * The matcher of a compiled query. Regexes never carry the `i` flag (pattern.ts folds case into
 * the source), so V8 can fall back to its linear-time engine (engine.ts) when one backtracks.
 */
export function matcherFor(query: CompiledQuery): Matcher {
  switch (query.kind) {
    case 'substring':
      return substringMatcher(query.needle);
    case 'folded': {
      const folded = substringMatcher(query.needle);
      // A literal cannot backtrack badly; Infinity keeps the substring search uncapped.
      const fallback = regexMatcher(new RegExp(query.source, 'g'), Infinity);
      return (plain) => {
        const lower = plain.toLowerCase();
        return lower.length === plain.length ? folded(lower) : fallback(plain);
      };
    }
    case 'regex':
      return regexMatcher(new RegExp(query.source, 'g'), MAX_REGEX_SCAN_CHARS);
  }
}

function substringMatcher(needle: string): Matcher {
  return (plain) => {
    let at = plain.indexOf(needle);
    if (at < 0) return null;
    const ranges: Range[] = [];
    while (at >= 0 && ranges.length < MAX_RANGES_PER_LINE) {
      ranges.push([at, at + needle.length]);
      at = plain.indexOf(needle, at + needle.length);
    }
    return ranges;
  };
}

/**
 * Ends the scanned part of a line cut at the regex cap: the line goes on, so `$` must not match
 * at the cut. A newline is no end of input for `$` (no `m` flag) and `.` does not match it; a
 * match that does consume it (`\s$`) reached past the cut and is dropped.
 */
const CUT = '\n';

function regexMatcher(re: RegExp, maxChars: number): Matcher {
  return (plain) => {
    const cut = plain.length > maxChars;
    const text = cut ? plain.slice(0, maxChars) + CUT : plain;
    const limit = cut ? maxChars : text.length;
    re.lastIndex = 0;
    const ranges: Range[] = [];
    let matched = false;
    // Bounded: every iteration advances lastIndex by at least one, and at most 50 ranges are kept.
    for (let steps = 0; steps <= text.length; steps++) {
      const m = re.exec(text);
      if (!m) break;
      const end = m.index + m[0].length;
      if (end > limit) break;
      matched = true;
      if (m[0].length === 0) re.lastIndex = m.index + 1;
      else if (ranges.push([m.index, end]) >= MAX_RANGES_PER_LINE) break;
      if (re.lastIndex > text.length) break;
    }
    return matched ? ranges : null;
  };
}
