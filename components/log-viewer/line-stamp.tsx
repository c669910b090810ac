/**
 * The timestamp gutter of a row (Shift+T; lib/viewer/timestamps.ts): the line's stamp, then the
 * pause before it when that is over the threshold. Both are CSS content (log-viewer.css), like
 * line numbers: never part of copied text.
 */
export function LineStamp({ ts, gap }: { ts: string; gap: string | null }) {
  return (
    <>
      <span className="ls-ts" data-ts={ts} />
      <span className="ls-gap" data-gap={gap ?? ''} title={gap ? `${gap.slice(1)} after the previous line` : undefined} />
    </>
  );
}
