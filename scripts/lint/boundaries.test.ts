import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The real eslint.config.mjs, run on code that is not in the tree: each case names the file
// it pretends to be, and the rules that must (or must not) fire.
const root = path.resolve(__dirname, '../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  if (!result) throw new Error(`no lint result for ${filePath}`);
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const SERVER = "import 'server-only';\n";

describe('the linter refuses a wrong import', () => {
  it.each([
    ['lib reaching components through the alias', 'lib/viewer/wrong.ts', "import { LogViewer } from '@/components/log-viewer';\nexport { LogViewer };\n"],
    ['lib reaching components by a relative path', 'lib/store/file/wrong.ts', `${SERVER}import { Button } from '../../../components/ui/button';\nexport { Button };\n`],
    ['lib reaching app', 'lib/live/wrong.ts', `${SERVER}export { GET } from '@/app/api/health/route';\n`],
    ['components reaching app', 'components/jobs/wrong.tsx', "import Providers from '../../app/providers';\nexport { Providers };\n"],
    ['one store backend importing another', 'lib/store/nats/wrong.ts', `${SERVER}import { PostgresStore } from '../postgres/store';\nexport { PostgresStore };\n`],
    ['one store backend importing another through the alias', 'lib/store/postgres/wrong.ts', `${SERVER}export * from '@/lib/store/file';\n`],
    ['production code importing e2e', 'lib/writes/wrong.ts', `${SERVER}import { startLogscope } from '../../e2e/support/processes';\nexport { startLogscope };\n`],
    ['a route importing a test harness', 'app/api/wrong/route.ts', "export { helper } from '@/test/support/harness';\n"],
    ['production code importing a test helper beside it', 'lib/store/postgres/wrong.ts', `${SERVER}export { freshPgDatabase } from './test-db';\n`],
    ['a component importing the viewer past its index', 'components/ui/wrong.tsx', "import { fetchJob } from '@/components/log-viewer/api';\nexport { fetchJob };\n"],
    ['the SDK importing next', 'lib/sdk/wrong.ts', "import { NextResponse } from 'next/server';\nexport { NextResponse };\n"],
    ['the SDK importing a server module', 'lib/sdk/wrong.ts', "import { AppError } from '../errors';\nexport { AppError };\n"],
    ['the CLI importing the store', 'lib/cli/wrong.ts', "export { getStore } from '@/lib/store/instance';\n"],
    ['browser-shared lib importing a server module', 'lib/viewer/wrong.ts', "export { sameJson } from '../store/postgres/same-json';\n"],
    ['triage importing a Node API', 'lib/triage/wrong.ts', "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n"],
    ['triage importing a server module', 'lib/triage/wrong.ts', "export { enableLinearFallback } from '../search/engine';\n"],
    ['contracts importing anything but zod', 'lib/contracts/wrong.ts', "export { splitLines } from '../sdk/line-splitter';\n"],
    ['a dynamic import', 'lib/search/wrong.ts', `${SERVER}export const load = () => import('../../components/log-viewer');\n`],
  ])('%s', async (_name, filePath, code) => {
    expect(await ruleIds(filePath, code)).toEqual(['logscope/import-boundaries']);
  });
});

describe("the linter requires 'server-only' on server modules", () => {
  it.each(['lib/store/new-backend/index.ts', 'lib/writes/new.ts', 'lib/errors.ts', 'lib/ingest/new.ts'])('%s', async (filePath) => {
    expect(await ruleIds(filePath, 'export const x = 1;\n')).toEqual(['logscope/server-only']);
  });

  it('and adds it with --fix', async () => {
    const fixer = new ESLint({ cwd: root, fix: true });
    const [result] = await fixer.lintText('export const x = 1;\n', { filePath: path.join(root, 'lib/live/new.ts') });
    expect(result?.output).toBe("import 'server-only';\nexport const x = 1;\n");
  });
});

describe('the linter accepts correct code', () => {
  it.each([
    ['a backend importing shared store code and lib', 'lib/store/nats/ok.ts', `${SERVER}import type { LogStore } from '../types';\nimport { AppError } from '@/lib/errors';\nexport type { LogStore };\nexport { AppError };\n`],
    ['a page importing the viewer through its index', 'app/jobs/ok/page.tsx', "import { LogViewer } from '@/components/log-viewer';\nexport { LogViewer };\n"],
    ['a viewer file importing its siblings', 'components/log-viewer/ok.tsx', "import { fetchJob } from './api';\nexport { fetchJob };\n"],
    ['a component importing lib', 'components/jobs/ok.tsx', "import { formatDuration } from '@/lib/viewer/format';\nexport { formatDuration };\n"],
    ['triage importing the pen model and contracts', 'lib/triage/ok.ts', "import { applySgr } from '../ansi/sgr';\nimport type { Stream } from '../contracts/lines';\nexport { applySgr };\nexport type { Stream };\n"],
    ['the SDK importing contracts and zod', 'lib/sdk/ok.ts', "import { z } from 'zod';\nimport { JobSchema } from '../contracts';\nexport { z, JobSchema };\n"],
    ['a test in a backend importing the e2e harness and another backend\'s test helper', 'lib/store/nats/ok.test.ts', "import { startLogscope } from '../../../test/support';\nimport { sql } from '../postgres/test-helpers';\nexport { startLogscope, sql };\n"],
  ])('%s', async (_name, filePath, code) => {
    expect(await ruleIds(filePath, code)).toEqual([]);
  });
});

describe('React hook rules run on components', () => {
  it('refuses a hook called conditionally', async () => {
    const code = "import { useState } from 'react';\nexport function Wrong({ on }: { on: boolean }) {\n  if (on) useState(0);\n  return null;\n}\n";
    expect(await ruleIds('components/ui/wrong.tsx', code)).toEqual(['react-hooks/rules-of-hooks']);
  });
});
