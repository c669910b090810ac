#!/usr/bin/env node
// Installs dependencies when node_modules is missing or does not match package-lock.json, so
// `npm start` and `npm test` work on a fresh clone with no other step. With a lock file it is
// `npm ci` (exactly the locked versions; it stops if the lock file is out of sync with
// package.json), without one `npm install`.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const lock = path.join(root, 'package-lock.json');
// npm's record of what it installed in node_modules
const installed = path.join(root, 'node_modules', '.package-lock.json');

/** Why node_modules does not match the lock file, or null when it does. */
function mismatch() {
  if (!existsSync(installed)) return 'node_modules is missing';
  const wanted = JSON.parse(readFileSync(lock, 'utf8')).packages ?? {};
  const have = JSON.parse(readFileSync(installed, 'utf8')).packages ?? {};
  for (const [key, entry] of Object.entries(wanted)) {
    if (key === '' || entry.link) continue;
    const got = have[key];
    // another platform's optional package (e.g. @next/swc-darwin-arm64) is locked, not installed
    if (!got && entry.optional) continue;
    if (got?.version !== entry.version) return `${key.replace(/^node_modules\//, '')} is ${got?.version ?? 'missing'}, the lock file has ${entry.version}`;
  }
  return null;
}

if (existsSync(lock)) {
  const why = mismatch();
  if (why) {
    console.error(`logscope: installing dependencies (npm ci: ${why})…`);
    try {
      execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
    } catch {
      console.error('logscope: `npm ci` failed. If it says package.json and package-lock.json are out of sync, run `npm install` and commit package-lock.json.');
      process.exit(1);
    }
  }
} else if (!existsSync(installed)) {
  console.error('logscope: installing dependencies (npm install: no lock file)…');
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
