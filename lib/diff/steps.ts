import type { LineDiff } from './hunks';

/**
 * Which step of the base run a step is compared with, and how many of a step's marked lines
 * (its error lines) a diff shows as new. Pure, for the diff route (lib/diff/server) and the UI.
 */

/** What matching reads of a step (StepMeta has both). */
export interface StepLike {
  readonly id: string;
  readonly name: string;
}

/** A pair of matched steps; `by` says how (`id` first, then `name`). */
export interface StepMatch {
  head: string;
  base: string;
  by: 'id' | 'name';
}

/**
 * Pairs each head step with a base step: first the steps with the same id, then, among the
 * steps still unpaired on both sides, the steps with the same name, in the order they appear on
 * each side (the first head step named `test` takes the first unpaired base step named `test`).
 * A step is in at most one pair. Returns the pairs in head order; an unpaired step has none.
 */
export function matchSteps(head: readonly StepLike[], base: readonly StepLike[]): StepMatch[] {
  const baseIds = new Set(base.map((s) => s.id));
  const taken = new Set<string>();
  const byHead = new Map<string, StepMatch>();
  for (const step of head) {
    if (baseIds.has(step.id) && !taken.has(step.id)) {
      taken.add(step.id);
      byHead.set(step.id, { head: step.id, base: step.id, by: 'id' });
    }
  }
  /** unpaired base steps by name, in base order */
  const byName = new Map<string, string[]>();
  for (const step of base) {
    if (taken.has(step.id)) continue;
    const list = byName.get(step.name);
    if (list) list.push(step.id);
    else byName.set(step.name, [step.id]);
  }
  for (const step of head) {
    if (byHead.has(step.id)) continue;
    const candidate = byName.get(step.name)?.shift();
    if (candidate !== undefined) byHead.set(step.id, { head: step.id, base: candidate, by: 'name' });
  }
  const out: StepMatch[] = [];
  for (const step of head) {
    const match = byHead.get(step.id);
    if (match) out.push(match);
  }
  return out;
}

/**
 * How many of the head lines `lines` (1-based line numbers, e.g. a step's error lines) lie in
 * an `added` or `changed` hunk of `diff`: the lines the head run has and the base run does not.
 * Lines past the diff's head side (a live step grown since) are not counted. O(k log hunks).
 */
export function addedAmong(diff: LineDiff, lines: Iterable<number>): number {
  let count = 0;
  for (const n of lines) {
    const index = diff.hunkAtHeadLine(n);
    if (index === null) continue;
    const kind = diff.hunk(index).kind;
    if (kind === 'added' || kind === 'changed') count++;
  }
  return count;
}
