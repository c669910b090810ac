'use client';
import { memo } from 'react';
import { ToolButton } from '@/components/ui/button';
import { formatCount } from '@/lib/viewer/format';
import { MAX_ERRORS_PER_STEP } from '@/lib/triage';
import type { ErrorNav } from './use-error-nav';

/**
 * The toolbar's error controls: previous, the count ("12 errors", "3 of 12 errors" on one),
 * next (also `E` / `e`, lib/viewer/shortcuts.ts). Absent while the job has no error line.
 */
export const ErrorNavButtons = memo(function ErrorNavButtons({ nav }: { nav: ErrorNav }) {
  if (nav.total === 0) return null;
  const note = nav.truncated ? ` (steps with more than ${formatCount(MAX_ERRORS_PER_STEP)} errors: the first ${formatCount(MAX_ERRORS_PER_STEP)} are visited)` : '';
  return (
    <span className="ls-errors" data-testid="error-nav">
      <ToolButton onClick={() => void nav.go(-1)} aria-label="Previous error" title="Previous error (E)" aria-keyshortcuts="Shift+E">
        <span aria-hidden="true">▲</span>
      </ToolButton>
      <span className="ls-errors-count" title={`${nav.label}${note}`}>
        <span className="ls-errors-long" data-testid="error-count">
          {nav.label}
        </span>
        {/* a narrow toolbar shows "3/12"; the long form stays the accessible text */}
        <span className="ls-errors-short" aria-hidden="true">
          {nav.short}
        </span>
      </span>
      <ToolButton onClick={() => void nav.go(1)} aria-label="Next error" title="Next error (e)" aria-keyshortcuts="E">
        <span aria-hidden="true">▼</span>
      </ToolButton>
      {nav.error && (
        <span role="alert" className="ls-errors-failed">
          {nav.error}
        </span>
      )}
    </span>
  );
});
