import 'server-only';
import type { MarkerDialect } from '../contracts';
import type { GroupTracker } from './groups';
import { buildkiteAtLineStart, type LineMarker, type SectionMarker } from './markers';
import type { Dialect, IngestState } from './state';

/**
 * Which group markers count in a step (lib/ingest/README.md "Dialects"):
 * - a declared dialect (`PUT step` / `PUT job` steps[] `markers`) counts alone; `none` counts
 *   none;
 * - else (`auto`) the step is locked to the first dialect recognised in it: a GitHub group
 *   marker, a GitLab section, a Travis fold, or Buildkite's own `ESC_bk;t=` timestamp. The lock
 *   is kept in the step's ingest state. A Buildkite header without that timestamp counts while
 *   nothing is locked, but locks nothing: a plain `--- x` is too common in other logs; the first
 *   other marker locks its dialect and ends the Buildkite group at the line before.
 * Buildkite headers, wherever they count, are also refused when they are a unified diff's:
 * - the raw line must start with the marker (behind Buildkite timestamps only);
 * - `--- a/…`, `+++ b/…`, `/dev/null`, or a name holding a TAB (diff's label/date separator);
 * - a `---`/`+++` right after `diff --git`/`diff -…`/`index H..H` or after a diff's `---`;
 * - a line inside a hunk, counted from its `@@ -a,b +c,d @@` header (a removed `-- sql`
 *   comment prints as `--- sql`);
 * - Go's `--- PASS:`/`--- FAIL:`/`--- SKIP:` test results;
 * - a `---` then `+++` header that a `@@ -` hunk header follows: both groups, already shown,
 *   are withdrawn on the `@@` line, and the group the `---` ended is open again.
 */
export class DialectRouter {
  constructor(
    private readonly st: IngestState,
    private readonly tracker: GroupTracker,
    private readonly declared: MarkerDialect,
  ) {}

  /** The step's dialect: declared, else locked; null while nothing is locked (auto). */
  private current(): Dialect | 'none' | null {
    return this.declared !== 'auto' ? this.declared : (this.st.dialect ?? null);
  }

  private counts(dialect: Dialect): boolean {
    const current = this.current();
    return current === null || current === dialect;
  }

  /** Auto: lock `dialect`; any other dialect ends the open (Buildkite) groups first. */
  private lock(dialect: Dialect, n: number, ts: number | null): void {
    if (this.declared !== 'auto' || this.st.dialect !== undefined) return;
    this.st.dialect = dialect;
    delete this.st.pair;
    if (dialect !== 'buildkite') this.tracker.endOpen(n, ts);
  }

  /**
   * One line's markers, in order: Buildkite timestamp, sections (raw text), then the line
   * marker found on the masked visible text. `stamped`: the line carried a Buildkite timestamp.
   */
  line(n: number, ts: number, raw: string, visible: string, stamped: boolean, sections: readonly SectionMarker[], marker: LineMarker | null): void {
    const current = this.current();
    if (current === 'none') return;
    // diffs matter only where Buildkite headers may count
    const diff = current === null || current === 'buildkite' ? this.diffLine(n, visible) : false;
    if (stamped) this.lock('buildkite', n, ts);
    for (const m of sections) {
      if (!this.counts(m.dialect)) continue;
      this.lock(m.dialect, n, m.ts ?? ts);
      if (m.kind === 'section-start') this.tracker.sectionStart(n, m.name, m.ts ?? ts, m.collapsed);
      else this.tracker.sectionEnd(n, m.name, m.ts ?? ts);
    }
    if (marker?.kind === 'github-start' || marker?.kind === 'github-end') {
      if (!this.counts('github')) return;
      this.lock('github', n, ts);
      if (marker.kind === 'github-start') this.tracker.githubStart(n, marker.name, ts);
      else this.tracker.githubEnd(n, ts);
      return;
    }
    if (!marker || !this.counts('buildkite') || !buildkiteAtLineStart(raw)) return;
    if (marker.kind === 'buildkite-expand') {
      this.tracker.buildkiteExpand();
      return;
    }
    if (diff || this.isDiffHeader(marker.mark, marker.name)) {
      if (marker.mark === '---') this.st.diffHead = true;
      return;
    }
    const top = this.st.open[0];
    const reopen = top?.kind === 'buildkite' ? top.index : null;
    const opened = this.tracker.buildkiteStart(n, marker.name, marker.collapsed, ts);
    if (opened && marker.mark === '---') this.st.pair = { n, reopen };
    else if (!(opened && marker.mark === '+++' && this.st.pair?.n === n - 1)) delete this.st.pair;
  }

  /**
   * Follows unified diffs on the visible text; true when this line is part of one (inside a
   * hunk, or a hunk header), so it is no Buildkite header. A hunk header right after a
   * `---`/`+++` header pair withdraws their groups.
   */
  private diffLine(n: number, visible: string): boolean {
    const st = this.st;
    const afterHead = st.diffHead === true;
    if (afterHead) delete st.diffHead; // (delete only when set: keeps the common path cheap)
    const pair = st.pair;
    if (pair && n > pair.n + 1) delete st.pair;
    if (st.hunk) {
      const [old, added] = st.hunk;
      const first = visible.charCodeAt(0);
      let left: [number, number] | null = null;
      if (first === 0x20 || Number.isNaN(first)) left = [old - 1, added - 1]; // context (or its trailing space stripped)
      else if (first === 0x2d) left = [old - 1, added]; // -
      else if (first === 0x2b) left = [old, added - 1]; // +
      else if (first === 0x5c) left = [old, added]; // "\ No newline at end of file"
      if (left && left[0] >= 0 && left[1] >= 0) {
        if (left[0] === 0 && left[1] === 0) delete st.hunk;
        else st.hunk = left;
        return true;
      }
      delete st.hunk;
    }
    const c = visible.charCodeAt(0);
    const hunk = c === 0x40 ? HUNK_HEADER.exec(visible) : null; // @
    if (hunk) {
      const old = hunk[2] === undefined ? 1 : Number(hunk[2]);
      const added = hunk[4] === undefined ? 1 : Number(hunk[4]);
      if (old + added > 0 && old <= MAX_HUNK && added <= MAX_HUNK) st.hunk = [old, added];
      if (pair && n === pair.n + 2 && this.tracker.withdrawPair(pair.n, pair.reopen)) delete st.pair;
      return true;
    }
    if ((c === 0x64 || c === 0x69) && DIFF_COMMAND.test(visible)) st.diffHead = true; // d, i
    return afterHead && (visible.startsWith('--- ') || visible.startsWith('+++ '));
  }

  private isDiffHeader(mark: '---' | '+++' | '~~~', name: string): boolean {
    if (mark === '~~~') return false;
    if (mark === '---' && GO_TEST_RESULT.test(name)) return true;
    return DIFF_PATH.test(name) || name.includes('\t');
  }
}

const MAX_HUNK = 1e8;
const HUNK_HEADER = /^@@ -(\d{1,9})(?:,(\d{1,9}))? \+(\d{1,9})(?:,(\d{1,9}))? @@/;
/** git's `diff --git a/x b/x`, `diff -u a b`, `diff -r …`, and its `index 1a2b..3c4d` line */
const DIFF_COMMAND = /^(?:diff (?:--git |-)|index [0-9a-f]{4,}\.\.[0-9a-f]{4,})/;
/** a diff header's path: git's `a/` and `b/` prefixes, or /dev/null (a new or deleted file) */
const DIFF_PATH = /^(?:[ab]\/|\/dev\/null(?:\s|$))/;
const GO_TEST_RESULT = /^(?:PASS|FAIL|SKIP): /;
