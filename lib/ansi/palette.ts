/**
 * Colours for a dark background (#1e1e1e). Based on VS Code's dark terminal theme, with
 * black and blue lifted so that they stay readable on the dark background.
 */
export const DEFAULT_FG = '#d4d4d4';
export const DEFAULT_BG = '#1e1e1e';

export const ANSI_16: readonly string[] = [
  '#5c5c5c', // black
  '#f14c4c', // red
  '#23d18b', // green
  '#e5e510', // yellow
  '#4f8fe6', // blue
  '#d670d6', // magenta
  '#29b8db', // cyan
  '#d4d4d4', // white
  '#8a8a8a', // bright black
  '#ff6e6e', // bright red
  '#5af78e', // bright green
  '#f4f99d', // bright yellow
  '#7ab4ff', // bright blue
  '#ff92d0', // bright magenta
  '#9aedfe', // bright cyan
  '#ffffff', // bright white
];

/** `#rrggbb` → 0xrrggbb */
export function hexToRgb(hex: string): number {
  return Number.parseInt(hex.slice(1), 16);
}
