import { describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_CHARS, renderLineHtml } from './render';
import { canonicalizeLine } from './terminal';
import { tokenizeCanonical } from './canonical';
import { plainText } from './plain';

const E = '\x1b';
const ST = `${E}\\`;

describe('renderLineHtml', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text', 'hello', 'hello'],
    ['<script> is escaped', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<img onerror> is escaped', '<img src=x onerror="alert(1)">', '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'],
    ['quotes and ampersands', `it's "x" & y`, 'it&#39;s &quot;x&quot; &amp; y'],
    ['escaped inside colour too', `${E}[31m<b>'"</b>${E}[0m`, '<span style="color:var(--ls-ansi-1)">&lt;b&gt;&apos;&quot;&lt;/b&gt;</span>'],
    ['bold + 256 colour (canonical)', `${E}[1m${E}[38;5;208mX${E}[0m`, '<b><span style="color:#ff8700">X</span></b>'],
    ['combined codes are re-canonicalised', `${E}[1;38;5;208mX`, '<b><span style="color:#ff8700">X</span></b>'],
    ['truecolor background', `${E}[48;2;1;2;3mX`, '<span style="background-color:#010203">X</span>'],
    ['italic, underline, strike', `${E}[3m${E}[4m${E}[9mX`, '<i><u><strike>X</strike></u></i>'],
    ['inverse swaps default colours (the theme\'s)', `${E}[7mX`, '<span style="color:var(--ls-bg);background-color:var(--ls-fg);">X</span>'],
    ['inverse of a colour on the default background', `${E}[7m${E}[31mX`, '<span style="color:var(--ls-bg);"><span style="background-color:var(--ls-ansi-1)">X</span></span>'],
    ['inverse of two colours', `${E}[7m${E}[32m${E}[44mX`, '<span style="color:var(--ls-ansi-4)"><span style="background-color:var(--ls-ansi-2)">X</span></span>'],
    ['bright and 256-colour indices 0-15 follow the theme', `${E}[91mA${E}[0m${E}[38;5;12mB`, '<span style="color:var(--ls-ansi-9)">A</span><span style="color:var(--ls-ansi-12)">B</span>'],
    ['dim is a wrapping span', `${E}[2mX${E}[0mY`, '<span style="opacity:0.65">X</span>Y'],
    ['http link', `${E}]8;;https://example.com/a${ST}go${E}]8;;${ST}!`, '<a href="https://example.com/a" target="_blank" rel="noopener noreferrer nofollow">go</a>!'],
    [
      'quotes in a link URL are escaped',
      `${E}]8;;https://e.com/?q="x"&y='z'${ST}go${E}]8;;${ST}`,
      '<a href="https://e.com/?q=&quot;x&quot;&amp;y=&#39;z&#39;" target="_blank" rel="noopener noreferrer nofollow">go</a>',
    ],
    ['javascript: is not a link', `${E}]8;;javascript:alert(1)${ST}go${E}]8;;${ST}`, 'go'],
    ['data: is not a link', `${E}]8;;data:text/html,<script>${ST}go`, 'go'],
    ['link left open is closed', `${E}]8;;http://a.b${ST}go`, '<a href="http://a.b" target="_blank" rel="noopener noreferrer nofollow">go</a>'],
    ['coloured text inside a link', `${E}]8;;http://a.b${ST}${E}[31mgo${E}[0m${E}]8;;${ST}`, '<a href="http://a.b" target="_blank" rel="noopener noreferrer nofollow"><span style="color:var(--ls-ansi-1)">go</span></a>'],
    ['raw \\r and controls are collapsed first', 'bad\rgood\x00', 'good\u2400'],
    ['other CSI is dropped', `a${E}[2Ab${E}[?25l`, 'ab'],
  ];
  it.each(cases)('%s', (_name, text, html) => {
    expect(renderLineHtml(text).html).toBe(html);
  });

  it('truncates visible characters without cutting an escape or a surrogate pair', () => {
    const text = `${E}[31mabc${E}[0m${E}[1mdef😀g${E}[0m`;
    expect(renderLineHtml(text, { maxChars: 4 })).toEqual({ html: '<span style="color:var(--ls-ansi-1)">abc</span><b>d</b>', truncated: true, totalChars: 8 });
    expect(renderLineHtml(text, { maxChars: 7 }).html).toBe('<span style="color:var(--ls-ansi-1)">abc</span><b>def😀</b>'.replace('😀', '&#x1F600;'));
    expect(renderLineHtml(text, { maxChars: 8 }).truncated).toBe(false);
  });

  it('truncates at DEFAULT_RENDER_CHARS by default', () => {
    const r = renderLineHtml('x'.repeat(20_000));
    expect(r.truncated).toBe(true);
    expect(r.totalChars).toBe(20_000);
    expect(r.html).toHaveLength(DEFAULT_RENDER_CHARS);
  });

  it('finishes on a 1 MB line starting with a 13-parameter unterminated CSI', () => {
    const text = `${E}[1;2;3;4;5;6;7;8;9;10;11;12;13${' '.repeat(3)}${'a;'.repeat(500_000)}`;
    const r = renderLineHtml(text);
    expect(r.truncated).toBe(true);
    expect(r.html).not.toContain(E);
  });

  it('finishes on a 1 MB line of repeated unterminated CSIs', () => {
    const text = `${E}[1;2;3;4;5;6;7;8;9;10;11;12;13;`.repeat(30_000);
    const r = renderLineHtml(text);
    expect(r.html).toBe('');
  });

  it('never lets an ESC or a control character through (seeded fuzz)', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['\x1b', '[', ']', '8', ';', ':', 'm', 'K', 'G', '\r', '\b', '\x07', '\\', '1', '3', '<', '"', 'a', '\x00', '\u009b', 'h', 't', 'p', 's', '/', '\ud800'];
    for (let k = 0; k < 2000; k++) {
      let text = '';
      const len = Math.floor(rand() * 40);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
      const canonical = canonicalizeLine(text);
      expect(canonicalizeLine(canonical), JSON.stringify(text)).toBe(canonical);
      expect(tokenizeCanonical(canonical), JSON.stringify(text)).not.toBeNull();
      const { html } = renderLineHtml(text);
      expect(html, JSON.stringify(text)).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/);
      expect(html.replace(/<\/?(?:b|i|u|strike|span|a)(?: [^>]*)?>/g, ''), JSON.stringify(text)).not.toMatch(/[<>]/);
    }
  });
});

describe('plainText', () => {
  it.each([
    ['plain', 'plain'],
    [`${E}[1m${E}[31mred${E}[0m`, 'red'],
    ['50%\r100%', '100%'],
    [`${E}]8;;https://a.b${ST}link${E}]8;;${ST}`, 'link'],
  ])('%j → %j', (text, expected) => expect(plainText(text)).toBe(expected));
});
