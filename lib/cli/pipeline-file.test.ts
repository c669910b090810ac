import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStepId } from '../contracts/ids';
import { parsePipeline, shellQuote, stepIdFor, stepScript } from './pipeline-file';

describe('parsePipeline', () => {
  it('reads the go-vela proposal pipeline and reports image/pull once', () => {
    const source = readFileSync(path.join(__dirname, '../../examples/vela-logs.yml'), 'utf8');
    const pipeline = parsePipeline(source);
    expect(pipeline.ignoredKeys).toEqual(['image', 'pull']);
    expect(pipeline.steps).toHaveLength(1);
    expect(pipeline.steps[0]).toMatchObject({ id: 'logs', name: 'logs', environment: {} });
    expect(pipeline.steps[0]?.commands).toHaveLength(10);
  });

  it('merges map and list environments as strings', () => {
    const pipeline = parsePipeline(`
steps:
  - name: a
    environment: { A: 1, B: true, C: "x y", D: null }
    commands: [echo]
  - name: b
    environment: ["E=1=2", "F="]
    commands: [echo]
    volumes: [x]
services: []
`);
    expect(pipeline.steps.map((s) => s.environment)).toEqual([{ A: '1', B: 'true', C: 'x y', D: '' }, { E: '1=2', F: '' }]);
    expect(pipeline.ignoredKeys).toEqual(['services', 'volumes']);
  });

  it.each([
    ['', 'mapping'],
    ['steps: []', 'non-empty `steps`'],
    ['steps: [{name: a}]', 'non-empty `commands`'],
    ['steps: [{name: a, commands: [{x: 1}]}]', 'must be a string'],
    ['steps: [{name: a, commands: [x], environment: {"A B": 1}}]', 'invalid variable name'],
    ['steps: [{name: a, commands: [x], environment: "A=1"}]', 'mapping or a list'],
    ['steps: [', 'not valid YAML'],
  ])('rejects %j', (source, message) => {
    expect(() => parsePipeline(source)).toThrow(message);
  });
});

describe('stepIdFor', () => {
  it.each([
    ['Build', 'build'],
    ['Unit tests (Linux)', 'unit-tests-linux'],
    ['../../etc/passwd', 'etc-passwd'],
    ['..', 'step-1'],
    ['', 'step-1'],
    ['🚀 deploy!', 'deploy'],
    ['Ünïcödé', 'unicode'],
    ['a'.repeat(300), 'a'.repeat(56)],
    ['v1.2_x', 'v1.2_x'],
  ])('%j → %j', (name, id) => {
    expect(stepIdFor(name, 0, new Set())).toBe(id);
  });

  it('makes ids unique and always valid', () => {
    const taken = new Set<string>();
    const ids = ['Build', 'build', 'BUILD', '!!', '!!'].map((name, i) => stepIdFor(name, i, taken));
    expect(ids).toEqual(['build', 'build-2', 'build-3', 'step-4', 'step-5']);
    for (const id of ids) expect(isStepId(id)).toBe(true);
  });
});

describe('stepScript', () => {
  const sh = (script: string) => {
    try {
      return { out: execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), code: 0 };
    } catch (error) {
      const e = error as { stdout: string; status: number };
      return { out: e.stdout, code: e.status };
    }
  };

  it('echoes each command and stops at the first failure (set -e)', () => {
    expect(sh(stepScript(['echo one', 'false', 'echo never']))).toEqual({ out: '+ echo one\none\n+ false\n', code: 1 });
  });

  it('quotes hostile command text in the trace', () => {
    const nasty = `echo "it's" $HOME \`x\` '\\'`;
    expect(sh(stepScript([`printf '%s\\n' ok # ${nasty}`])).out).toBe(`+ printf '%s\\n' ok # ${nasty}\nok\n`);
    expect(sh(`printf '%s' ${shellQuote(nasty)}`).out).toBe(nasty);
  });
});
