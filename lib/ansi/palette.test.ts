import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AA_CONTRAST as AA, contrastRatio as contrast } from '../../test/support/contrast';
import { ANSI_16 } from './palette';

/**
 * The themes' colours (components/ui/themes.css, where each token is `light-dark(light, dark)`)
 * read at WCAG AA: 4.5:1 for every ANSI colour and every text colour, on the log's background
 * and on the backgrounds rows and bars take (hover, raised, headers), in both themes.
 */

const CSS = readFileSync(path.join(__dirname, '../../components/ui/themes.css'), 'utf8');

/** `--name: light-dark(#light, #dark)` → [light, dark], for every hex token of the root block. */
function tokens(css: string): Map<string, readonly [string, string]> {
  const out = new Map<string, readonly [string, string]>();
  for (const m of css.matchAll(/(--ls-[a-z0-9-]+):\s*light-dark\(\s*(#[0-9a-f]{6})\s*,\s*(#[0-9a-f]{6})\s*\)/gi)) out.set(m[1]!, [m[2]!, m[3]!]);
  return out;
}

const T = tokens(CSS);
const THEMES = [
  ['light', 0],
  ['dark', 1],
] as const;
const BACKGROUNDS = ['--ls-bg', '--ls-bg-alt', '--ls-raised', '--ls-header'];

/** `--ls-hl: light-dark(rgba(r, g, b, a), rgba(…))`: the selected line's tint, laid over --ls-bg. */
function selectedLine(side: 0 | 1): string {
  const m = /--ls-hl:\s*light-dark\(\s*(rgba\([^)]*\))\s*,\s*(rgba\([^)]*\))\s*\)/.exec(CSS);
  const [r, g, b, a] = (m?.[side + 1] ?? '').replace(/[^0-9.,]/g, '').split(',').map(Number);
  const bg = T.get('--ls-bg')![side];
  const over = (c: number, i: number) => Math.round(parseInt(bg.slice(1 + 2 * i, 3 + 2 * i), 16) * (1 - a!) + c * a!);
  return `rgb(${over(r!, 0)}, ${over(g!, 1)}, ${over(b!, 2)})`;
}
const TEXT = ['--ls-fg', '--ls-fg-strong', '--ls-muted', '--ls-gutter-fg', '--ls-accent', '--ls-err', '--ls-live', '--ls-warn'];

describe('contrast (the formula)', () => {
  it.each([
    ['#000000', '#ffffff', 21],
    ['#ffffff', '#ffffff', 1],
    ['#767676', '#ffffff', 4.54],
    ['#0d1117', '#c9d1d9', 12.26],
    ['rgb(13, 17, 23)', 'rgb(201, 209, 217)', 12.26],
  ])('%s on %s = %d', (a, b, want) => {
    expect(contrast(a, b)).toBeCloseTo(want, 1);
  });
});

describe('themes.css', () => {
  it('defines the 16 ANSI colours the renderer names, and every background and text token', () => {
    expect(ANSI_16).toHaveLength(16);
    for (const [i, ref] of ANSI_16.entries()) {
      expect(ref).toBe(`var(--ls-ansi-${i})`);
      expect(T.has(`--ls-ansi-${i}`), `--ls-ansi-${i}`).toBe(true);
    }
    for (const name of [...BACKGROUNDS, ...TEXT]) expect(T.has(name), name).toBe(true);
  });

  for (const [theme, side] of THEMES) {
    const cases = [...Array.from({ length: 16 }, (_, i) => `--ls-ansi-${i}`), ...TEXT].flatMap((fg) => BACKGROUNDS.map((bg) => [fg, bg] as const));
    it.each(cases)(`${theme}: %s on %s reads at AA (4.5:1)`, (fg, bg) => {
      const ratio = contrast(T.get(fg)![side], T.get(bg)![side]);
      expect(ratio, `${T.get(fg)![side]} on ${T.get(bg)![side]}`).toBeGreaterThanOrEqual(AA);
    });
    it.each([...Array.from({ length: 16 }, (_, i) => `--ls-ansi-${i}`), '--ls-fg'])(`${theme}: %s on a selected line reads at AA (4.5:1)`, (fg) => {
      const bg = selectedLine(side);
      expect(bg).toMatch(/^rgb\(\d+, \d+, \d+\)$/);
      expect(contrast(T.get(fg)![side], bg), `${T.get(fg)![side]} on ${bg}`).toBeGreaterThanOrEqual(AA);
    });
  }
});
