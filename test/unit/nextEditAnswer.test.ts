import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyLineEdit, editFromAnswer, ghostTextAt, stillApplies } from '../../server/src/nextEdit/answerEdit';
import type { EditableBlock } from '../../server/src/nextEdit/nextEditPrompt';

const block: EditableBlock = { start: 10, end: 14, lines: ['function f(x) {', '  const y = x + 1;', '  return y * x;', '}'], prefillLines: 0 };

test('a complete answer: the lines it changed, in document lines', () => {
  const answer = 'function f(x) {\n  const y = x + 1;\n  return y * y;\n}\n';
  assert.deepEqual(editFromAnswer(block, answer, true), { startLine: 12, endLine: 13, lines: ['  return y * y;'] });
});

test('an answer that changes nothing, or only whitespace, is no suggestion', () => {
  assert.equal(editFromAnswer(block, `${block.lines.join('\n')}\n`, true), null);
  assert.equal(editFromAnswer(block, 'function f(x) {\n    const y = x + 1;\n  return y * x;\n}', true), null);
});

test('the prefill counts as the start of the updated block', () => {
  const prefilled = { ...block, prefillLines: 2 };
  assert.deepEqual(editFromAnswer(prefilled, '  return y * y;\n}\n', true), { startLine: 12, endLine: 13, lines: ['  return y * y;'] });
});

test('an answer cut short: taken only where it has come back to the block', () => {
  // Changed line 1, then wrote line 2 as it is, then an unfinished line: the change is over.
  assert.deepEqual(editFromAnswer(block, 'function f(x) {\n  const y = x + 2;\n  return y * x;\n}  // unfin', false), { startLine: 11, endLine: 12, lines: ['  const y = x + 2;'] });
  // Still inside its change when cut: nothing can be said of the rest.
  assert.equal(editFromAnswer(block, 'function f(x) {\n  const z = x + 2;\n  let', false), null);
});

test('lines inserted by the answer', () => {
  assert.deepEqual(editFromAnswer(block, 'function f(x) {\n  const y = x + 1;\n  log(y);\n  return y * x;\n}\n', true), { startLine: 12, endLine: 12, lines: ['  log(y);'] });
});

test('stale or on the line being typed: not shown', () => {
  const edit = { startLine: 12, endLine: 13, lines: ['  return y * y;'] };
  const doc = ['', '', '', '', '', '', '', '', '', '', ...block.lines];
  assert.equal(stillApplies(edit, ['  return y * x;'], doc, 11), true);
  assert.equal(stillApplies(edit, ['  return y * x;'], doc, 12), false, 'the cursor is on that line');
  const typed = [...doc];
  typed[12] = '  return y * x + 1;';
  assert.equal(stillApplies(edit, ['  return y * x;'], typed, 5), false, 'the line changed since the request');
});

test("applying an edit keeps the document's line endings", () => {
  const edit = { startLine: 1, endLine: 2, lines: ['B', 'B2'] };
  assert.equal(applyLineEdit('a\nb\nc\n', edit), 'a\nB\nB2\nc\n');
  assert.equal(applyLineEdit('a\r\nb\r\nc\r\n', edit), 'a\r\nB\r\nB2\r\nc\r\n');
  assert.equal(applyLineEdit('a\nb\n', { startLine: 1, endLine: 1, lines: ['x'] }), 'a\nx\nb\n', 'an insertion');
});

test('an edit on the cursor line that inserts at the cursor is ghost text; any other change there is not', () => {
  const line = '  return y * x';
  const at = { line: 12, character: line.length };
  assert.equal(ghostTextAt({ startLine: 12, endLine: 13, lines: ['  return y * x + 1;'] }, line, at), ' + 1;');
  assert.equal(ghostTextAt({ startLine: 12, endLine: 13, lines: ['  return y * x', '}'] }, line, at), '\n}', 'lines after it too');
  assert.equal(ghostTextAt({ startLine: 12, endLine: 13, lines: ['  return x + 1;'] }, line, at), undefined, 'text before the cursor changed');
  assert.equal(ghostTextAt({ startLine: 12, endLine: 13, lines: ['  return y * x + 1;'] }, line, { line: 12, character: 4 }), undefined, 'text after the cursor changed');
  assert.equal(ghostTextAt({ startLine: 11, endLine: 13, lines: ['a', '  return y * x + 1;'] }, line, at), undefined, 'other lines too');
  assert.equal(ghostTextAt({ startLine: 12, endLine: 13, lines: [line] }, line, at), undefined, 'nothing new');
});
