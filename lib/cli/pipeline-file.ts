import { parse } from 'yaml';
import { isStepId } from '../contracts/ids';
import { UsageError } from './args';

/**
 * A go-vela / Drone style pipeline file, the subset that can run on this machine without a
 * container runtime: `steps: [{name, commands, environment?}]`. Keys that only make sense with
 * containers (image, pull, volumes…) are collected so the CLI can say once that it ignores them.
 */
export interface PipelineStep {
  id: string;
  name: string;
  commands: string[];
  environment: Record<string, string>;
}

export interface Pipeline {
  steps: PipelineStep[];
  /** keys present in the file that we cannot honour, sorted, each once */
  ignoredKeys: string[];
}

/** Pipeline files are configuration, not logs: refuse anything absurd before parsing. */
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_STEPS = 500;
const TOP_LEVEL_KEYS = new Set(['version', 'steps']);
const STEP_KEYS = new Set(['name', 'commands', 'environment']);

export function parsePipeline(source: string): Pipeline {
  if (Buffer.byteLength(source) > MAX_FILE_BYTES) throw new UsageError('pipeline file is larger than 1 MiB');
  let doc: unknown;
  try {
    doc = parse(source, { maxAliasCount: 100 });
  } catch (error) {
    throw new UsageError(`pipeline file is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (!isRecord(doc)) throw new UsageError('pipeline file must be a mapping with a `steps` list');
  const ignored = new Set<string>();
  for (const key of Object.keys(doc)) if (!TOP_LEVEL_KEYS.has(key)) ignored.add(key);
  const rawSteps = doc.steps;
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) throw new UsageError('pipeline file needs a non-empty `steps` list');
  if (rawSteps.length > MAX_STEPS) throw new UsageError(`at most ${MAX_STEPS} steps`);

  const taken = new Set<string>();
  const steps = rawSteps.map((raw: unknown, index): PipelineStep => {
    const where = `steps[${index}]`;
    if (!isRecord(raw)) throw new UsageError(`${where} must be a mapping`);
    for (const key of Object.keys(raw)) if (!STEP_KEYS.has(key)) ignored.add(key);
    const name = typeof raw.name === 'string' && raw.name.trim() !== '' ? raw.name : `step ${index + 1}`;
    const commands = raw.commands;
    if (!Array.isArray(commands) || commands.length === 0) throw new UsageError(`${where} (${name}) needs a non-empty \`commands\` list`);
    const texts = commands.map((command: unknown, i) => {
      if (typeof command === 'string') return command;
      if (typeof command === 'number' || typeof command === 'boolean') return String(command);
      throw new UsageError(`${where}.commands[${i}] must be a string`);
    });
    return { id: stepIdFor(name, index, taken), name, commands: texts, environment: parseEnvironment(raw.environment, where) };
  });
  return { steps, ignoredKeys: [...ignored].sort() };
}

/** Vela/Drone accept a map or a list of `KEY=VALUE`. Values become strings, as a shell sees them. */
function parseEnvironment(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  const env: Record<string, string> = {};
  const set = (key: string, value: unknown) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`${where}.environment: invalid variable name ${JSON.stringify(key)}`);
    if (value !== null && typeof value === 'object') throw new UsageError(`${where}.environment.${key} must be a scalar`);
    env[key] = value === null || value === undefined ? '' : String(value);
  };
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item !== 'string' || !item.includes('=')) throw new UsageError(`${where}.environment entries must be KEY=VALUE`);
      const eq = item.indexOf('=');
      set(item.slice(0, eq), item.slice(eq + 1));
    }
  } else if (isRecord(raw)) {
    for (const [key, value] of Object.entries(raw)) set(key, value);
  } else {
    throw new UsageError(`${where}.environment must be a mapping or a list of KEY=VALUE`);
  }
  return env;
}

/**
 * A step id from a free-form name: lower-cased, every run of characters outside
 * [a-z0-9._-] becomes `-`, leading non-alphanumerics dropped, cut to 64, made unique with
 * `-2`, `-3`…; `step-N` when nothing usable is left. Never `.`/`..`, never a path.
 */
export function stepIdFor(name: string, index: number, taken: Set<string>): string {
  let base = name
    .normalize('NFKD')
    // accents become their base letter (é → e) instead of a separator
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 56);
  if (!isStepId(base)) base = `step-${index + 1}`;
  let id = base;
  for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
  taken.add(id);
  return id;
}

/** `'…'` for sh: the only character that needs care inside single quotes is `'` itself. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The script a step runs under `sh -c`: `set -e` (the first failing command fails the step,
 * as in Vela and Drone), each command echoed as `+ command` before it runs.
 */
export function stepScript(commands: readonly string[]): string {
  const lines = ['set -e'];
  for (const command of commands) {
    lines.push(`printf '%s\\n' ${shellQuote(`+ ${command}`)}`, command);
  }
  return `${lines.join('\n')}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
