#!/usr/bin/env node
/**
 * Bundles the example with plain esbuild into dist/: index.html, main.js, main.css. Prints (and
 * writes to dist/size.json) what the viewer adds to the bundle, minified and gzipped.
 *
 * `logscope` is resolved as an installed package (its `exports`: `logscope/viewer`,
 * `logscope/viewer.css`): through a `node_modules/logscope` link to this repository made in a
 * temporary directory, never inside the repository (Next's file watcher would loop on it). In
 * your own app that is simply `npm install logscope`. The viewer is built first
 * (`npm run build:viewer` at the repository root) when dist-viewer/ is missing.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const OUT = path.join(HERE, 'dist');

const modules = path.join(mkdtempSync(path.join(os.tmpdir(), 'logscope-example-')), 'node_modules');
mkdirSync(modules);
symlinkSync(REPO, path.join(modules, 'logscope'), 'dir');
if (!existsSync(path.join(REPO, 'dist-viewer/index.js'))) execFileSync(process.execPath, [path.join(REPO, 'scripts/build-viewer.mjs')], { stdio: 'inherit' });

rmSync(OUT, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { main: path.join(HERE, 'src/main.tsx') },
  outdir: OUT,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  logLevel: 'warning',
  nodePaths: [modules],
});
rmSync(path.dirname(modules), { recursive: true, force: true });

// The same app without Logscope: React and React DOM rendering a paragraph, bundled the same
// way. What the example's bundle holds beyond it is what embedding the viewer adds.
const baseline = await esbuild.build({
  stdin: {
    contents: "import { StrictMode } from 'react';\nimport { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')).render(<StrictMode><p>Host page</p></StrictMode>);\n",
    loader: 'jsx',
    resolveDir: HERE,
  },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  write: false,
  logLevel: 'warning',
});
const baselineJs = baseline.outputFiles[0].text;
copyFileSync(path.join(HERE, 'index.html'), path.join(OUT, 'index.html'));

// What the viewer adds: its JS (as it sits in the bundle) and its stylesheet, minified + gzip.
const gz = (text) => gzipSync(text, { level: 9 }).length;
/** UTF-8 bytes (the minified files may hold non-ASCII characters) */
const bytes = (text) => Buffer.byteLength(text, 'utf8');
const js = readFileSync(path.join(OUT, 'main.js'), 'utf8');
const css = readFileSync(path.join(OUT, 'main.css'), 'utf8');
const viewerJs = readFileSync(path.join(REPO, 'dist-viewer/index.js'), 'utf8');
const viewerCss = readFileSync(path.join(REPO, 'dist-viewer/viewer.css'), 'utf8');
const bundleInputs = result.metafile.outputs[path.relative(process.cwd(), path.join(OUT, 'main.js'))]?.inputs ?? {};
const viewerInBundle = Object.entries(bundleInputs)
  .filter(([file]) => file.includes('dist-viewer/'))
  .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
const size = {
  bundle: { js: bytes(js), jsGzip: gz(js), css: bytes(css), cssGzip: gz(css) },
  // React + React DOM alone (see above)
  baseline: { js: bytes(baselineJs), jsGzip: gz(baselineJs) },
  // the example's bundle minus the baseline: the viewer, its dependencies, its stylesheet (the
  // host page has no other CSS) and the example's own few lines of JSX
  adds: { js: bytes(js) - bytes(baselineJs), jsGzip: gz(js) - gz(baselineJs), css: bytes(css), cssGzip: gz(css) },
  viewer: { js: bytes(viewerJs), jsGzip: gz(viewerJs), css: bytes(viewerCss), cssGzip: gz(viewerCss), jsInBundle: viewerInBundle },
};
writeFileSync(path.join(OUT, 'size.json'), `${JSON.stringify(size, null, 2)}\n`);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `examples/embed-react → dist/: main.js ${kib(size.bundle.js)} (${kib(size.bundle.jsGzip)} gzip), main.css ${kib(size.bundle.css)} (${kib(size.bundle.cssGzip)} gzip); ` +
    `React alone ${kib(size.baseline.js)} (${kib(size.baseline.jsGzip)} gzip); ` +
    `embedding the viewer adds ${size.adds.js} B JS (${size.adds.jsGzip} B gzip) + ${size.adds.css} B CSS (${size.adds.cssGzip} B gzip)`,
);
