#!/usr/bin/env node
// The `logscope` CLI. The code is TypeScript (lib/cli); tsx, a dependency of the package,
// compiles it on the fly (tsImport scopes its loader to this import), so the CLI works from a
// fresh clone after `npm install` and through `npx logscope`, with no build step. The path is
// resolved from this file, not from the working directory.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('../lib/cli/main.ts', import.meta.url);
const code = await main(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exit(code);
