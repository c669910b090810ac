'use client';
import { memo } from 'react';
import type { Line } from '@/lib/contracts';
import { MAX_LINE_BYTES } from '@/lib/contracts';
import { renderLineHtml } from '@/lib/ansi/render';
import { DISPLAY_LINE_CHARS } from '@/lib/viewer/constants';
import { formatCount } from '@/lib/viewer/format';

type Rendered = ReturnType<typeof renderLineHtml>;

/**
 * Per-viewer cache of rendered lines. Keyed by the line object (pages and the live tail hold
 * immutable lines), so an entry lives exactly as long as the line is cached anywhere.
 */
export class LineHtmlCache {
  private readonly short = new WeakMap<Line, Rendered>();
  private readonly full = new WeakMap<Line, Rendered>();

  get(line: Line, all: boolean): Rendered {
    const cache = all ? this.full : this.short;
    let r = cache.get(line);
    if (!r) {
      r = renderLineHtml(line.text, { maxChars: all ? MAX_LINE_BYTES : DISPLAY_LINE_CHARS });
      cache.set(line, r);
    }
    return r;
  }
}

/**
 * A line's rendered HTML on its own (a failed step's first error in its header): the same
 * cached, escaped rendering, cut at DISPLAY_LINE_CHARS (the header shows one line of it).
 */
export const LineHtmlPreview = memo(function LineHtmlPreview(props: { line: Line; cache: LineHtmlCache }) {
  return <span className="ls-text" dangerouslySetInnerHTML={{ __html: props.cache.get(props.line, false).html }} />;
});

/**
 * The one place in the UI that inserts HTML: the output of renderLineHtml (lib/ansi), which
 * escapes the text and emits only its own styled spans and vetted links. Long lines are cut at
 * DISPLAY_LINE_CHARS with a "show all" control.
 */
export const LineHtml = memo(function LineHtml(props: {
  line: Line;
  cache: LineHtmlCache;
  expanded: boolean;
  onExpand: (n: number) => void;
}) {
  const { line, cache, expanded, onExpand } = props;
  const r = cache.get(line, expanded);
  return (
    <>
      <span className="ls-text" dangerouslySetInnerHTML={{ __html: r.html }} />
      {r.truncated && (
        <button type="button" className="ls-show-all" onClick={() => onExpand(line.n)}>
          show all {formatCount(r.totalChars)} chars
        </button>
      )}
    </>
  );
});
