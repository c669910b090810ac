/**
 * The project's import rules, kept by ESLint (eslint.config.mjs loads this as the `logscope`
 * plugin). Two rules:
 *
 * - `logscope/import-boundaries`: every import (static, `export … from`, `import()`,
 *   `require()`) is resolved to a repository path, whether written `@/lib/x` or
 *   `../../lib/x`, and checked against BOUNDARIES below. Imports flow app → components → lib;
 *   production code never reaches into test code; each of the narrow modules (contracts, SDK,
 *   CLI, browser-shared lib) names what it may import.
 * - `logscope/server-only`: every production module in SERVER_MODULES starts with
 *   `import 'server-only'`, so that a browser bundle which reaches one fails the Next build.
 *   `eslint --fix` adds the line. Outside Next the marker throws unless the `react-server`
 *   condition is set: vitest aliases it away (vitest.config.mts) and the benchmarks run with
 *   `--conditions=react-server` (scripts/bench.ts). The SDK and CLI never reach a server module
 *   (see BOUNDARIES), so `bin/logscope.mjs` needs neither.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folders (and files) whose production modules run only on the server. */
export const SERVER_MODULES = [
  'lib/store/',
  'lib/live/',
  'lib/download/',
  'lib/writes/',
  'lib/http/',
  'lib/search/',
  'lib/sse/',
  'lib/auth/',
  // lib/access's config, links and session are imported by proxy.ts, which cannot import server-only
  'lib/access/principal',
  'lib/access/cors',
  'lib/access/index',
  'lib/access/scope',
  'lib/export/',
  'lib/webhooks/',
  'lib/ingest/',
  'lib/config',
  'lib/errors',
  'lib/diff/server/',
];

/** Test code: suites, helpers and harnesses. Paths are repository-relative, extension removed. */
const TEST_CODE = [
  /^(e2e|test)\//,
  /\.(test|spec|bench)$/,
  /(^|\/)testing\//,
  /(^|\/)test-[^/]+$/,
  /^lib\/store\/conformance(\/|$)/,
];

export const isTestCode = (file) => TEST_CODE.some((pattern) => pattern.test(file));

const BACKEND = /^lib\/store\/(file|postgres|nats)(\/|$)/;
const under = (...folders) => (file) => folders.some((folder) => file === folder || file.startsWith(`${folder}/`));
const SERVER_ONLY_PACKAGE = 'server-only';

/**
 * Each boundary: `from` says which files it governs, `tests` whether test code is governed
 * too, and `check(target)` returns why an import is refused (or nothing). A target is
 * `{ file }` for repository code or `{ pkg }` for a package (`node:fs`, `zod`, `@scope/x`).
 */
const BOUNDARIES = [
  {
    from: under('lib'),
    tests: true,
    check: ({ file }) => file && /^(components|app)(\/|$)/.test(file) && 'lib never imports components or app (imports flow app → components → lib)',
  },
  {
    from: under('components'),
    tests: true,
    check: ({ file }) => file && /^app(\/|$)/.test(file) && 'components never import app (imports flow app → components → lib)',
  },
  {
    from: (file) => BACKEND.test(file),
    tests: true,
    check: ({ file }, importer) =>
      file && BACKEND.test(file) && !isTestCode(file) && BACKEND.exec(file)[1] !== BACKEND.exec(importer)[1] &&
      'a store backend never imports another backend: shared rules live in lib/store',
  },
  {
    from: (file) => /^(app|components|lib|bin)\//.test(file) || /^scripts\/(server|start|ensure-[a-z]+)\.mjs$|^scripts\/demo\.ts$/.test(file),
    tests: false,
    check: ({ file }) => file && isTestCode(file) && 'production code never imports test code (e2e/, test/, *.test.ts, testing/, test-*.ts)',
  },
  {
    from: under('lib/contracts'),
    tests: false,
    check: ({ file, pkg }) => (file ? !under('lib/contracts')(file) : pkg !== 'zod') && 'lib/contracts is shared by server, browser and SDK: it imports only zod',
  },
  {
    from: under('lib/sdk'),
    tests: false,
    check: ({ file, pkg }) =>
      (file ? !under('lib/sdk', 'lib/contracts')(file) : pkg !== 'zod') &&
      'lib/sdk is framework-free and runs in Node and browsers: it imports only lib/sdk, lib/contracts and zod',
  },
  {
    from: under('lib/cli'),
    tests: false,
    check: ({ file, pkg }) =>
      (file ? !under('lib/cli', 'lib/sdk', 'lib/contracts')(file) : /^(next|react|react-dom|server-only)$/.test(pkg)) &&
      'lib/cli is a thin shell over the SDK: from the repository it imports only lib/cli, lib/sdk and lib/contracts, and never next, react or server-only',
  },
  {
    from: under('lib/viewer', 'lib/ansi'),
    tests: false,
    check: ({ file, pkg }) =>
      // lib/triage is pure by the rule below: the viewer reads the error index's rules from it (one home)
      (file ? !under('lib/viewer', 'lib/ansi', 'lib/contracts', 'lib/triage')(file) : pkg === SERVER_ONLY_PACKAGE || pkg.startsWith('node:')) &&
      'lib/viewer and lib/ansi run in the browser: they import only lib/viewer, lib/ansi, lib/contracts, lib/triage and browser-safe packages',
  },
  {
    from: under('lib/triage'),
    tests: false,
    check: ({ file, pkg }) =>
      (file ? !under('lib/triage', 'lib/ansi', 'lib/contracts')(file) : pkg === SERVER_ONLY_PACKAGE || pkg.startsWith('node:')) &&
      'lib/triage is pure (ingest, a worker or the browser): it imports only lib/triage, lib/ansi, lib/contracts and no Node API or server-only',
  },
  {
    from: (file) => !under('components/log-viewer')(file),
    tests: false,
    check: ({ file }) =>
      file && file.startsWith('components/log-viewer/') &&
      'import the viewer through its public entry, components/log-viewer (index.ts)',
  },
];

