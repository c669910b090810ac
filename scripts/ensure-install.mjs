#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than package-lock.json, so
// `npm start` and `npm test` work on a fresh clone with no other step.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  console.error('logscope: installing dependencies (npm install)…');
  // `npm install`, not `npm ci`: the lock file written on these machines omits other platforms'
  // optional packages, which `npm ci` refuses; install still follows the locked versions.
  execSync('npm install --no-audit --no-fund', {
    cwd: root,
    stdio: 'inherit',
  });
}
