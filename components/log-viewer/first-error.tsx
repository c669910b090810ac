'use client';
import type { Line } from '@/lib/contracts';
import { LineHtmlPreview, type LineHtmlCache } from './line-html';

/**
 * A failed step's first error line, under its header: one line (the rest cut by CSS), its
 * colours through the one escaped line renderer (line-html.tsx); a click goes there like a deep
 * link. While the line's page loads, a placeholder of the same height.
 */
export function FirstErrorLine(props: { step: string; n: number; line: Line | undefined; cache: LineHtmlCache; onGo: (step: string, n: number) => void }) {
  const { step, n, line, cache, onGo } = props;
  return (
    <button type="button" className="ls-first-error" data-first-error={n} onClick={() => onGo(step, n)}>
      <span className="ls-first-error-at">
        <span className="sr-only">First error, </span>line {n}
      </span>
      <span className="ls-first-error-text">{line ? <LineHtmlPreview line={line} cache={cache} /> : <span className="ls-skeleton" />}</span>
    </button>
  );
}
