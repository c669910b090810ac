import type { StepMeta, StepStatus } from '@/lib/contracts';
import { groupsContaining, type GroupNode, type StepSection } from './sections';

/**
 * What the user chose, on top of defaults derived from metadata. Maps (not objects) because
 * group ids come from log text and may be `__proto__`.
 *
 * A section is open when the user toggled it (`open`), else per `mode`: `default` asks the
 * status-based defaults, `expanded`/`collapsed` come from "expand all"/"collapse all".
 * A step is hidden when the user said so (`hidden`), else when it is internal.
 */
export interface ViewState {
  mode: 'default' | 'expanded' | 'collapsed';
  open: ReadonlyMap<string, boolean>;
  hidden: ReadonlyMap<string, boolean>;
}

export const INITIAL_VIEW_STATE: ViewState = { mode: 'default', open: new Map(), hidden: new Map() };

/** Running and failed (or cancelled) steps start open; passed, pending and skipped ones closed. */
export function defaultStepOpen(status: StepStatus): boolean {
  return status === 'running' || status === 'failure' || status === 'cancelled';
}

/**
 * Groups start open in a failed or running step, closed in a passed one — unless the producer
 * said otherwise: Buildkite's `+++` (GitLab `[collapsed=false]`) opens a group, GitLab's
 * `[collapsed=true]` (Buildkite `---`, `~~~`) keeps it closed, except the group holding a
 * failed step's last line, which is where the error is.
 */
export function defaultGroupOpen(section: StepSection, group: GroupNode): boolean {
  const status = section.openAs;
  const failed = status === 'failure' || status === 'cancelled';
  if (group.collapsedHint) return failed && group.start <= section.lines && section.lines <= group.end;
  if (group.expandedHint) return true;
  return failed || status === 'running';
}

function resolve(state: ViewState, key: string, fallback: () => boolean): boolean {
  const chosen = state.open.get(key);
  if (chosen !== undefined) return chosen;
  if (state.mode === 'expanded') return true;
  if (state.mode === 'collapsed') return false;
  return fallback();
}

export function isStepOpen(state: ViewState, section: StepSection): boolean {
  return resolve(state, section.key, () => defaultStepOpen(section.openAs));
}

export function isGroupOpen(state: ViewState, section: StepSection, group: GroupNode): boolean {
  return resolve(state, group.key, () => defaultGroupOpen(section, group));
}

export function isStepHidden(state: ViewState, step: StepMeta): boolean {
  return state.hidden.get(step.id) ?? step.internal === true;
}

export function setOpen(state: ViewState, key: string, open: boolean): ViewState {
  const next = new Map(state.open);
  next.set(key, open);
  return { ...state, open: next };
}

export function setHidden(state: ViewState, step: string, hidden: boolean): ViewState {
  const next = new Map(state.hidden);
  next.set(step, hidden);
  return { ...state, hidden: next };
}

/** "Expand all" / "collapse all": forget per-section toggles, apply to every section, new ones too. */
export function setAll(state: ViewState, open: boolean): ViewState {
  return { ...state, mode: open ? 'expanded' : 'collapsed', open: new Map() };
}

/** Opens (and unhides) whatever stands between the user and line `n` of `section`. */
export function revealLine(state: ViewState, section: StepSection, n: number): ViewState {
  const open = new Map(state.open);
  open.set(section.key, true);
  for (const g of groupsContaining(section.groups, n)) {
    // The marker line itself is the group header: it is visible without opening the group.
    if (g.start !== n) open.set(g.key, true);
  }
  const hidden = new Map(state.hidden);
  hidden.set(section.step.id, false);
  return { ...state, open, hidden };
}
