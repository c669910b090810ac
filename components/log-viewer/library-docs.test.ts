import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * `logscope/viewer`'s published types (issue 10: "TSDoc on every prop"): every export of
 * library.tsx, and every member of its exported interfaces, carries a doc comment, and the
 * declarations scripts/build-viewer.mjs publishes (index.d.ts, made with the same
 * transpileDeclaration call) keep them, so an editor shows them to the host app's developer.
 */

const ENTRY = path.join(__dirname, 'library.tsx');

/** The names (`Export` or `Export.member`) that have no doc comment with some text. */
function undocumented(fileName: string, text: string): { checked: string[]; missing: string[] } {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const checked: string[] = [];
  const missing: string[] = [];
  const documented = (node: ts.Node) => ts.getJSDocCommentsAndTags(node).some((doc) => ts.isJSDoc(doc) && (ts.getTextOfJSDocComment(doc.comment) ?? '').trim().length > 0);
  const check = (name: string, node: ts.Node) => {
    checked.push(name);
    if (!documented(node)) missing.push(name);
  };
  const exported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (!exported(statement)) continue;
    if (ts.isInterfaceDeclaration(statement)) {
      check(statement.name.text, statement);
      for (const member of statement.members) check(`${statement.name.text}.${member.name?.getText(source) ?? '?'}`, member);
    } else if (ts.isTypeAliasDeclaration(statement) || ts.isFunctionDeclaration(statement)) {
      check(statement.name?.text ?? '?', statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) check(declaration.name.getText(source), statement);
    }
  }
  return { checked, missing };
}

describe('logscope/viewer: TSDoc on every export and every prop', () => {
  const text = readFileSync(ENTRY, 'utf8');

  it('library.tsx documents each export and each member of its interfaces', () => {
    const { checked, missing } = undocumented(ENTRY, text);
    // the props the issue names are among those checked (the check looks at the real interface)
    for (const prop of ['baseUrl', 'job', 'step', 'token', 'signedUrl', 'theme', 'follow', 'height', 'onLineClick']) expect(checked).toContain(`LogViewerProps.${prop}`);
    expect(checked).toContain('LogViewer');
    expect(missing).toEqual([]);
  });

  it('the published declarations keep every comment', () => {
    const out = ts.transpileDeclaration(text, {
      fileName: ENTRY,
      compilerOptions: { jsx: ts.JsxEmit.ReactJSX, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    });
    const { checked, missing } = undocumented('index.d.ts', out.outputText);
    expect(checked.length).toBe(undocumented(ENTRY, text).checked.length);
    expect(missing).toEqual([]);
  });

  it('the check itself notices a prop without a comment', () => {
    const { missing } = undocumented('x.ts', 'export interface P {\n  /** documented */\n  a: string;\n  b: number;\n}\n/** f */\nexport function f(): void {}\n');
    expect(missing).toEqual(['P', 'P.b']);
  });
});
