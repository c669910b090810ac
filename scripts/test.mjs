#!/usr/bin/env node
// `npm test`: lint (ESLint, which keeps the import boundaries), unit + backend conformance
// (vitest) and end-to-end (Playwright in real Chromium), then one closing line
// `N passed, N failed` summing every suite (CI reads it); a lint error counts as one failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureChromium } from './find-chromium.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const results = path.join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
const only = process.argv[2]; // `lint`, `unit` or `e2e` to run one suite

const totals = { passed: 0, failed: 0, skipped: 0 };
let crashed = false;

if (!only || only === 'lint') {
  if (run(bin('eslint'), ['.']) === 0) totals.passed += 1;
  else totals.failed += 1;
}

if (!only || only === 'unit') {
  const unitJson = path.join(results, 'unit.json');
  const status = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitJson}`]);
  if (existsSync(unitJson)) {
    const report = JSON.parse(readFileSync(unitJson, 'utf8'));
    totals.passed += report.numPassedTests ?? 0;
    totals.failed += report.numFailedTests ?? 0;
    totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A suite that failed to load counts as a failure even when no test inside it ran.
    if (status !== 0 && (report.numFailedTests ?? 0) === 0) {
      totals.failed += Math.max(1, report.numFailedTestSuites ?? 0);
    }
  } else if (status !== 0) {
    crashed = true;
  }
}

if (!only || only === 'e2e') {
  let chromium;
  try {
    chromium = ensureChromium();
  } catch (error) {
    console.error(`logscope: ${error.message}`);
    crashed = true;
  }
  if (chromium) {
    const e2eJson = path.join(results, 'e2e.json');
    const status = run(bin('playwright'), ['test', '--reporter=list,json'], {
      LOGSCOPE_CHROMIUM: chromium,
      PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson,
    });
    if (existsSync(e2eJson)) {
      const stats = JSON.parse(readFileSync(e2eJson, 'utf8')).stats ?? {};
      totals.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
      totals.failed += stats.unexpected ?? 0;
      totals.skipped += stats.skipped ?? 0;
      if (status !== 0 && (stats.unexpected ?? 0) === 0) totals.failed += 1;
    } else if (status !== 0) {
      crashed = true;
    }
  }
}

if (crashed) totals.failed += 1;
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
