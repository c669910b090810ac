/**
 * The CSP hashes of the stylesheets Next inlines into each page (next.config.js
 * `experimental.inlineCss`). Inlined, a page's CSS arrives with its HTML instead of as a
 * render-blocking request after it: the first line of a 10k-line job showed in a median of
 * 339 ms instead of 704 ms in a cold browser on this machine (README "First paint"). Next writes
 * those <style> elements without the request's nonce, so the page CSP allows them by hash:
 * each is the concatenation of one route segment's CSS files, as the build's client reference
 * manifests list them (`entryCSSFiles`, with each file's `content`). Every contiguous run of
 * each list is hashed, so the hash holds however Next splits a list between a layout and its
 * page. Read once, from the build this server runs; e2e/hardening.spec.ts loads the pages under
 * the CSP and fails on any violation, so a Next that groups them otherwise is caught by a test,
 * not by a user. No `server-only`: proxy.ts (Node runtime) imports it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/** A manifest is our own build's output, but it is still code: evaluated in an empty context, bounded. */
const MANIFEST_EVAL_MS = 1_000;
/** Longer lists than this are hashed whole and file by file only (no build here comes near it). */
const MAX_RUN_FILES = 12;

interface CssFile {
  path?: unknown;
  inlined?: unknown;
  content?: unknown;
}

/** The `entryCSSFiles` lists of one evaluated manifest file (one per route segment). */
function cssLists(source: string): string[][] {
  const sandbox: Record<string, unknown> = {};
  sandbox.globalThis = sandbox;
  sandbox.self = sandbox;
  vm.runInNewContext(source, sandbox, { timeout: MANIFEST_EVAL_MS });
  const manifests = sandbox.__RSC_MANIFEST;
  if (typeof manifests !== 'object' || manifests === null) return [];
  const lists: string[][] = [];
  for (const manifest of Object.values(manifests as Record<string, { entryCSSFiles?: Record<string, CssFile[]> }>)) {
    for (const files of Object.values(manifest?.entryCSSFiles ?? {})) {
      if (!Array.isArray(files)) continue;
      const inlined = files.filter((f) => f.inlined === true && typeof f.content === 'string').map((f) => f.content as string);
      if (inlined.length > 0) lists.push(inlined);
    }
  }
  return lists;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Every `*_client-reference-manifest.js` under `dir`. */
function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...manifestFiles(full));
    else if (entry.name.endsWith('_client-reference-manifest.js')) out.push(full);
  }
  return out;
}

/** The `'sha256-…'` sources for the inlined styles of the build in `appDir` (sorted, unique). */
export function inlineStyleHashesIn(appDir: string): string[] {
  const hashes = new Set<string>();
  for (const file of manifestFiles(appDir)) {
    for (const list of cssLists(fs.readFileSync(file, 'utf8'))) {
      if (list.length > MAX_RUN_FILES) {
        hashes.add(sha256(list.join('')));
        for (const css of list) hashes.add(sha256(css));
        continue;
      }
      for (let from = 0; from < list.length; from++) {
        for (let to = from + 1; to <= list.length; to++) hashes.add(sha256(list.slice(from, to).join('')));
      }
    }
  }
  return [...hashes].sort();
}

let cached: readonly string[] | null = null;

/**
 * The hashes for the build this server runs (`.next/server/app` under the working directory),
 * computed on first use. None when there is no build there (dev, tests): the styles are then
 * stylesheets, or dev's CSP allows inline styles anyway.
 */
export function inlineStyleHashes(): readonly string[] {
  if (cached) return cached;
  const appDir = path.join(process.cwd(), '.next', 'server', 'app');
  try {
    cached = fs.existsSync(appDir) ? inlineStyleHashesIn(appDir) : [];
  } catch (err) {
    console.error(`logscope: inline style hashes not read (pages keep their CSS as stylesheets only): ${err instanceof Error ? err.message : String(err)}`);
    cached = [];
  }
  return cached;
}
