import { headers } from 'next/headers';
import { REMEMBERED_STEP_KEY } from '@/lib/viewer/landing';

/**
 * Runs where the page's HTML has the viewer, before any bundle has loaded:
 * - shows the server-rendered first screen the URL's hash names
 *   (components/log-viewer/first-screen.tsx): each `<template>` lists the links it stands for
 *   ('' for no hash, a step id for `#{step}`); the one that lists the decoded hash is copied
 *   into the empty screen over the log;
 * - without a hash, on a passed job, the screen of the step this browser opened last
 *   (lib/viewer/landing.ts: localStorage's step name, looked up in the screen's
 *   `data-first-screen-remember` name → id map), which is where the viewer will open;
 * - for a link to a line (`#{step}:{n}`, `#L{n}` on a step page), which has no screen, starts
 *   fetching the page of lines the viewer will ask for first, exactly as it will ask
 *   (lib/client/api.ts fetchLinePage takes it over), so that the fetch runs while the bundle
 *   loads instead of after it.
 * The hash is only compared with those lists and put, URL-encoded, into that API URL; it is never
 * written into the page.
 *
 * Static code, no data: it carries the response's CSP nonce (proxy.ts), like Next's own scripts.
 */
const CODE = `(function(){
var h=location.hash.slice(1);try{h=decodeURIComponent(h)}catch(e){return}
var s=document.querySelector('[data-first-screen]');if(!s)return;
if(h===''){try{var rm=JSON.parse(s.getAttribute('data-first-screen-remember')||'null'),rn=localStorage.getItem(${JSON.stringify(REMEMBERED_STEP_KEY)});
if(rm&&rn&&Object.prototype.hasOwnProperty.call(rm,rn)&&typeof rm[rn]==='string')h=rm[rn]}catch(e){}}
var t=s.parentNode.querySelectorAll('template[data-first-screen-for]');
for(var i=0;i<t.length;i++){var k;try{k=JSON.parse(t[i].getAttribute('data-first-screen-for'))}catch(e){continue}
if(!Array.isArray(k)||k.indexOf(h)<0)continue;
s.appendChild(t[i].content.cloneNode(true));s.setAttribute('data-align',t[i].getAttribute('data-align'));s.hidden=false;return}
var only=s.getAttribute('data-first-screen-step'),step,m;
if(only){m=/^L([0-9]{1,9})(?:-L?([0-9]{1,9}))?$/.exec(h);step=only}else{m=/^([^:]{1,200}):([0-9]{1,9})(?:-([0-9]{1,9}))?$/.exec(h);if(m){step=m[1];m=[m[0],m[2],m[3]]}}
if(!m)return;var n=Number(m[1]);if(m[2]!==undefined)n=Math.min(n,Number(m[2]));
var size=Number(s.getAttribute('data-first-screen-page'));if(!(n>=1&&size>=1))return;
var first=Math.floor((n-1)/size)*size+1;
var url=s.getAttribute('data-first-screen-api')+'/steps/'+encodeURIComponent(step)+'/lines?from='+first+'&limit='+size;
window.__logscopePrefetch={url:url,response:fetch(url,{headers:{accept:'application/json'}})};
})()`.replace(/\n/g, '');

/** The nonce of this response's CSP, which proxy.ts put on the request for Next to read. */
export async function cspNonce(): Promise<string | undefined> {
  const csp = (await headers()).get('content-security-policy') ?? '';
  return /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
}

/** Place it after the viewer: the screens it looks for must already be parsed. */
export async function FirstScreenScript() {
  const nonce = await cspNonce();
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: CODE }} />;
}
