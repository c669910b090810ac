'use client';

/**
 * The visible side of a wait for a line not written yet (lib/viewer/viewer-state.ts "Wait"):
 * what is waited for, with a cancel; or that it never came, with a dismiss. The live region
 * (live-region.tsx) reads the same words out.
 */
export function LineWait(props: { text: string; waiting: boolean; onClose: () => void }) {
  return (
    <div className="ls-note" data-testid="line-wait" data-waiting={props.waiting ? '' : undefined}>
      <span>{props.text}</span>
      <button type="button" onClick={props.onClose}>
        {props.waiting ? 'Cancel' : 'Dismiss'}
      </button>
    </div>
  );
}
