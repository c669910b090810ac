import { describe, expect, it } from 'vitest';
import { MAX_HEADER_NAME_CHARS, safeHeaderText } from './header';

describe('download header names', () => {
  it.each([
    ['plain text stays', 'Build & test ✓ 😀', 'Build & test ✓ 😀'],
    ['ESC and a whole CSI / OSC', 'a\x1b[2J\x1b]0;pwned\x07b', 'a␛[2J␛]0;pwned␇b'],
    ['newlines, CR, TAB, NUL, DEL', 'x\ny\r\tz\x00\x7f', 'x␊y␍␉z␀␡'],
    ['C1 controls (8-bit CSI, NEL)', 'a\u009b31mb\u0085c', 'a?31mb?c'],
    ['line separators and bidi overrides', 'a\u2028b\u2029c\u202eevil\u2066d\u2069', 'a?b?c?evil?d?'],
    ['lone surrogates', 'a\ud800b\udc00c', 'a?b?c'],
  ])('%s', (_name, input, want) => {
    expect(safeHeaderText(input)).toBe(want);
  });

  it('is bounded and never cuts a surrogate pair', () => {
    const long = safeHeaderText('n'.repeat(5000));
    expect(long).toHaveLength(MAX_HEADER_NAME_CHARS);
    expect(long.endsWith('…')).toBe(true);
    const emoji = safeHeaderText(`${'x'.repeat(MAX_HEADER_NAME_CHARS - 2)}😀😀`);
    expect(emoji).toBe(`${'x'.repeat(MAX_HEADER_NAME_CHARS - 2)}…`);
  });

  it('leaves no control, ESC or newline in any input', () => {
    let all = '';
    for (let c = 0; c < 0x100; c++) all += String.fromCharCode(c);
    expect(safeHeaderText(all, 1000)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
