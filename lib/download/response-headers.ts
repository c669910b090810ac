import 'server-only';
import type { LogDisposition, LogFormat } from '../contracts';

const EXTENSIONS: Record<LogFormat, string> = { ansi: 'log', text: 'txt', raw: 'raw.log' };

/**
 * The headers of a raw log answer (`GET …/log`), download or raw view alike: plain UTF-8 text,
 * never sniffed, never cached, and inert when a browser shows it (CSP `sandbox`: no script, no
 * plugin, no same-origin access even if a browser were to render it as something else).
 * The raw view (`inline`) is also denied every subresource and every framing
 * (`default-src 'none'`, `frame-ancestors 'none'`): a log shown in a tab loads nothing and is
 * never embedded in another page. The attachment keeps its `sandbox` alone, as it always had.
 */
export const RAW_VIEW_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'";
export const DOWNLOAD_CSP = 'sandbox';

/** `name` is `{job}` or `{job}-{step}`: ids, already validated to a safe character set. */
export function logResponseHeaders(name: string, format: LogFormat, disposition: LogDisposition): Record<string, string> {
  return {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Disposition': `${disposition}; filename="${name}.${EXTENSIONS[format]}"`,
    'Cache-Control': 'no-store',
    'Content-Security-Policy': disposition === 'inline' ? RAW_VIEW_CSP : DOWNLOAD_CSP,
    'X-Content-Type-Options': 'nosniff',
  };
}
