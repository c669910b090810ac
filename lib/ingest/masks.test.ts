import { describe, expect, it } from 'vitest';
import { base64Forms, jsonForms, maskForms, MIN_ENCODED_CHARS, urlForms, xmlForms } from './mask-encodings';
import { maskMatcher, patternMatcher } from './mask-matcher';
import { findMaskRanges, maskPlain, parseAddMask } from './masks';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('encoded forms', () => {
  it.each([
    ['base64, shift 0/1/2, cut to the characters the bytes decide', base64Forms('hunter22'), ['aHVudGVyMj', 'aHVudGVyMj', 'dW50ZXIyM', 'dW50ZXIyM', 'bnRlcjIy', 'bnRlcjIy']],
    ['base64url when the alphabet differs', base64Forms('>>>???').slice(0, 2), ['Pj4+Pz8/', 'Pj4-Pz8_']],
    ['percent-encoding: component, RFC 3986, lowercase, form', urlForms("a b/c'd"), ["a%20b%2Fc'd", 'a%20b%2Fc%27d', 'a%20b%2fc%27d', 'a+b%2Fc%27d']],
    ['a lone surrogate has no percent form', urlForms('ab\ud800'), []],
    ['JSON: as JSON.stringify writes it, and ASCII-only', jsonForms('a"b\\cé\n'), ['a\\"b\\\\cé\\n', 'a\\"b\\\\c\\u00e9\\n']],
    ['XML/HTML escapes, three spellings of the quote', xmlForms(`<a href="x">'`), [
      '&lt;a href=&quot;x&quot;&gt;&apos;', '&lt;a href=&quot;x&quot;&gt;&#39;', '&lt;a href=&quot;x&quot;&gt;&#x27;',
    ]],
    ['no XML form without a special character', xmlForms('plain'), []],
  ])('%s', (_name, got, want) => expect(got).toEqual(want));

  it('forms are distinct, start with the value, and skip short or identical ones', () => {
    // 'abcd': base64 YWJjZA== keeps the 5 characters its 4 bytes decide; 'cd' (2 bytes) is too short
    expect(maskForms('abcd')).toEqual(['abcd', 'YWJjZ', 'YmNk']);
    const forms = maskForms('p@ss w/rd+"é\'<x>');
    expect(forms[0]).toBe('p@ss w/rd+"é\'<x>');
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms.every((f) => f.length >= MIN_ENCODED_CHARS)).toBe(true);
  });

  // Whatever precedes or follows the value inside the encoded string, one form matches.
  it.each(['', 'u', 'u:', 'us:', 'user:', 'Basic user:'])('base64(%j + value + suffix) is masked', (prefix) => {
    for (const suffix of ['', '\n', 'x', 'xy', ':more']) {
      const encoded = b64(prefix + 'correct-horse-battery' + suffix);
      const masked = maskPlain(`Authorization: ${encoded}`, ['correct-horse-battery']);
      expect(masked, `${prefix}|${suffix}`).toContain('***');
      // what is left of the encoded string is at most 4 characters either side (the prefix's and the value's bits mixed)
      const left = masked.slice('Authorization: '.length).split('***');
      expect(left).toHaveLength(2);
      expect((left[0] ?? '').length).toBeLessThanOrEqual(Math.ceil((prefix.length * 4) / 3) + 3);
    }
  });
});

describe('masks in text', () => {
  const secret = 'p@ss w/rd+"é';
  it.each([
    ['plain', `x ${secret} y`, 'x *** y'],
    // the last character mixes the value's final bits with padding: kept, as the runner does
    ['base64', `x ${b64(secret)} y`, 'x ***Q== y'],
    ['percent-encoded in a URL', `https://h/?p=${encodeURIComponent(secret)}&q=1`, 'https://h/?p=***&q=1'],
    ['form-encoded', `p=${encodeURIComponent(secret).replaceAll('%20', '+')}`, 'p=***'],
    ['JSON-escaped', JSON.stringify({ p: secret }), '{"p":"***"}'],
    ['HTML-escaped', `<b>p@ss w/rd+&quot;é</b>`, '<b>***</b>'],
    ['adjacent forms merge into one ***', `${secret}${secret}`, '***'],
  ])('%s', (_name, text, want) => expect(maskPlain(text, [secret])).toBe(want));

  it('values under MIN or over MAX chars are not matched', () => {
    expect(maskPlain('ab ab', ['ab'])).toBe('ab ab');
    expect(maskPlain('x'.repeat(5000), ['x'.repeat(4097)])).toBe('x'.repeat(5000));
  });

  it('parseAddMask keeps long values (the line hides them; the store refuses them)', () => {
    expect(parseAddMask('::add-mask::  tok  ')).toBe('tok');
    expect(parseAddMask('::add-mask::ab')).toBeNull();
    expect(parseAddMask('::add-mask::' + 'y'.repeat(5000))).toBe('y'.repeat(5000));
    expect(parseAddMask('say ::add-mask::tok')).toBeNull();
  });
});

/** The reference: every occurrence of every pattern, merged (what SecretMasker does). */
function naive(text: string, patterns: string[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const p of patterns) for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) found.push([at, at + p.length]);
  found.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [from, to] of found) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

describe('matcher', () => {
  it.each([
    ['a pattern inside another', ['abcdef', 'cd'], 'xxabcdefxx cd'],
    ['suffix links: a match found through the fail chain', ['abcx', 'bcd', 'cde'], 'abcde'],
    ['overlaps chain into one range', ['aba'], 'abababa'],
    ['a long match ending after shorter ones starts before them', ['zz', 'yy', 'xyyzzw'], 'a yy zz xyyzzw'],
    ['surrogate pairs are two code units', ['😀x😀'], 'a😀x😀b😀'],
    ['adjacent matches merge', ['ab', 'cd'], 'abcd ab cd'],
  ])('%s', (_name, patterns, text) => {
    const want = naive(text, patterns);
    // 30 copies with a suffix each force the automaton (more than the indexOf threshold)
    const many = [...patterns, ...Array.from({ length: 30 }, (_, i) => `never-${i}`)];
    expect(patternMatcher(patterns).ranges(text)).toEqual(want);
    expect(patternMatcher(many).ranges(text)).toEqual(want);
  });

  it('agrees with the reference on random text (indexOf and automaton)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (len: number) => Array.from({ length: len }, () => 'abc'[rand(3)]).join('');
    for (let round = 0; round < 300; round++) {
      const patterns = Array.from({ length: 1 + rand(40) }, () => word(1 + rand(5)));
      const text = word(rand(60));
      expect(patternMatcher(patterns).ranges(text), `${patterns.join(',')} in ${text}`).toEqual(naive(text, [...new Set(patterns)]));
    }
  });

  it('is reused for the same mask list', () => {
    expect(maskMatcher(['same-one'])).toBe(maskMatcher(['same-one']));
    expect(findMaskRanges('a same-one b', ['same-one'])).toEqual([[2, 10]]);
  });
});
