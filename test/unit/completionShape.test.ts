import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { multiLineAllowed, stopWhenOpenedBlockEnds } from '../../server/src/syntax/completionShape';
import { splitAtCursor } from '../support/cursor';
import { repoRoot } from '../support/paths';

const registry = new GrammarRegistry(join(repoRoot, 'grammars'));

async function lineMode(grammar: 'typescript' | 'python', template: string): Promise<boolean> {
  const g = (await registry.get(grammar))!;
  const { text, offset } = splitAtCursor(template);
  return multiLineAllowed(GrammarRegistry.parse(g, text), text, offset);
}

test('one line inside comments, strings and half-written statements; several on a blank line or after an opener', async () => {
  assert.equal(await lineMode('typescript', 'function f() {\n  ║\n}\n'), true);
  assert.equal(await lineMode('typescript', 'function f() {║\n}\n'), true);
  assert.equal(await lineMode('typescript', 'const xs = items.map((x) =>║\n'), true);
  assert.equal(await lineMode('typescript', 'const total = price * ║\n'), false);
  assert.equal(await lineMode('typescript', '// explains the ║\n'), false);
  // At the end of a line comment that ends like an opener, the user is still writing the comment.
  assert.equal(await lineMode('typescript', 'function f() {\n  // note: ║\n}\n'), false);
  assert.equal(await lineMode('typescript', '// returns {║\n'), false);
  assert.equal(await lineMode('python', '# steps:║\n'), false);
  assert.equal(await lineMode('typescript', 'const a = 1; /* done */ {║\n'), true, 'after a closed block comment: code again');
  assert.equal(await lineMode('typescript', 'const s = "hello ║";\n'), false);
  assert.equal(await lineMode('python', 'def f(x):║\n'), true);
  assert.equal(await lineMode('python', 'def f(x):\n    return x + ║\n'), false);
  assert.equal(await lineMode('python', 'x = """doc ║\n"""\n'), false);
});

async function cut(grammar: 'typescript' | 'python', prefix: string, generated: string): Promise<string> {
  const g = (await registry.get(grammar))!;
  const rule = stopWhenOpenedBlockEnds(prefix, (text) => GrammarRegistry.parse(g, text));
  // As while streaming: the rule sees the text grow token by token (here: character by character).
  for (let i = 1; i <= generated.length; i++) {
    const at = rule(generated.slice(0, i));
    if (at !== undefined) return generated.slice(0, at);
  }
  return generated;
}

test('generation stops once the function the completion opened has closed and the next line begins', async () => {
  const prefix = 'export class A {}\n\n';
  const generated = 'function f(a: number) {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}\nfunction g() {\n  return 3;\n}\n';
  assert.equal(await cut('typescript', prefix, generated), 'function f(a: number) {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}');
});

test('an if block is not cut before its else', async () => {
  const generated = 'if (x) {\n  a();\n} else {\n  b();\n}\nc();\n';
  assert.equal(await cut('typescript', 'function f(x) {\n  ', generated), 'if (x) {\n  a();\n} else {\n  b();\n}');
});

test('python: a def ends where a dedented line begins', async () => {
  const generated = 'def area(r):\n    return 3.14 * r * r\n\nprint(area(2))\n';
  assert.equal(await cut('python', 'import math\n\n', generated), 'def area(r):\n    return 3.14 * r * r');
});

test('statements that open no block are never cut by this rule', async () => {
  const generated = 'const a = 1;\nconst b = 2;\nconst c = 3;\n';
  assert.equal(await cut('typescript', 'function f() {\n  ', generated), generated);
});
