#!/usr/bin/env node
// The `logscope` CLI. Its code is TypeScript (lib/cli); tsx, a dependency of the package,
// compiles it on the fly, so the CLI works from a fresh clone after `npm install` and through
// `npx logscope` with no build step. Paths are resolved from this file, not the cwd.
// tsx's CommonJS hook runs in-thread and starts about twice as fast as its ESM loader (whose
// hooks cross to a worker thread for every module of zod); the ESM loader is the fallback in
// case the package ever becomes `"type": "module"`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const entry = '../lib/cli/main.ts';

async function loadMain() {
  try {
    require('tsx/cjs/api').register();
    const loaded = require(entry);
    if (typeof loaded.main === 'function') return loaded.main;
  } catch (error) {
    if (!['ERR_REQUIRE_ESM', 'ERR_REQUIRE_CYCLE_MODULE', 'ERR_REQUIRE_ASYNC_MODULE'].includes(error?.code)) throw error;
  }
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(entry, import.meta.url)).main;
}

const main = await loadMain();
const code = await main(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exit(code);
