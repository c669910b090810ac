'use client';
import { StatusIcon } from '@/components/ui/status-icon';
import { formatCount } from '@/lib/viewer/format';
import { groupsContaining, type StepSection } from '@/lib/viewer/sections';

/** Where the top of the list is: the step (and line) of the first row on screen. */
export interface TopRow {
  step: string;
  /** null when the step's own header is the top row (no bar needed) */
  n: number | null;
}

/**
 * The "sticky header": which step (and groups) the rows at the top of the list belong to, once
 * the step's own header has scrolled away. A visual aid only (aria-hidden): the real header
 * row and the steps panel are the accessible controls. A click scrolls to the step header.
 */
export function StickyBar({ section, n, onClick }: { section: StepSection; n: number; onClick: () => void }) {
  const path = groupsContaining(section.groups, n);
  return (
    <div className="ls-sticky" aria-hidden="true" onClick={onClick} data-sticky-step={section.step.id}>
      <span className="ls-chevron ls-chevron-open">▸</span>
      <StatusIcon status={section.step.status} />
      <span className="ls-sticky-name">{section.step.name || section.step.id}</span>
      {path.map((g) => (
        <span key={g.key} className="ls-sticky-group">
          › {g.name}
        </span>
      ))}
      <span className="ls-header-meta">{formatCount(section.lines)} lines</span>
    </div>
  );
}

/** Reads the top row from the DOM under the list's top edge (rows carry data attributes). */
export function readTopRow(scroller: HTMLElement): TopRow | null {
  const box = scroller.getBoundingClientRect();
  // elementsFromPoint, not elementFromPoint: the sticky bar itself lies over that point.
  const row = document
    .elementsFromPoint(box.left + box.width / 2, box.top + 2)
    .map((el) => el.closest<HTMLElement>('.ls-row'))
    .find((el): el is HTMLElement => el !== null && scroller.contains(el));
  if (!row) return null;
  const d = row.dataset;
  if (row.classList.contains('ls-step-header') && d.section) return { step: d.section, n: null };
  const step = d.step ?? d.pendingStep ?? d.groupStep;
  const n = Number(d.line ?? d.pendingLine ?? d.groupLine);
  return step && Number.isInteger(n) ? { step, n } : null;
}
