import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hunkEdits, locateOriginal, offsetAt, proposedDocument, rememberInstruction } from '../../client/src/instruct/proposalEdits';

const original = 'function f() {\n  return 1;\n}';

test('the original is found where it was, or moved by edits elsewhere', () => {
  const text = `// head\n${original}\n// tail`;
  assert.deepEqual(locateOriginal(text, original, 8), { start: 8, end: 8 + original.length });
  const moved = `// a longer head\n${original}\n// tail`;
  assert.deepEqual(locateOriginal(moved, original, 8), { start: 17, end: 17 + original.length }, 'a line edited above it');
});

test('an edit inside the original range, or two copies of it, refuses', () => {
  const edited = `// head\n${original.replace('1', '2')}\n// tail`;
  assert.equal(locateOriginal(edited, original, 8), undefined);
  const twice = `${original}\n${original}`;
  assert.equal(locateOriginal(`x${twice}`, original, 5), undefined, 'ambiguous once moved');
  assert.deepEqual(locateOriginal(twice, original, 0), { start: 0, end: original.length }, 'still in place: no ambiguity');
});

test('the proposal document replaces only the range', () => {
  assert.equal(proposedDocument('a\nOLD\nb', { start: 2, end: 5 }, 'NEW\nNEW2'), 'a\nNEW\nNEW2\nb');
});

test('recent instructions: newest first, no repeats, bounded', () => {
  let recent: string[] = [];
  for (const instruction of ['a', 'b', 'a', ' ', 'c', 'd', 'e', 'f']) recent = rememberInstruction(recent, instruction);
  assert.deepEqual(recent, ['f', 'e', 'd', 'c', 'a']);
});

test('offsets of positions in a text, clamped to line ends and the text', () => {
  const text = 'ab\ncde\n\nf';
  assert.equal(offsetAt(text, { line: 0, character: 1 }), 1);
  assert.equal(offsetAt(text, { line: 1, character: 3 }), 6);
  assert.equal(offsetAt(text, { line: 1, character: 99 }), 6, 'clamped to the line');
  assert.equal(offsetAt(text, { line: 3, character: 1 }), 9);
  assert.equal(offsetAt(text, { line: 9, character: 0 }), text.length);
});

test('hunks become whole-line edits of the document as it is now, moved by edits above the code', () => {
  // A 10-line document without a final newline; the code started at line 2 when asked, and 1 line was added above since.
  const hunks = [
    { startLine: 3, endLine: 4, newText: 'B\n' },
    { startLine: 5, endLine: 5, newText: 'inserted\n' },
    { startLine: 7, endLine: 9, newText: 'last\n' },
  ];
  assert.deepEqual(hunkEdits(hunks, 1, 10, 4), [
    { startLine: 4, endLine: 5, endCharacter: 0, text: 'B\n' },
    { startLine: 6, endLine: 6, endCharacter: 0, text: 'inserted\n' },
    { startLine: 8, endLine: 9, endCharacter: 4, text: 'last' },
  ]);
});
