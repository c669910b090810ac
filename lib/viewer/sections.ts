import { MAX_GROUP_DEPTH, type Group, type StepMeta, type StepStatus } from '@/lib/contracts';

/**
 * A group inside a step, after validation: `start` is the opening marker's line (the header
 * replaces it), `end` its last line, both clamped inside the step and inside the parent.
 */
export interface GroupNode {
  id: string;
  /** collapse-state key and `data-section` value: `{step}/{group}` */
  key: string;
  name: string;
  start: number;
  end: number;
  /** the group has not been closed yet (end was null) */
  open: boolean;
  startedAt: number | null;
  endedAt: number | null;
  /** GitLab `[collapsed=true]` */
  collapsedHint: boolean;
  /** The producer asked for the group to start open (Buildkite `+++`, GitLab `[collapsed=false]`). */
  expandedHint: boolean;
  depth: number;
  children: GroupNode[];
}

export interface StepSection {
  step: StepMeta;
  /** collapse-state key and `data-section` value */
  key: string;
  /** line count known to the viewer (metadata or live lines, whichever is higher) */
  lines: number;
  /**
   * The status that decides whether the step and its groups start open: the first one the
   * viewer saw (see DefaultsMemory), so a step watched while running does not fold away
   * under the reader when it passes.
   */
  openAs: StepStatus;
  groups: GroupNode[];
}

export function groupKey(step: string, group: string): string {
  return `${step}/${group}`;
}

/**
 * Builds the group tree of a step from its flat group list. Nesting is derived from line
 * ranges (a stack over groups sorted by start), not from `parent`, so a malformed list can
 * never produce overlapping sections, cycles, or rows outside the step: groups starting past
 * the known lines are left out until their lines arrive; two groups on one marker line keep
 * the first; children are clamped into their parent; nesting beyond MAX_GROUP_DEPTH is dropped.
 */
export function buildGroupTree(stepId: string, groups: readonly Group[], lineCount: number): GroupNode[] {
  const sorted = groups
    .filter((g) => Number.isInteger(g.start) && g.start >= 1 && g.start <= lineCount)
    .map((g) => ({ g, end: Math.max(g.start, Math.min(g.end ?? lineCount, lineCount)) }))
    .sort((a, b) => a.g.start - b.g.start || b.end - a.end);
  const roots: GroupNode[] = [];
  const stack: GroupNode[] = [];
  const seen = new Set<string>();
  for (const { g, end } of sorted) {
    while (stack.length > 0 && stack[stack.length - 1]!.end < g.start) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent && parent.start === g.start) continue;
    if (seen.has(g.id)) continue;
    const depth = parent ? parent.depth + 1 : 0;
    if (depth >= MAX_GROUP_DEPTH) continue;
    seen.add(g.id);
    const node: GroupNode = {
      id: g.id,
      key: groupKey(stepId, g.id),
      name: g.name,
      start: g.start,
      end: parent ? Math.min(end, parent.end) : end,
      open: g.end === null,
      startedAt: g.startedAt,
      endedAt: g.endedAt,
      collapsedHint: g.collapsed === true,
      expandedHint: g.collapsed === false,
      depth,
      children: [],
    };
    (parent ? parent.children : roots).push(node);
    stack.push(node);
  }
  return roots;
}

/**
 * One section per step, in metadata order. `liveLines` raises counts from the live stream;
 * `firstSeen` pins the status that decides default open states.
 */
export function buildSections(
  steps: readonly StepMeta[],
  liveLines?: ReadonlyMap<string, number>,
  firstSeen?: ReadonlyMap<string, StepStatus>,
): StepSection[] {
  return steps.map((step) => {
    const lines = Math.max(step.lines, liveLines?.get(step.id) ?? 0);
    const openAs = firstSeen?.get(step.id) ?? step.status;
    return { step, key: step.id, lines, openAs, groups: buildGroupTree(step.id, step.groups, lines) };
  });
}

/**
 * Remembers, per step, the first status other than `pending` that the viewer saw. Defaults
 * follow that status: a passed step starts collapsed, but one the reader watched run stays
 * open when it passes. Returns whether anything was recorded.
 */
export function rememberStatuses(memory: Map<string, StepStatus>, steps: readonly StepMeta[]): boolean {
  let changed = false;
  for (const step of steps) {
    if (step.status === 'pending' || memory.has(step.id)) continue;
    memory.set(step.id, step.status);
    changed = true;
  }
  return changed;
}

/** The chain of groups (outermost first) whose range contains line `n`. */
export function groupsContaining(groups: readonly GroupNode[], n: number): GroupNode[] {
  const path: GroupNode[] = [];
  let level: readonly GroupNode[] = groups;
  for (;;) {
    const hit = level.find((g) => g.start <= n && n <= g.end);
    if (!hit) return path;
    path.push(hit);
    level = hit.children;
  }
}

/** Every group of a step, depth first. */
export function allGroups(groups: readonly GroupNode[]): GroupNode[] {
  const out: GroupNode[] = [];
  const walk = (level: readonly GroupNode[]) => {
    for (const g of level) {
      out.push(g);
      walk(g.children);
    }
  };
  walk(groups);
  return out;
}
