import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restOfLine, windowAroundCursor } from '../../server/src/completion/documentWindow';
import { splitAtCursor } from '../support/cursor';

test('a small document is taken whole', () => {
  const { text, offset } = splitAtCursor('function f() {\n  return ║;\n}\n');
  assert.deepEqual(windowAroundCursor(text, offset), { prefix: 'function f() {\n  return ', suffix: ';\n}\n' });
});

test('a huge document is cut to windows that start and end on line boundaries', () => {
  const line = 'const value = compute(1, 2, 3);\n';
  const body = line.repeat(40_000); // about 1.3 MB
  const text = `${body}let x = ${body}`;
  const offset = body.length + 'let x = '.length;
  const window = windowAroundCursor(text, offset, { prefixChars: 1000, suffixChars: 500 });
  assert.ok(window.prefix.length <= 1000 && window.prefix.endsWith('let x = '));
  assert.ok(window.prefix.startsWith('const value'), 'prefix starts at a line start');
  assert.ok(window.suffix.length <= 500 && window.suffix.endsWith('\n'), 'suffix ends at a line end');
});

test('restOfLine is the text up to the next line break', () => {
  assert.equal(restOfLine(');\nfoo'), ');');
  assert.equal(restOfLine('x'), 'x');
});

test('the prefix window start moves in jumps, not on every keystroke', () => {
  const text = 'x'.repeat(99) + '\n';
  const doc = text.repeat(200); // 20 000 characters, a line every 100
  const limits = { prefixChars: 6000, suffixChars: 500 };
  const start = (offset: number) => offset - windowAroundCursor(doc, offset, limits).prefix.length;
  const starts = new Set<number>();
  for (let typed = 0; typed < 1024; typed++) starts.add(start(10_050 + typed));
  assert.ok(starts.size <= 2, `over 1024 keystrokes the start moved ${starts.size - 1} times`);
  for (const at of starts) assert.equal(doc[at - 1], '\n', 'starts at a line start');
});
