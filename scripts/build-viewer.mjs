#!/usr/bin/env node
/**
 * Builds `logscope/viewer` (components/log-viewer/library.tsx) for React apps that are not this
 * one: `npm run build:viewer` → dist-viewer/
 *   index.js    ESM, minified; React and React DOM stay imports (peer dependencies)
 *   index.d.ts  the public types (library.tsx's exports)
 *   viewer.css  ONE stylesheet: Tailwind compiled now, every rule scoped under `.ls-embed`
 *
 * The CSS is made safe to drop into any page: cascade layers are unwrapped (a host's unlayered
 * rules would otherwise beat every layered one), `@property` registrations are dropped (they are
 * page-global; Tailwind's own fallback block sets the same initial values under the root
 * instead), `:root`/`html`/`body` become the root, and every other selector is prefixed with it.
 * README "Embedding".
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import postcss from 'postcss';
import tailwind from '@tailwindcss/postcss';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist-viewer');
const ENTRY = path.join(ROOT, 'components/log-viewer/library.tsx');
const CSS_ENTRY = path.join(ROOT, 'components/log-viewer/library.css');
/** The class of the viewer's root element (library.tsx), the scope of every rule. */
const SCOPE = '.ls-embed';
const PEERS = ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/client'];

/** Splits a selector list on its top-level commas (not those inside `:is(…)` or `[a=","]`). */
function splitSelectors(list) {
  const out = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(list.slice(start).trim());
  return out.filter((s) => s !== '');
}

/** One selector under the scope: the page's roots become the scope itself. */
function scopeSelector(sel) {
  if (sel === SCOPE || sel.startsWith(`${SCOPE}:`) || sel.startsWith(`${SCOPE}.`) || sel.startsWith(`${SCOPE}[`)) return sel;
  if (sel.startsWith(`${SCOPE} `)) return sel;
  const root = /^(:root|:host|html|body)(?![\w-])/.exec(sel);
  if (root) return `${SCOPE}${sel.slice(root[0].length)}`;
  return `${SCOPE} ${sel}`;
}

/** PostCSS plugin: the scoping described at the top. */
const scopePlugin = {
  postcssPlugin: 'logscope-scope',
  OnceExit(css) {
    // layers: unwrap blocks, drop `@layer a, b;` statements (repeat: layers nest)
    for (let again = true; again; ) {
      again = false;
      css.walkAtRules('layer', (rule) => {
        again = true;
        if (rule.nodes) rule.replaceWith(rule.nodes);
        else rule.remove();
      });
    }
    css.walkAtRules('property', (rule) => rule.remove());
    // Tailwind's fallback for browsers without @property sets the same initial values: always on
    css.walkAtRules('supports', (rule) => {
      if (/-moz-orient|margin-trim/.test(rule.params)) rule.replaceWith(rule.nodes ?? []);
    });
    // keyframe names are page-global too: give each the scope's prefix, and its users the new name
    const renamed = new Map();
    css.walkAtRules(/keyframes$/i, (rule) => {
      const name = `ls-embed-${rule.params.trim()}`;
      renamed.set(rule.params.trim(), name);
      rule.params = name;
    });
    css.walkDecls(/^((-webkit-)?animation(-name)?|--animate-[\w-]+)$/, (decl) => {
      decl.value = decl.value.replace(/[\w-]+/g, (word) => renamed.get(word) ?? word);
    });
    css.walkRules((rule) => {
      const parent = rule.parent;
      if (parent && parent.type === 'atrule' && /keyframes$/i.test(parent.name)) return;
      const scoped = [];
      for (const sel of splitSelectors(rule.selector)) {
        const s = scopeSelector(sel);
        if (!scoped.includes(s)) scoped.push(s);
      }
      rule.selector = scoped.join(',\n');
    });
  },
};

