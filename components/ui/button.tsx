import type { ButtonHTMLAttributes } from 'react';

/** The dense toolbar button used across the viewer. */
export function ToolButton({ className = '', ...props }: ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="button"
      className={`inline-flex h-6 items-center gap-1 rounded border border-[var(--ls-border)] bg-[var(--ls-raised)] px-2 text-xs text-[var(--ls-fg)] hover:border-[var(--ls-accent)] focus-visible:outline focus-visible:outline-1 focus-visible:outline-[var(--ls-accent)] disabled:opacity-40 ${className}`}
      {...props}
    />
  );
}
