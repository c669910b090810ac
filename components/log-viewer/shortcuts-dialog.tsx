'use client';
import { useEffect, useId, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { SHORTCUTS, type Shortcut } from '@/lib/viewer/shortcuts';

/** The overlay's sections, in this order (a group with no shortcut is left out). */
const GROUPS: readonly Shortcut['group'][] = ['Navigate', 'Search', 'Display', 'Help'];
const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * The shortcuts overlay (`?`): the one table of keys (lib/viewer/shortcuts.ts), grouped. A modal
 * `<dialog>`: the rest of the page is inert while it is open, Tab and Shift+Tab cycle inside it,
 * Escape, its Close button, `?` again or a click on the backdrop close it, and focus goes back to
 * where it was when it opened.
 */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      dialog.querySelector<HTMLElement>('.ls-shortcuts-close')?.focus();
    } else if (!open && dialog.open) dialog.close();
  }, [open]);

  const onDialogClose = () => {
    const target = returnTo.current;
    returnTo.current = null;
    if (target?.isConnected) target.focus();
    onClose();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab') return;
    const items = [...(ref.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    const at = document.activeElement;
    if (e.shiftKey && (at === first || !ref.current?.contains(at))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (at === last || !ref.current?.contains(at))) {
      e.preventDefault();
      first.focus();
    }
  };
  // a click on the backdrop lands on the dialog element itself
  const onClick = (e: MouseEvent<HTMLDialogElement>) => {
    if (e.target === ref.current) ref.current.close();
  };

  return (
    <dialog ref={ref} className="ls-shortcuts" aria-labelledby={titleId} onClose={onDialogClose} onKeyDown={onKeyDown} onClick={onClick}>
      <div className="ls-shortcuts-body">
        <div className="ls-shortcuts-head">
          <h2 id={titleId}>Keyboard shortcuts</h2>
          <button type="button" className="ls-shortcuts-close" onClick={() => ref.current?.close()}>
            Close
          </button>
        </div>
        {open &&
          GROUPS.map((group) => {
            const keys = SHORTCUTS.filter((s) => s.group === group);
            if (keys.length === 0) return null;
            return (
              <section key={group} aria-label={group}>
                <h3>{group}</h3>
                <dl>
                  {keys.map((s) => (
                    <div key={s.id} className="ls-shortcut" data-shortcut={s.id}>
                      <dt>
                        <kbd className="ls-kbd">{s.label}</kbd>
                      </dt>
                      <dd>{s.description}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            );
          })}
      </div>
    </dialog>
  );
}
