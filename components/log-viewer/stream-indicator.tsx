import type { StreamState } from './use-live-stream';

const TEXT: Record<StreamState, string> = {
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
  complete: 'Complete',
  deleted: 'Deleted',
};

/**
 * The live/reconnecting/complete indicator. A status, but not a live one: the viewer's one
 * polite live region (live-region.tsx) announces the changes.
 */
export function StreamIndicator({ state }: { state: StreamState }) {
  return (
    <span role="status" aria-live="off" className="ls-stream" data-stream-state={state} data-testid="stream-state">
      <span aria-hidden="true" className="ls-stream-dot" />
      {/* a narrow toolbar shows only the dot; the status keeps its text */}
      <span className="ls-stream-text">{TEXT[state]}</span>
    </span>
  );
}
