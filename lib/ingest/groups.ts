import 'server-only';
import { MAX_GROUP_DEPTH, type Group } from '../contracts/job';
import { MAX_GROUPS, type IngestState, type OpenKind } from './state';

/**
 * The step's group tree, one stack of open groups (which markers reach it: dialects.ts):
 * - GitHub `endgroup` closes the innermost open GitHub group (and anything opened inside it);
 * - GitLab `section_end:NAME` closes the innermost open section of that name (and inside);
 * - a Buildkite header ends every open group at the line before and opens a top-level one.
 * Ends that match nothing are ignored. Opens beyond MAX_GROUP_DEPTH or MAX_GROUPS are
 * ignored (a GitHub one is counted in `overflow` so that its own end is ignored too).
 * Ids are `g<line>`, or `g<line>-<k>` for the k-th group opened on the same line.
 */
export class GroupTracker {
  changed = false;

  constructor(private readonly state: IngestState) {}

  private nextId(n: number): string {
    let k = 0;
    for (let i = this.state.groups.length - 1; i >= 0 && this.state.groups[i]?.start === n; i--) k++;
    return k === 0 ? `g${n}` : `g${n}-${k + 1}`;
  }

  private open(kind: OpenKind, n: number, name: string, startedAt: number | null, collapsed?: boolean): boolean {
    const { state } = this;
    if (state.open.length >= MAX_GROUP_DEPTH || state.groups.length >= MAX_GROUPS) return false;
    const parentIndex = state.open[state.open.length - 1]?.index;
    const group: Group = {
      id: this.nextId(n),
      name,
      parent: parentIndex === undefined ? null : (state.groups[parentIndex]?.id ?? null),
      start: n,
      end: null,
      startedAt,
      endedAt: null,
    };
    if (collapsed !== undefined) group.collapsed = collapsed;
    state.open.push({ index: state.groups.length, kind, name });
    state.groups.push(group);
    this.changed = true;
    return true;
  }

  /** Closes open[depth] and everything opened inside it. */
  private closeFrom(depth: number, end: number, endedAt: number | null): void {
    const { state } = this;
    while (state.open.length > depth) {
      const top = state.open.pop();
      const group = top ? state.groups[top.index] : undefined;
      if (group) {
        group.end = Math.max(group.start, end);
        group.endedAt = endedAt;
      }
    }
    this.changed = true;
  }

  private innermost(match: (o: IngestState['open'][number]) => boolean): number {
    for (let d = this.state.open.length - 1; d >= 0; d--) {
      const o = this.state.open[d];
      if (o && match(o)) return d;
    }
    return -1;
  }

  githubStart(n: number, name: string, ts: number | null): void {
    if (!this.open('github', n, name, ts)) this.state.overflow++;
  }

  githubEnd(n: number, ts: number | null): void {
    if (this.state.overflow > 0) {
      this.state.overflow--;
      return;
    }
    const depth = this.innermost((o) => o.kind === 'github');
    if (depth >= 0) this.closeFrom(depth, n, ts);
  }

  sectionStart(n: number, name: string, ts: number | null, collapsed?: boolean): void {
    this.open('section', n, name, ts, collapsed);
  }

  sectionEnd(n: number, name: string, ts: number | null): void {
    const depth = this.innermost((o) => o.kind === 'section' && o.name === name);
    if (depth >= 0) this.closeFrom(depth, n, ts);
  }

  /** Opens a top-level Buildkite group; true when it was opened (not past the caps). */
  buildkiteStart(n: number, name: string, collapsed: boolean, ts: number | null): boolean {
    this.endOpen(n, ts);
    this.state.overflow = 0;
    return this.open('buildkite', n, name, ts, collapsed);
  }

  /** Ends every open group at the line before `n` (a Buildkite header; a dialect locked). */
  endOpen(n: number, ts: number | null): void {
    if (this.state.open.length > 0) this.closeFrom(0, n - 1, ts);
  }

  /**
   * Withdraws the two Buildkite groups opened on lines `n` and `n + 1` (a diff's `---`/`+++`
   * file header) and reopens the group the first one ended (index `reopen`). False, and no
   * change, when the last two groups are not those.
   */
  withdrawPair(n: number, reopen: number | null): boolean {
    const { state } = this;
    const count = state.groups.length;
    const first = state.groups[count - 2];
    const second = state.groups[count - 1];
    if (!first || !second || first.start !== n || second.start !== n + 1) return false;
    state.groups.length = count - 2;
    state.open = state.open.filter((o) => o.index < count - 2);
    const back = reopen === null ? undefined : state.groups[reopen];
    if (back && reopen !== null && state.open.length === 0) {
      back.end = null;
      back.endedAt = null;
      state.open.push({ index: reopen, kind: 'buildkite', name: back.name });
    }
    this.changed = true;
    return true;
  }

  /** `^^^ +++`: expand the current Buildkite group (always the outermost open one). */
  buildkiteExpand(): void {
    const depth = this.innermost((o) => o.kind === 'buildkite');
    const index = depth >= 0 ? this.state.open[depth]?.index : undefined;
    const group = index === undefined ? undefined : this.state.groups[index];
    if (group && group.collapsed !== false) {
      group.collapsed = false;
      this.changed = true;
    }
  }

  /** Step end: every open group ends at the step's last line. */
  finish(lastLine: number, ts: number | null): void {
    if (this.state.open.length > 0) this.closeFrom(0, lastLine, ts);
    this.state.overflow = 0;
  }
}
