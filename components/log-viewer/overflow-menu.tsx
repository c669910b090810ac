'use client';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ToolButton } from '@/components/ui/button';

/** The controls of the panel that arrow keys move between (not the items of a menu inside it: action-menu.tsx). */
const ITEMS = 'button:not([disabled]):not([role="menuitem"]), input:not([disabled])';

/**
 * The toolbar's less-used actions. A wide viewer shows them inline and hides the disclosure
 * button; a narrow one (container queries in log-viewer.css, on the viewer's own width, so the
 * server's HTML already has the right layout and nothing moves when the bundle loads) shows the
 * button ("More actions", `aria-expanded`, `aria-controls`) and lists the actions in a panel
 * under it. They are the same elements either way, so they keep their roles and accessible names.
 *
 * Keyboard: Enter/Space (or ↓/↑) on the button opens the panel and focuses its first (last)
 * control; ↓/↑/Home/End move between its controls; Escape closes it and focuses the button.
 * A click outside or focus leaving it closes it. `children` gets `done`, which closes the panel
 * after an action (focus back on the button); it does nothing while the actions are inline.
 *
 * `always`: a disclosure at every width (the display menu), its button showing `icon`.
 */
export function OverflowMenu({ label, children, always = false, icon = '⋯' }: { label: string; children: (done: () => void) => ReactNode; always?: boolean; icon?: ReactNode }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  /** Which control takes focus once the panel has opened. */
  const focusOnOpen = useRef<'first' | 'last' | null>(null);
  const panelId = useId();

  /** The disclosure button: ToolButton takes no ref, and it is the root's first child. */
  const toggle = (): HTMLElement | null => (root.current?.firstElementChild as HTMLElement | null) ?? null;
  const items = (): HTMLElement[] => [...(panel.current?.querySelectorAll<HTMLElement>(ITEMS) ?? [])];

  useEffect(() => {
    if (!open) return;
    const which = focusOnOpen.current;
    focusOnOpen.current = null;
    if (which) {
      const list = items();
      (which === 'first' ? list[0] : list[list.length - 1])?.focus();
    }
    const onPointerDown = (e: PointerEvent) => {
      if (!(e.target instanceof Node) || !root.current?.contains(e.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    return () => document.removeEventListener('pointerdown', onPointerDown, true);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    // the button is not displayed while the actions are inline: focus stays where it is
    const button = toggle();
    if (refocus && button?.checkVisibility()) button.focus();
  };
  const openAt = (which: 'first' | 'last') => {
    focusOnOpen.current = which;
    setOpen(true);
  };

  const onToggleKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (open) {
        const list = items();
        (e.key === 'ArrowDown' ? list[0] : list[list.length - 1])?.focus();
      } else openAt(e.key === 'ArrowDown' ? 'first' : 'last');
    }
  };
  const onPanelKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!open) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close(true);
      return;
    }
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    const next =
      e.key === 'ArrowDown' ? (at + 1) % list.length
      : e.key === 'ArrowUp' ? (at - 1 + list.length) % list.length
      : e.key === 'Home' && !(e.target instanceof HTMLInputElement) ? 0
      : e.key === 'End' && !(e.target instanceof HTMLInputElement) ? list.length - 1
      : -1;
    if (next < 0 || list.length === 0) return;
    e.preventDefault();
    list[next]?.focus();
  };

  return (
    <div
      ref={root}
      className={always ? 'ls-more ls-menu' : 'ls-more'}
      data-open={open ? 'true' : 'false'}
      onBlur={(e) => {
        // focus moved to something outside (Tab, a click elsewhere): the panel closes
        if (open && e.relatedTarget instanceof Node && !root.current?.contains(e.relatedTarget)) setOpen(false);
      }}
    >
      <ToolButton
        className="ls-more-toggle"
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => (open ? close(false) : openAt('first'))}
        onKeyDown={onToggleKey}
      >
        <span aria-hidden="true">{icon}</span>
      </ToolButton>
      <div ref={panel} id={panelId} className="ls-more-panel" role="group" aria-label={label} onKeyDown={onPanelKey}>
        {children(() => {
          if (open) close(true);
        })}
      </div>
    </div>
  );
}
