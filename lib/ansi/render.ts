import Convert from 'ansi-to-html';
import { tokenizeCanonical, type CanonicalToken } from './canonical';
import { ANSI_16, DEFAULT_BG, DEFAULT_FG } from './palette';
import { canonicalizeLine } from './terminal';
import { applySgr, BOLD, DEFAULT_COLOR, DEFAULT_SGR, DIM, INVERSE, ITALIC, sgrFromDefault, STRIKE, UNDERLINE, type Sgr } from './sgr';

/**
 * One stored line → HTML, the only place where log text becomes markup.
 *
 * The text is read by a strict canonical tokenizer; anything else (a line stored before
 * canonicalisation, or hostile text) is first re-canonicalised by the terminal model, so
 * ansi-to-html only ever sees one bounded SGR state in front of a plain text run: no
 * backtracking, no combined codes. Each run is converted on its own (ansi-to-html closes its
 * tags at the end of every call, so `stream: false` keeps one shared Convert stateless).
 * ansi-to-html has no dim or inverse: inverse swaps the colours before conversion (a default
 * colour swapped becomes the theme's, in a span around the run), dim wraps the run in a span.
 * The 16 base colours are CSS variables (palette.ts): the HTML follows the theme it is shown in. OSC 8 links become `<a>` (http/https only, checked again here).
 */

const convert = new Convert({
  escapeXML: true,
  stream: false,
  newline: false,
  fg: DEFAULT_FG,
  bg: DEFAULT_BG,
  colors: [...ANSI_16],
});

const CONVERT_FLAGS = BOLD | ITALIC | UNDERLINE | STRIKE;
const DIM_OPEN = '<span style="opacity:0.65">';

/**
 * Visible characters renderLineHtml renders when its caller names no limit: a bound on the
 * markup one call builds for a line of up to MAX_LINE_BYTES. Not the viewer's "show all"
 * cut-off: the viewer always passes its own limit (lib/viewer's DISPLAY_LINE_CHARS, or the
 * whole line once the user asks for it).
 */
export const DEFAULT_RENDER_CHARS = 16 * 1024;

export interface RenderedLine {
  html: string;
  /** true when the line has more than `maxChars` visible characters */
  truncated: boolean;
  /** visible characters (code points) of the whole line */
  totalChars: number;
}

export function renderLineHtml(text: string, opts: { maxChars?: number } = {}): RenderedLine {
  const maxChars = Math.max(0, opts.maxChars ?? DEFAULT_RENDER_CHARS);
  const tokens = tokenizeCanonical(text) ?? tokenizeCanonical(canonicalizeLine(text)) ?? [];
  return renderTokens(tokens, maxChars);
}

function renderTokens(tokens: readonly CanonicalToken[], maxChars: number): RenderedLine {
  const sgr: Sgr = { ...DEFAULT_SGR };
  let link: string | null = null;
  let openLink: string | null = null;
  let html = '';
  let shown = 0;
  let total = 0;
  for (const token of tokens) {
    if (token.type === 'sgr') applySgr(sgr, token.params);
    else if (token.type === 'link') link = token.url;
    else {
      const chars = countCodePoints(token.text);
      total += chars;
      if (shown >= maxChars) continue;
      const take = Math.min(chars, maxChars - shown);
      const text = take === chars ? token.text : sliceCodePoints(token.text, take);
      shown += take;
      if (link !== openLink) {
        if (openLink !== null) html += '</a>';
        if (link !== null) html += `<a href="${escapeAttr(link)}" target="_blank" rel="noopener noreferrer nofollow">`;
        openLink = link;
      }
      html += runHtml(sgr, text);
    }
  }
  if (openLink !== null) html += '</a>';
  return { html, truncated: total > maxChars, totalChars: total };
}

function runHtml(sgr: Sgr, text: string): string {
  const inverse = (sgr.flags & INVERSE) !== 0;
  const shown: Sgr = {
    flags: sgr.flags & CONVERT_FLAGS,
    fg: inverse ? sgr.bg : sgr.fg,
    bg: inverse ? sgr.fg : sgr.bg,
  };
  const prefix = sgrFromDefault(shown);
  let inner = prefix === '' ? escapeText(text) : convert.toHtml(prefix + text);
  if (inverse) {
    // a default colour has no SGR code: the theme's own, outside the converted run
    const swapped = (sgr.bg === DEFAULT_COLOR ? `color:${DEFAULT_BG};` : '') + (sgr.fg === DEFAULT_COLOR ? `background-color:${DEFAULT_FG};` : '');
    if (swapped) inner = `<span style="${swapped}">${inner}</span>`;
  }
  return sgr.flags & DIM ? DIM_OPEN + inner + '</span>' : inner;
}

function countCodePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const prev = text.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) n--;
    }
  }
  return n;
}

function sliceCodePoints(text: string, count: number): string {
  let i = 0;
  for (let taken = 0; taken < count && i < text.length; taken++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, i);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function escapeAttr(text: string): string {
  return escapeText(text);
}
