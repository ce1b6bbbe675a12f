import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedLines, DocumentEdits, EditHistory } from '../../server/src/nextEdit/editHistory';

/** Types `typed` into `text` at `at`, one character per update. */
function typeInto(edits: DocumentEdits, text: string, at: number, typed: string): string {
  for (const char of typed) {
    text = text.slice(0, at) + char + text.slice(at);
    at++;
    edits.update(text);
  }
  return text;
}

test('changedLines: the one region of whole lines that differs, common lines trimmed from both ends', () => {
  assert.equal(changedLines(['a', 'b'], ['a', 'b']), null);
  assert.deepEqual(changedLines(['a', 'b', 'c'], ['a', 'x', 'c']), { start: 1, oldEnd: 2, newEnd: 2 });
  assert.deepEqual(changedLines(['a', 'c'], ['a', 'b', 'c']), { start: 1, oldEnd: 1, newEnd: 2 }, 'an inserted line');
  assert.deepEqual(changedLines(['a', 'b', 'c'], ['a', 'c']), { start: 1, oldEnd: 2, newEnd: 1 }, 'a deleted line');
});

test('keystrokes on one line coalesce into one hunk; an edit on the next line carries it on', () => {
  const edits = new DocumentEdits('let a = 1;\nlet b = 2;\nlet c = 3;\n');
  let text = typeInto(edits, 'let a = 1;\nlet b = 2;\nlet c = 3;\n', 9, '0');
  assert.deepEqual(edits.hunks(), [{ startLine: 0, original: 'let a = 1;', updated: 'let a = 10;' }]);
  text = typeInto(edits, text, text.indexOf('2;') + 1, '0');
  assert.deepEqual(edits.hunks(), [{ startLine: 0, original: 'let a = 1;\nlet b = 2;', updated: 'let a = 10;\nlet b = 20;' }], 'the line below: the same edit');
});

test('an edit away from the open hunk closes it: hunks in the order made, the oldest dropped past the limit', () => {
  const lines = Array.from({ length: 20 }, (_, i) => `x${i}`);
  let text = lines.join('\n');
  const edits = new DocumentEdits(text, { maxHunks: 3, maxHunkLines: 40 });
  for (const line of [2, 8, 14, 18]) text = typeInto(edits, text, text.indexOf(`x${line}`) + `x${line}`.length, '!');
  assert.deepEqual(
    edits.hunks().map((h) => [h.startLine, h.original, h.updated]),
    [
      [8, 'x8', 'x8!'],
      [14, 'x14', 'x14!'],
      [18, 'x18', 'x18!'],
    ],
  );
});

test('typed and taken back is no edit; a paste larger than an example is left out', () => {
  const edits = new DocumentEdits('abc\n');
  edits.update('abcd\n');
  edits.update('abc\n');
  assert.deepEqual(edits.hunks(), []);
  const pasted = `abc\n${Array.from({ length: 50 }, (_, i) => `p${i}`).join('\n')}\n`;
  edits.update(pasted);
  assert.deepEqual(edits.hunks(), [], 'fifty lines pasted: not an example of an edit');
});

test('the block before the last edit: unchanged lines map through, replaced lines map to what they replaced', () => {
  const edits = new DocumentEdits('a\nb\nc\nd\n');
  edits.update('a\nB1\nB2\nc\nd\n'); // line 1 became two lines
  assert.deepEqual(edits.beforeLastEdit(0, 5), { lines: ['a', 'b', 'c', 'd'], start: 0, end: 4 });
  assert.deepEqual(edits.beforeLastEdit(3, 5), { lines: ['c', 'd'], start: 2, end: 4 });
  edits.update('a\nB1\nB2\nc\nD\n'); // another edit, two lines away: the last edit is now this one
  assert.deepEqual(edits.beforeLastEdit(0, 5).lines, ['a', 'B1', 'B2', 'c', 'd']);
});

test('the history is per document, created on open, forgotten on close; CRLF reads as LF', () => {
  const history = new EditHistory();
  history.opened('file:///a', 'x\r\ny\r\n');
  history.changed('file:///a', 'x\r\nz\r\n');
  assert.deepEqual(history.of('file:///a')!.hunks(), [{ startLine: 1, original: 'y', updated: 'z' }]);
  history.closed('file:///a');
  assert.equal(history.of('file:///a'), undefined);
});
