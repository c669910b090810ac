import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi';

const ROOT = path.resolve(__dirname, '../..');
const API_DIR = path.join(ROOT, 'app/api');
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The `[...path]` catch-all is not an API: it answers any unknown path under /api with the
 * 404 JSON error, and the document says so in its description instead of listing it.
 */
const isCatchAll = (segment: string) => segment.startsWith('[...') || segment.startsWith('[[...');

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return isCatchAll(entry.name) ? [] : routeFiles(full);
    return entry.name === 'route.ts' ? [full] : [];
  });
}

/** `app/api/v1/jobs/[job]/route.ts` → `/api/v1/jobs/{job}` */
function openApiPath(file: string): string {
  const segments = path.relative(path.join(ROOT, 'app'), path.dirname(file)).split(path.sep);
  return `/${segments.map((s) => s.replace(/^\[(.+)\]$/, '{$1}')).join('/')}`;
}

/** The HTTP methods a route module exports, read from its source (importing it would start a store). */
function exportedMethods(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name && exported(statement)) names.push(statement.name.text);
    if (ts.isVariableStatement(statement) && exported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
      }
    }
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const specifier of statement.exportClause.elements) names.push(specifier.name.text);
    }
  }
  return names.filter((name): name is (typeof HTTP_METHODS)[number] => (HTTP_METHODS as readonly string[]).includes(name));
}

const routes = routeFiles(API_DIR).flatMap((file) => exportedMethods(file).map((method) => `${method} ${openApiPath(file)}`));
const doc = buildOpenApiDocument();
const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));

function resolvePointer(pointer: string): unknown {
  let node: unknown = doc;
  for (const raw of pointer.replace(/^#\//, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((child) => refsIn(child, found));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  it('finds the routes it checks', () => {
    expect(routes).toContain('GET /api/health');
    expect(routes).toContain('POST /api/v1/jobs/{job}/steps/{step}/lines');
    expect(routes.length).toBeGreaterThanOrEqual(14);
  });

  it('documents every method every route exports', () => {
    expect(routes.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('documents no path or method the routes do not have', () => {
    expect(documented.filter((operation) => !routes.includes(operation))).toEqual([]);
  });

  it('is OpenAPI 3.1 in shape', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    const ids = new Set<string>();
    for (const [p, item] of Object.entries(doc.paths)) {
      expect(p).toMatch(/^\//);
      for (const operation of Object.values(item)) {
        expect(ids.has(operation.operationId), operation.operationId).toBe(false);
        ids.add(operation.operationId);
        expect(Object.keys(operation.responses).length, operation.operationId).toBeGreaterThan(0);
        for (const status of Object.keys(operation.responses)) expect(status).toMatch(/^[1-5]\d\d$/);
        // Every `{name}` in the path is a required path parameter, and there are no others.
        const templated = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const pathParams = (operation.parameters ?? []).filter((param) => param.in === 'path');
        expect(pathParams.map((param) => param.name), operation.operationId).toEqual(templated);
        expect(pathParams.every((param) => param.required)).toBe(true);
      }
    }
    for (const scheme of Object.values(doc.components.securitySchemes)) expect(scheme.type).toBe('http');
    for (const requirement of Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => op.security ?? []))) {
      for (const name of Object.keys(requirement)) expect(doc.components.securitySchemes).toHaveProperty(name);
    }
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((ref) => !ref.startsWith('#/') || resolvePointer(ref) === undefined)).toEqual([]);
  });

  it('keeps component schemas free of per-file JSON Schema headers', () => {
    for (const schema of Object.values(doc.components.schemas)) {
      expect(schema).not.toHaveProperty('$schema');
      expect(schema).not.toHaveProperty('$id');
    }
  });

  it('is what docs/api.md describes: every operation appears there', () => {
    const prose = readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
    expect(documented.filter((operation) => !prose.includes(`\`${operation}`))).toEqual([]);
  });
});
