import 'server-only';
/**
 * The forms a secret takes when a build prints it encoded: each registered mask value also
 * masks these (as the GitHub Actions runner's ValueEncoders do, and a few more):
 * - base64 of the value's UTF-8 bytes at the three byte alignments it can have inside a longer
 *   encoded string (`base64("user:" + value)`): the bytes from offset 0, 1 and 2, each cut to
 *   the characters those bytes alone decide (no padding, no last partial character), so the
 *   form matches whatever precedes or follows the value; and the same in base64url;
 * - percent-encoding: `encodeURIComponent`, the RFC 3986 form (also `!'()*`), lowercase hex,
 *   and form encoding (space → `+`);
 * - JSON string escapes: as `JSON.stringify` writes them, and ASCII-only (`\uXXXX`);
 * - XML/HTML escapes of `& < > " '` (`&apos;`, `&#39;` and `&#x27;` for the quote).
 * Forms equal to the value, or shorter than MIN_ENCODED_CHARS, are left out.
 */

/** Shorter derived forms would mask ordinary text (the base64 of one byte is one letter). */
export const MIN_ENCODED_CHARS = 4;

const utf8 = new TextEncoder();

/** The base64 characters decided by `bytes` alone: ⌊8·n/6⌋ of them, no padding. */
function stableBase64(bytes: Uint8Array): string {
  const full = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return full.slice(0, Math.floor((bytes.byteLength * 4) / 3));
}

export function base64Forms(value: string): string[] {
  const bytes = utf8.encode(value);
  const out: string[] = [];
  for (let shift = 0; shift < 3 && shift < bytes.byteLength; shift++) {
    const form = stableBase64(bytes.subarray(shift));
    out.push(form, form.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return out;
}

const hex2 = (c: number): string => c.toString(16).toUpperCase().padStart(2, '0');

export function urlForms(value: string): string[] {
  let component: string;
  try {
    component = encodeURIComponent(value);
  } catch {
    return []; // a lone surrogate has no UTF-8 form
  }
  const strict = component.replace(/[!'()*]/g, (c) => `%${hex2(c.charCodeAt(0))}`);
  return [component, strict, strict.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()), strict.replaceAll('%20', '+')];
}

export function jsonForms(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  const ascii = escaped.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [escaped, ascii];
}

const XML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function xmlForms(value: string): string[] {
  if (!/[&<>"']/.test(value)) return [];
  const base = value.replace(/[&<>"]/g, (c) => XML[c] ?? c);
  return ['&apos;', '&#39;', '&#x27;'].map((quote) => base.replaceAll("'", quote));
}

/** The value and its derived forms, distinct, in a stable order. */
export function maskForms(value: string): string[] {
  const forms = new Set<string>([value]);
  for (const form of [...base64Forms(value), ...urlForms(value), ...jsonForms(value), ...xmlForms(value)]) {
    if (form.length >= MIN_ENCODED_CHARS) forms.add(form);
  }
  return [...forms];
}
