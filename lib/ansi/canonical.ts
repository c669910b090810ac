import { applySgr, type Sgr } from './sgr';
import { isSafeLinkUrl } from './links';

/**
 * A strict reader of canonical stored text (what ingest writes): text, one-attribute SGRs
 * and `ESC]8;;URL ESC\` links. It returns null on anything else, so the renderer can
 * re-canonicalise first and ansi-to-html never sees a sequence it mis-parses or
 * backtracks on. Linear time: each sequence is read with a bounded look-ahead.
 */

export type CanonicalToken =
  | { type: 'text'; text: string }
  | { type: 'sgr'; params: number[][] }
  | { type: 'link'; url: string | null };

/** The longest canonical SGR: `ESC[48;2;255;255;255m` (20 chars). */
const MAX_SGR_CHARS = 24;
const SINGLE_CODES = new Set([0, 1, 2, 3, 4, 7, 9, 30, 31, 32, 33, 34, 35, 36, 37, 40, 41, 42, 43, 44, 45, 46, 47, 90, 91, 92, 93, 94, 95, 96, 97, 100, 101, 102, 103, 104, 105, 106, 107]);
const EXTENDED = /^[34]8;(?:5;(\d{1,3})|2;(\d{1,3});(\d{1,3});(\d{1,3}))$/;
/** Controls other than TAB, C1 controls, and (possibly lone) surrogates need a closer look. */
const SPECIAL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]/;

function validSgrBody(body: string): number[][] | null {
  if (/^\d{1,3}$/.test(body)) return SINGLE_CODES.has(Number(body)) ? [[Number(body)]] : null;
  const m = EXTENDED.exec(body);
  if (!m) return null;
  const values = body.split(';').map(Number);
  if (values.slice(2).some((v) => v > 255)) return null;
  return values.map((v) => [v]);
}

export function tokenizeCanonical(text: string): CanonicalToken[] | null {
  const tokens: CanonicalToken[] = [];
  const len = text.length;
  let i = 0;
  while (i < len) {
    let j = text.indexOf('\x1b', i);
    if (j < 0) j = len;
    if (j > i) {
      const chunk = text.slice(i, j);
      if (SPECIAL.test(chunk) && !wellFormedPrintable(chunk)) return null;
      tokens.push({ type: 'text', text: chunk });
    }
    if (j >= len) break;
    const kind = text.charCodeAt(j + 1);
    if (kind === 0x5b) {
      const end = text.indexOf('m', j + 2);
      if (end < 0 || end - j > MAX_SGR_CHARS) return null;
      const params = validSgrBody(text.slice(j + 2, end));
      if (!params) return null;
      tokens.push({ type: 'sgr', params });
      i = end + 1;
    } else if (kind === 0x5d && text.startsWith(']8;;', j + 1)) {
      const end = text.indexOf('\x1b\\', j + 5);
      if (end < 0) return null;
      const url = text.slice(j + 5, end);
      if (url !== '' && !isSafeLinkUrl(url)) return null;
      tokens.push({ type: 'link', url: url === '' ? null : url });
      i = end + 2;
    } else {
      return null;
    }
  }
  return tokens;
}

/** Surrogates are fine when paired; any control is not. */
function wellFormedPrintable(chunk: string): boolean {
  for (let k = 0; k < chunk.length; k++) {
    const c = chunk.charCodeAt(k);
    if (c < 0x20 ? c !== 0x09 : c >= 0x7f && c <= 0x9f) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = chunk.charCodeAt(k + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      k++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

export function applyToken(sgr: Sgr, token: CanonicalToken & { type: 'sgr' }): void {
  applySgr(sgr, token.params);
}
