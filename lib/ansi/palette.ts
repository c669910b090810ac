/**
 * The 16 base ANSI colours as CSS variables: their values, one per theme, are in
 * components/ui/themes.css (tuned for readable contrast on each theme's background; checked by
 * palette.test.ts), so a line rendered once follows the theme it is shown in. 256-colour and
 * 24-bit colours are literal: the producer chose them exactly.
 */
export const ANSI_16: readonly string[] = Array.from({ length: 16 }, (_, i) => `var(--ls-ansi-${i})`);

/** The viewer's default text and background colours (themes.css), for inverse video. */
export const DEFAULT_FG = 'var(--ls-fg)';
export const DEFAULT_BG = 'var(--ls-bg)';

