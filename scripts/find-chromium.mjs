#!/usr/bin/env node
// Finds a Chromium for Playwright (it cannot download its own here) and installs Debian's
// `chromium` when none is found and we may (root with apt-get). Prints the path.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = [process.env.LOGSCOPE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium() {
  return CANDIDATES.find((candidate) => candidate && existsSync(candidate)) ?? null;
}

export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) throw new Error('no Chromium found: install Debian\'s `chromium` (apt-get install -y chromium) or set LOGSCOPE_CHROMIUM');
  console.error('logscope: installing Debian chromium for the end-to-end tests…');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
  const installed = findChromium();
  if (!installed) throw new Error('apt-get install chromium finished but no chromium binary was found');
  return installed;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureChromium());
