import 'server-only';
/**
 * Case folding as a JavaScript RegExp with the `i` flag and without `u` does it (ECMA-262
 * Canonicalize, non-Unicode mode): a code unit stands for its `toUpperCase()` when that is one
 * code unit and does not turn a non-ASCII unit into an ASCII one (so `ſ` is not `s`, and the
 * Kelvin sign is not `k`). Two code units match case-insensitively when their canonical units
 * are equal. Computed once over the 65,536 UTF-16 code units (~10 ms), on first use.
 */

let canonical: Uint16Array | null = null;
/** canonical unit → every unit with that canonical unit, for the units that have more than one */
let variants: Map<number, number[]> | null = null;

function tables(): { canonical: Uint16Array; variants: Map<number, number[]> } {
  if (canonical && variants) return { canonical, variants };
  const canon = new Uint16Array(0x10000);
  const groups = new Map<number, number[]>();
  for (let unit = 0; unit < 0x10000; unit++) {
    const upper = String.fromCharCode(unit).toUpperCase();
    let c = unit;
    if (upper.length === 1) {
      const u = upper.charCodeAt(0);
      if (!(unit >= 128 && u < 128)) c = u;
    }
    canon[unit] = c;
    const group = groups.get(c);
    if (group) group.push(unit);
    else groups.set(c, [unit]);
  }
  for (const [key, group] of groups) if (group.length < 2) groups.delete(key);
  canonical = canon;
  variants = groups;
  return { canonical, variants };
}

/** Every code unit that matches `unit` case-insensitively (`unit` itself included), ascending. */
export function caseVariants(unit: number): readonly number[] {
  const t = tables();
  return t.variants.get(t.canonical[unit] ?? unit) ?? [unit];
}

/** Adds to `set` (a membership array over the 65,536 code units) every case variant of its members. */
export function closeUnderCase(set: Uint8Array): void {
  const t = tables();
  for (const [, group] of t.variants) {
    if (group.some((unit) => set[unit] === 1)) for (const unit of group) set[unit] = 1;
  }
}
