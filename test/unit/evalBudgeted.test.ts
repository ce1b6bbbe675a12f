// The eval's budgeted-recall helpers (tools/src/eval/budgeted.ts): what a quick header and a project-wide header hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerSnippets, headerWarmAfter, identifierOccurrences, projectHeaderSnippets, type ProjectDefinition, windowHeaderTokens } from '../../tools/src/eval/budgeted';

const count = (text: string) => Math.ceil(text.length / 4);

test('identifier occurrences are counted by name', () => {
  assert.deepEqual([...identifierOccurrences('a.b(a, $c_1); // a')], [['a', 3], ['b', 1], ['$c_1', 1]]);
});

test('the project header ranks definitions by how often other files name them, not counting the opened file or their own', () => {
  const definitions: ProjectDefinition[] = [
    { path: 'util.ts', name: 'parse', line: 'export function parse(text: string): Node {' },
    { path: 'util.ts', name: 'format', line: 'export function format(node: Node): string {' },
    { path: 'node.ts', name: 'Node', line: 'export interface Node {' },
    { path: 'open.ts', name: 'local', line: 'function local() {' },
  ];
  const occurrences = new Map([
    ['util.ts', new Map([['parse', 1], ['format', 1], ['Node', 5]])],
    ['node.ts', new Map([['Node', 1]])],
    ['a.ts', new Map([['parse', 3], ['format', 1]])],
    ['b.ts', new Map([['parse', 1], ['Node', 1]])],
    // The file being opened names format many times: that must not rank it (its masked reference could be one).
    ['open.ts', new Map([['format', 50], ['local', 9]])],
  ]);
  const header = projectHeaderSnippets(definitions, occurrences, 'open.ts', count, 1000);
  const text = header.map((s) => `${s.path}: ${s.text}`).join('\n');
  // Node: 5 (util.ts) + 1 (b.ts) = 6 outside its own file; parse: 3 + 1 = 4; format: 1; local is the opened file's own.
  assert.ok(text.indexOf('interface Node') < text.indexOf('function parse'), text);
  assert.ok(text.indexOf('function parse') < text.indexOf('function format'), text);
  assert.ok(!text.includes('function local'), 'the opened file’s own definitions are not in its header');
  const small = projectHeaderSnippets(definitions, occurrences, 'open.ts', count, 25);
  assert.deepEqual(small.map((s) => s.text), ['export interface Node {'], 'within its tokens, the most named first');
});

test('a header keeps snippets in ranked order while they fit, grouped by file', () => {
  const snippets = [
    { path: 'a.ts', text: 'export function one() {\n  body();\n}', source: 'definitions' as const },
    { path: 'b.ts', text: 'export const two = 2;', source: 'definitions' as const },
  ];
  const fitted = headerSnippets(snippets, 'c.ts', count, 1000);
  assert.deepEqual(fitted.map((s) => [s.path, s.text]), [['a.ts', 'export function one() {'], ['b.ts', 'export const two = 2;']], 'signatures only');
  assert.deepEqual(headerSnippets(snippets, 'c.ts', count, 0), []);
});

test('the window header is counted as the warm-up evaluates it, and is warm once the time since the cursor rested covers it', () => {
  const snippets = [
    { path: 'a.ts', text: 'export function one() {\n  body();\n}', source: 'definitions' as const },
    { path: 'b.ts', text: 'export const two = 2;', source: 'definitions' as const },
  ];
  const tokens = windowHeaderTokens(snippets, 'c.ts', count, 1000);
  // Each file: its separator, then its path, text and newline, whole (not only signatures).
  assert.equal(tokens, 1 + count('a.ts\nexport function one() {\n  body();\n}\n') + 1 + count('b.ts\nexport const two = 2;\n'));
  assert.equal(headerWarmAfter(1, 100, 6, 400), true, '600 ms of warm-up at 6 ms a token is 100 tokens');
  assert.equal(headerWarmAfter(1, 101, 6, 400), false);
  assert.equal(headerWarmAfter(0.3, 0, 6, 400), true, 'no header: nothing to wait for');
});
