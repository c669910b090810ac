import { headers } from 'next/headers';

/**
 * Shows, before any bundle has loaded, the server-rendered first screen (components/log-viewer/first-screen.tsx) that
 * the URL's hash names: '' without a hash, the step id for `#{step}`. The hash is only compared
 * with the variants' `data-first-screen` values, never written into the page. Any other hash (a
 * line link) shows none: the viewer opens it once hydrated.
 *
 * Static code, no data: it carries the response's CSP nonce (proxy.ts), like Next's own scripts.
 */
const CODE = `(function(){var h=location.hash.slice(1);try{h=decodeURIComponent(h)}catch(e){return}var s=document.querySelectorAll('[data-first-screen]');for(var i=0;i<s.length;i++)if(s[i].getAttribute('data-first-screen')===h){s[i].hidden=false;break}})()`;

/** The nonce of this response's CSP, which proxy.ts put on the request for Next to read. */
async function cspNonce(): Promise<string | undefined> {
  const csp = (await headers()).get('content-security-policy') ?? '';
  return /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
}

/** Place it after the viewer: the screens it looks for must already be parsed. */
export async function FirstScreenScript() {
  const nonce = await cspNonce();
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: CODE }} />;
}
