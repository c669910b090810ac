import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Port of the server every spec shares (ports 3100-3199 are reserved for tests). */
export const E2E_PORT = Number(process.env.LOGSCOPE_E2E_PORT ?? 3100);
const storeDir = process.env.LOGSCOPE_E2E_STORE ?? mkdtempSync(path.join(os.tmpdir(), 'logscope-e2e-'));
process.env.LOGSCOPE_E2E_STORE = storeDir;

const chromium = process.env.LOGSCOPE_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './e2e',
  // Specs and their helpers may read server modules: `server-only` resolves to its empty module there.
  tsconfig: './e2e/tsconfig.json',
  testMatch: /.*\.spec\.ts/,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    browserName: 'chromium',
    trace: 'off',
    launchOptions: {
      executablePath: chromium,
      // Debian Chromium as root on a machine without network (docs/notes.md); Playwright adds --no-sandbox.
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: 'node scripts/ensure-build.mjs && node scripts/server.mjs',
    url: `http://127.0.0.1:${E2E_PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(E2E_PORT),
      HOST: '127.0.0.1',
      LOGSCOPE_STORE: `file:${storeDir}`,
      NEXT_TELEMETRY_DISABLED: '1',
    },
  },
});
