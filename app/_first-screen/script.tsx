import { headers } from 'next/headers';

/**
 * Shows, before any bundle has loaded, the server-rendered first screen that the URL's hash
 * names (components/log-viewer/first-screen.tsx): each `<template>` lists the links it stands
 * for ('' for no hash, a step id for `#{step}`); the one that lists the decoded hash is copied
 * into the empty screen over the log. The hash is only compared with those lists, never written
 * into the page. Any other hash (a line link) shows no screen: the viewer opens it once hydrated.
 *
 * Static code, no data: it carries the response's CSP nonce (proxy.ts), like Next's own scripts.
 */
const CODE = `(function(){var h=location.hash.slice(1);try{h=decodeURIComponent(h)}catch(e){return}var t=document.querySelectorAll('template[data-first-screen-for]');for(var i=0;i<t.length;i++){var k;try{k=JSON.parse(t[i].getAttribute('data-first-screen-for'))}catch(e){continue}if(!Array.isArray(k)||k.indexOf(h)<0)continue;var s=t[i].parentNode.querySelector('[data-first-screen]');if(!s)return;s.appendChild(t[i].content.cloneNode(true));s.setAttribute('data-align',t[i].getAttribute('data-align'));s.hidden=false;return}})()`;

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
