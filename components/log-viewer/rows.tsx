'use client';
import { memo, type MouseEvent, type ReactNode } from 'react';
import type { Line, StepMeta } from '@/lib/contracts';
import { StatusIcon } from '@/components/ui/status-icon';
import { elapsed, formatCount, formatDuration } from '@/lib/viewer/format';
import { isClosingMarker } from '@/lib/viewer/group-title';
import type { GroupNode } from '@/lib/viewer/sections';
import { GroupActions, StepActions } from './copy-actions';
import { LineHtml, type LineHtmlCache } from './line-html';
import { LineStamp } from './line-stamp';
import { StepCompareLink } from './run-strip';

/** Indent per nesting level, in `ch` of the monospace font. */
const INDENT_CH = 2;

function Chevron({ open }: { open: boolean }) {
  return (
    <span aria-hidden="true" className={`ls-chevron ${open ? 'ls-chevron-open' : ''}`}>
      ▸
    </span>
  );
}

export const StepHeaderRow = memo(function StepHeaderRow(props: {
  step: StepMeta;
  lines: number;
  open: boolean;
  now: number;
  stepHref: string | null;
  onToggle: (key: string, open: boolean) => void;
  /** shown on its own line under the header (a failed step's first error, first-error.tsx) */
  extra?: ReactNode;
}) {
  const { step, lines, open, now, stepHref, onToggle, extra } = props;
  const took = elapsed(step.startedAt, step.endedAt, now);
  return (
    <div className="ls-row ls-step-header" data-section={step.id} data-status={step.status}>
      <button type="button" className="ls-header-button" aria-expanded={open} onClick={() => onToggle(step.id, !open)}>
        <Chevron open={open} />
        <StatusIcon status={step.status} />
        <span className="ls-header-name">{step.name || step.id}</span>
        {step.internal && <span className="ls-tag">internal</span>}
        <span className="ls-header-meta">
          {took !== null && <span>{formatDuration(took)}</span>}
          <span>{formatCount(lines)} lines</span>
        </span>
      </button>
      {stepHref && (
        <a className="ls-header-link" href={stepHref} title="Open this step alone">
          <span aria-hidden="true">↗</span>
          <span className="sr-only">Open step {step.name || step.id} alone</span>
        </a>
      )}
      <StepCompareLink step={step} />
      <StepActions step={step} lines={lines} />
      {extra}
    </div>
  );
});

export const GroupHeaderRow = memo(function GroupHeaderRow(props: {
  group: GroupNode;
  /** the marker line's title (see groupTitle) */
  title: string;
  stepId: string;
  open: boolean;
  highlighted: boolean;
  now: number;
  onToggle: (key: string, open: boolean) => void;
  /** the timestamp gutter of the marker line (absent: timestamps off) */
  ts?: string;
  gap?: string | null;
}) {
  const { group, title, stepId, open, highlighted, now, onToggle } = props;
  const took = elapsed(group.startedAt, group.open ? null : group.endedAt, now);
  return (
    <div
      className="ls-row ls-group-header"
      data-section={group.key}
      data-group-step={stepId}
      data-group-line={group.start}
      data-highlighted={highlighted ? '' : undefined}
      data-gap={props.gap || undefined}
    >
      <span className="ls-gutter" data-n={group.start} />
      {props.ts !== undefined && <LineStamp ts={props.ts} gap={props.gap ?? null} />}
      <button
        type="button"
        className="ls-header-button"
        aria-expanded={open}
        onClick={() => onToggle(group.key, !open)}
        style={group.depth > 0 ? { paddingLeft: `${group.depth * INDENT_CH}ch` } : undefined}
      >
        <Chevron open={open} />
        <span className="ls-header-name">{title}</span>
        {title !== group.name && <span className="ls-header-sub">{group.name}</span>}
        <span className="ls-header-meta">
          {took !== null && <span>{formatDuration(took)}</span>}
          <span>{formatCount(group.end - group.start)} lines</span>
        </span>
      </button>
      <GroupActions stepId={stepId} group={group} title={title} />
    </div>
  );
});

export const LineRow = memo(function LineRow(props: {
  stepId: string;
  n: number;
  depth: number;
  line: Line | undefined;
  href: string;
  highlighted: boolean;
  expanded: boolean;
  cache: LineHtmlCache;
  onLineClick: (step: string, n: number, extend: boolean) => void;
  onExpand: (step: string, n: number) => void;
  /** the timestamp gutter (absent: timestamps off) */
  ts?: string;
  gap?: string | null;
}) {
  const { stepId, n, depth, line, href, highlighted, expanded, cache, onLineClick, onExpand } = props;
  const stamp = props.ts !== undefined && <LineStamp ts={props.ts} gap={props.gap ?? null} />;
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.altKey) return;
    e.preventDefault();
    onLineClick(stepId, n, e.shiftKey);
  };
  const indent = depth > 0 ? { paddingLeft: `${depth * INDENT_CH}ch` } : undefined;
  if (!line) {
    return (
      <div className="ls-row ls-line ls-pending" data-pending-step={stepId} data-pending-line={n} aria-busy="true">
        <span className="ls-gutter" data-n={n} />
        {stamp}
        <span className="ls-content" style={indent}>
          <span className="ls-skeleton" />
        </span>
      </div>
    );
  }
  return (
    <div
      className={`ls-row ls-line ${line.stream === 'err' ? 'ls-stderr' : ''} ${isClosingMarker(line.text) ? 'ls-marker' : ''}`}
      data-step={stepId}
      data-line={n}
      data-highlighted={highlighted ? '' : undefined}
      data-gap={props.gap || undefined}
    >
      <a className="ls-gutter" href={href} data-n={n} onClick={click} aria-label={`Line ${n}`} tabIndex={-1} />
      {stamp}
      <span className="ls-content" style={indent}>
        <LineHtml line={line} cache={cache} expanded={expanded} onExpand={(k) => onExpand(stepId, k)} />
      </span>
    </div>
  );
});
