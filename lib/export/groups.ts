import 'server-only';
import type { Group } from '../contracts';
import { MAX_GROUP_DEPTH } from '../contracts';
import type { ExportGroup } from '../contracts/export';

/**
 * The innermost group of each line of one step, for lines visited in ascending order (an
 * export): groups enter an active list as their opening line is reached and leave it once
 * passed their `end` (an open group, `end: null`, lasts to the step's end). The innermost is
 * the active group opened last, which for properly nested groups (what ingest stores) is the
 * deepest. Cost per line is the depth of the active list, bounded by MAX_GROUP_DEPTH.
 */
export class GroupCursor {
  private readonly sorted: Group[];
  private readonly byId: Map<string, Group>;
  private readonly paths = new Map<string, ExportGroup>();
  private readonly active: Group[] = [];
  private nextIndex = 0;

  constructor(
    groups: readonly Group[],
    private readonly title: (name: string) => string = (name) => name,
  ) {
    this.sorted = [...groups].sort((a, b) => a.start - b.start);
    this.byId = new Map(groups.map((g) => [g.id, g]));
  }

  /** The innermost group holding line `n`; `n` must not decrease between calls. */
  at(n: number): ExportGroup | null {
    while (this.nextIndex < this.sorted.length && this.sorted[this.nextIndex]!.start <= n) this.active.push(this.sorted[this.nextIndex++]!);
    for (let i = this.active.length - 1; i >= 0; i--) {
      const end = this.active[i]!.end;
      if (end !== null && end < n) this.active.splice(i, 1);
    }
    const innermost = this.active.at(-1);
    return innermost ? this.pathOf(innermost) : null;
  }

  private pathOf(group: Group): ExportGroup {
    const cached = this.paths.get(group.id);
    if (cached) return cached;
    const titles: string[] = [];
    // the parent chain is stored data: bounded by the nesting limit, and a cycle cannot loop
    for (let g: Group | undefined = group; g && titles.length <= MAX_GROUP_DEPTH; g = g.parent === null ? undefined : this.byId.get(g.parent)) {
      titles.push(this.title(g.name));
    }
    const value = { id: group.id, path: titles.reverse() };
    this.paths.set(group.id, value);
    return value;
  }
}
