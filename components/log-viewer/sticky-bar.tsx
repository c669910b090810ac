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
