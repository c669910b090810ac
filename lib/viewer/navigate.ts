import { revealLine, setHidden, setOpen, type ViewState } from './collapse';
import type { JobLink } from './hash';
import { focusOfRow, type RowFocus } from './focus';
import { buildRowModel, indexOfLine, indexOfStep, rowAt } from './rows';
import type { StepSection } from './sections';
import { windowAround } from './window';

export interface NavigationPlan {
  /** view state with the target's step shown and its sections open */
  view: ViewState;
  /** the target's row in the model built from `view` */
  index: number;
  /** start of the row window that holds the target */
  windowStart: number;
  /** the target's row as keyboard focus (lib/viewer/focus.ts) */
  focus: RowFocus;
}

/**
 * The section a deep link leads to: its step, if the viewer shows it (a step page shows only
 * its own step). Every link with a target has a navigation plan, so this answers "does this
 * link go anywhere" without planning it.
 */
export function linkTarget(sections: readonly StepSection[], link: JobLink, onlyStep?: string): StepSection | null {
  if (onlyStep !== undefined && link.step !== onlyStep) return null;
  return sections.find((s) => s.step.id === link.step) ?? null;
}

/**
 * Where a deep link leads: opens (and unhides) the step and the groups around the line,
 * then finds its row and the row window around it. A line beyond what the step has so far
 * leads to the step's last line; an unknown step, or another step than the one a step page
 * shows, leads nowhere (null).
 */
export function planNavigation(
  sections: readonly StepSection[],
  view: ViewState,
  link: JobLink,
  onlyStep?: string,
): NavigationPlan | null {
  const section = linkTarget(sections, link, onlyStep);
  if (!section) return null;
  const n = link.lines ? Math.min(link.lines.from, section.lines) : 0;
  const next = n >= 1 ? revealLine(view, section, n) : setHidden(setOpen(view, section.key, true), section.step.id, false);
  const model = buildRowModel(sections, next, onlyStep !== undefined ? { onlyStep } : {});
  const index = (n >= 1 ? indexOfLine(model, link.step, n) : null) ?? indexOfStep(model, link.step);
  const row = index === null ? null : rowAt(model, index);
  if (index === null || !row) return null;
  return { view: next, index, windowStart: windowAround(model.total, index).start, focus: focusOfRow(row) };
}