/** The repository path of a module, without extension or trailing /index. */
const normalise = (file) => file.replace(/\.(tsx?|mjs|cjs|js)$/, '').replace(/\/index$/, '');

/** `{ file }` for code in this repository, `{ pkg }` for a package, null for something outside. */
function resolveTarget(specifier, importerAbsolute) {
  let absolute;
  if (specifier.startsWith('@/')) absolute = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    absolute = path.resolve(path.dirname(importerAbsolute), specifier);
  } else {
    const parts = specifier.split('/');
    return { pkg: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] };
  }
  const relative = path.relative(ROOT, absolute).split(path.sep).join('/');
  return relative.startsWith('..') ? null : { file: normalise(relative) };
}

function repoPath(context) {
  const relative = path.relative(ROOT, context.filename).split(path.sep).join('/');
  return relative.startsWith('..') ? null : relative;
}

const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports respect the project boundaries (scripts/lint/boundaries.mjs)' },
    schema: [],
    messages: {
      refused: '{{why}} (imports {{target}})',
    },
  },
  create(context) {
    const importerFull = repoPath(context);
    if (!importerFull) return {};
    const importer = normalise(importerFull);
    const test = isTestCode(importer);
    const active = BOUNDARIES.filter((b) => b.from(importer) && (b.tests || !test));

    const checkSource = (node) => {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const target = resolveTarget(node.value, context.filename);
      if (!target) return;
      for (const boundary of active) {
        const why = boundary.check(target, importer);
        if (why) {
          context.report({ node, messageId: 'refused', data: { why, target: target.file ?? target.pkg } });
          return;
        }
      }
    };
    return {
      ImportDeclaration: (node) => checkSource(node.source),
      ExportNamedDeclaration: (node) => checkSource(node.source),
      ExportAllDeclaration: (node) => checkSource(node.source),
      ImportExpression: (node) => checkSource(node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) checkSource(node.arguments[0]);
      },
    };
  },
};

const serverOnly = {
  meta: {
    type: 'problem',
    docs: { description: "Server modules (SERVER_MODULES in scripts/lint/boundaries.mjs) import 'server-only'" },
    fixable: 'code',
    schema: [],
    messages: { missing: "A server module starts with `import 'server-only';` so a browser bundle that reaches it fails to build" },
  },
  create(context) {
    const file = repoPath(context);
    if (!file) return {};
    const module = normalise(file);
    const isServer = SERVER_MODULES.some((m) => (m.endsWith('/') ? module.startsWith(m) : module === m));
    if (!isServer || isTestCode(module)) return {};
    return {
      Program(node) {
        const marked = node.body.some(
          (statement) => statement.type === 'ImportDeclaration' && statement.source.value === SERVER_ONLY_PACKAGE && statement.specifiers.length === 0,
        );
        if (marked) return;
        context.report({
          node,
          loc: { line: 1, column: 0 },
          messageId: 'missing',
          fix: (fixer) => fixer.insertTextBeforeRange([0, 0], `import '${SERVER_ONLY_PACKAGE}';\n`),
        });
      },
    };
  },
};

export const logscopePlugin = {
  meta: { name: 'logscope' },
  rules: { 'import-boundaries': importBoundaries, 'server-only': serverOnly },
};