/** Fails the build when a rule escapes the scope (the promise made to the host page). */
function checkScoped(cssText) {
  const root = postcss.parse(cssText);
  const bad = [];
  root.walkRules((rule) => {
    const parent = rule.parent;
    if (parent && parent.type === 'atrule' && /keyframes$/i.test(parent.name)) return;
    for (const sel of splitSelectors(rule.selector)) if (!sel.startsWith(SCOPE)) bad.push(sel);
  });
  root.walkAtRules((rule) => {
    if (/keyframes$/i.test(rule.name) && !rule.params.startsWith('ls-embed-')) bad.push(`@${rule.name} ${rule.params}`);
    if (['layer', 'property', 'import', 'font-face'].includes(rule.name)) bad.push(`@${rule.name} ${rule.params}`);
  });
  if (bad.length > 0) throw new Error(`viewer.css: rules outside ${SCOPE}: ${bad.slice(0, 5).join(' | ')}`);
}

async function buildCss() {
  const source = readFileSync(CSS_ENTRY, 'utf8');
  const result = await postcss([tailwind({ base: ROOT, optimize: { minify: false } }), scopePlugin]).process(source, { from: CSS_ENTRY });
  // minify after scoping (lightningcss ships with Tailwind)
  const { transform } = await import('lightningcss');
  const { code } = transform({ filename: 'viewer.css', code: Buffer.from(result.css), minify: true });
  const css = code.toString();
  checkScoped(css);
  writeFileSync(path.join(OUT, 'viewer.css'), css);
  return css.length;
}

/**
 * lib/contracts writes `import { z } from 'zod'`: through that re-exported namespace esbuild
 * keeps all of zod (450 KB minified). Read as `import * as z` from zod's classic build, only
 * what the schemas use stays (about 100 KB). Same module, same behaviour; only the bundle shrinks.
 */
const ZOD_CLASSIC = path.join(ROOT, 'node_modules/zod/v4/classic/external.js');
const zodNamespace = {
  name: 'zod-namespace',
  setup(build) {
    build.onLoad({ filter: /[\\/]lib[\\/]contracts[\\/][^\\/]+\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      return { contents: text.replace(/^import \{ z \} from 'zod';$/m, `import * as z from ${JSON.stringify(ZOD_CLASSIC)};`), loader: 'ts' };
    });
  },
};

async function buildJs() {
  if (!existsSync(ZOD_CLASSIC)) throw new Error(`${ZOD_CLASSIC} is missing: zod's layout changed, update build-viewer.mjs`);
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    outfile: path.join(OUT, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    external: PEERS,
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // the stylesheet is built on its own (buildCss); the components' CSS imports are for Next
    loader: { '.css': 'empty' },
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "'use client';" },
    // "use client" in the sources: meaningless inside one bundle (the banner keeps it)
    logOverride: { 'module-level-directive': 'silent' },
    legalComments: 'none',
    metafile: true,
    plugins: [zodNamespace],
  });
  return result.metafile.outputs[path.relative(process.cwd(), path.join(OUT, 'index.js'))]?.bytes ?? 0;
}

/** index.d.ts from library.tsx alone: its public types reference only React's. */
function buildTypes() {
  const text = readFileSync(ENTRY, 'utf8');
  const out = ts.transpileDeclaration(text, {
    fileName: ENTRY,
    compilerOptions: { jsx: ts.JsxEmit.ReactJSX, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    reportDiagnostics: true,
  });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (errors.length > 0) throw new Error(`library.tsx declarations: ${errors.join('; ')}`);
  // only React may be referenced by the published types
  const imports = [...out.outputText.matchAll(/from ['"]([^'"]+)['"]/g)].map((m) => m[1]);
  const foreign = imports.filter((m) => m !== 'react');
  if (foreign.length > 0) throw new Error(`index.d.ts would import ${foreign.join(', ')}: keep library.tsx's public types self-contained`);
  writeFileSync(path.join(OUT, 'index.d.ts'), out.outputText);
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const [jsBytes, cssBytes] = await Promise.all([buildJs(), buildCss()]);
buildTypes();
console.log(`logscope/viewer → ${path.relative(ROOT, OUT)}/: index.js ${(jsBytes / 1024).toFixed(1)} KiB, viewer.css ${(cssBytes / 1024).toFixed(1)} KiB, index.d.ts`);
