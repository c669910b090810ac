import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inlineStyleHashesIn } from './inline-styles';

const hash = (css: string) => `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A build's app dir with one client reference manifest per route, as Next writes them. */
function appDir(routes: Record<string, Record<string, { path: string; inlined: boolean; content?: string }[]>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logscope-inline-styles-'));
  dirs.push(dir);
  for (const [route, entryCSSFiles] of Object.entries(routes)) {
    const file = path.join(dir, ...route.split('/').filter(Boolean)) + '_client-reference-manifest.js';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      `globalThis.__RSC_MANIFEST = globalThis.__RSC_MANIFEST || {};\nglobalThis.__RSC_MANIFEST[${JSON.stringify(route)}] = ${JSON.stringify({ moduleLoading: {}, entryCSSFiles })};\n`,
    );
  }
  return dir;
}

describe('inlineStyleHashesIn', () => {
  it('hashes every contiguous run of each segment list, so any split between layout and page is allowed', () => {
    const layout = { path: 'static/chunks/a.css', inlined: true, content: 'body{margin:0}' };
    const dir = appDir({
      '/jobs/[job]/page': {
        '[project]/app/layout': [layout],
        '[project]/app/jobs/[job]/page': [layout, { path: 'static/chunks/b.css', inlined: true, content: '.ls-row{height:20px}' }, { path: 'static/chunks/c.css', inlined: true, content: '.x{}' }],
      },
    });
    const got = inlineStyleHashesIn(dir);
    const a = 'body{margin:0}';
    const b = '.ls-row{height:20px}';
    const c = '.x{}';
    expect(got).toEqual([hash(a), hash(b), hash(c), hash(a + b), hash(b + c), hash(a + b + c)].sort());
  });

  it('leaves out files Next links instead of inlining, and reads manifests in nested route folders', () => {
    const dir = appDir({
      '/page': { '[project]/app/page': [{ path: 'static/chunks/linked.css', inlined: false, content: 'p{}' }] },
      '/embed/jobs/[job]/page': { '[project]/app/embed/page': [{ path: 'static/chunks/e.css', inlined: true, content: '.embed{}' }] },
    });
    expect(inlineStyleHashesIn(dir)).toEqual([hash('.embed{}')]);
  });

  it('is empty for a build without manifests', () => {
    expect(inlineStyleHashesIn(appDir({}))).toEqual([]);
  });
});
