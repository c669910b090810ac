'use client';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode, type ToggleEvent } from 'react';

/** Gap between the button and its menu, and between the menu and the viewport's edges (px). */
const GAP_PX = 4;

/**
 * A button that opens a small menu (role `menu`, items role `menuitem`) of actions on a step,
 * a group or the job. The menu is a native popover: it lies in the browser's top layer, so no
 * row of the virtual list and no overflow of the toolbar covers or clips it, and the browser
 * closes it on Escape or a click outside and gives focus back to the button. It opens under
 * the button (above it near the bottom of the screen), right-aligned with it, and closes when
 * anything scrolls (its row may be about to leave the list).
 *
 * Keyboard: the button opens it with Enter/Space and focuses the first item; ↓/↑ move, Home/End
 * jump, Escape closes. `children` gets `close` for items to call after acting.
 */
export function ActionMenu(props: {
  /** the button's accessible name (and tooltip) */
  label: string;
  /** what the button shows; default `⋯` */
  face?: ReactNode;
  className?: string;
  children: (close: () => void) => ReactNode;
}) {
  const { label, face, className = '', children } = props;
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);

  const items = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ?? [])];
  const close = () => {
    if (menu.current?.matches(':popover-open')) menu.current.hidePopover();
  };

  useEffect(() => {
    if (!open) return;
    const onScroll = (e: Event) => {
      if (!(e.target instanceof Node) || !menu.current?.contains(e.target)) close();
    };
    window.addEventListener('scroll', onScroll, { capture: true, passive: true });
    return () => window.removeEventListener('scroll', onScroll, { capture: true });
  }, [open]);

  const onToggle = (e: ToggleEvent<HTMLDivElement>) => {
    const isOpen = e.newState === 'open';
    setOpen(isOpen);
    const el = menu.current;
    const anchor = button.current;
    if (!isOpen || !el || !anchor) return;
    const at = anchor.getBoundingClientRect();
    const size = el.getBoundingClientRect();
    const left = Math.max(GAP_PX, Math.min(at.right - size.width, window.innerWidth - size.width - GAP_PX));
    const below = at.bottom + GAP_PX;
    const top = below + size.height > window.innerHeight ? Math.max(GAP_PX, at.top - size.height - GAP_PX) : below;
    el.style.left = `${left}px`;
    el.style.top = `${top}px`;
    items()[0]?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // the menu's keys are its own: not the toolbar panel's (overflow-menu.tsx) nor the viewer's shortcuts
    e.stopPropagation();
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    const next =
      e.key === 'ArrowDown' ? (at + 1) % list.length
      : e.key === 'ArrowUp' ? (at - 1 + list.length) % list.length
      : e.key === 'Home' ? 0
      : e.key === 'End' ? list.length - 1
      : -1;
    if (e.key === 'Tab') close();
    if (next < 0 || list.length === 0) return;
    e.preventDefault();
    list[next]?.focus();
  };

  return (
    <>
      <button
        ref={button}
        type="button"
        className={`ls-menu-button ${className}`}
        popoverTarget={id}
        aria-haspopup="menu"
        // no aria-expanded: the browser exposes a popover invoker's state itself, and
        // `button[aria-expanded]` in a section is its header toggle (docs/api.md "DOM hooks")
        data-open={open ? '' : undefined}
        aria-label={label}
        title={label}
      >
        {face ?? <span aria-hidden="true">⋯</span>}
      </button>
      <div ref={menu} id={id} popover="auto" role="menu" aria-label={label} className="ls-popover-menu" onToggle={onToggle} onKeyDown={onKeyDown}>
        {children(close)}
      </div>
    </>
  );
}

/** A menu item that acts (copy). */
export function MenuButton({ onSelect, children, disabled }: { onSelect: () => void; children: ReactNode; disabled?: boolean }) {
  return (
    <button type="button" role="menuitem" tabIndex={-1} className="ls-menu-item" aria-disabled={disabled || undefined} onClick={disabled ? undefined : onSelect}>
      {children}
    </button>
  );
}

/** A menu item that is a link (raw view in a new tab, download). */
export function MenuLink({ href, download, children, onSelect }: { href: string; download?: boolean; children: ReactNode; onSelect: () => void }) {
  return (
    <a
      role="menuitem"
      tabIndex={-1}
      className="ls-menu-item"
      href={href}
      onClick={onSelect}
      {...(download ? { download: '' } : { target: '_blank', rel: 'noopener noreferrer' })}
    >
      {children}
    </a>
  );
}
