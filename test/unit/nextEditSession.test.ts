import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookOf, NextEditSession, replacementFor } from '../../client/src/nextEdit/nextEditSession';

const suggestion = { uri: 'file:///a.ts', version: 5, startLine: 40, endLine: 41, lines: ['  return y * y;'] };

test('an answer is shown only for the latest request and the document as it is; a change drops it', () => {
  const session = new NextEditSession();
  let cancelled = 0;
  session.asked(5, () => cancelled++);
  assert.equal(session.answered(4, { suggestion: { ...suggestion, version: 4 } }, 5), false, 'an older request');
  assert.equal(session.answered(5, { suggestion }, 6), false, 'the document changed meanwhile');
  session.asked(5, () => cancelled++);
  session.asked(5, () => cancelled++);
  assert.equal(cancelled, 1, 'a newer request cancels the one running');
  assert.equal(session.answered(5, { suggestion: null, reason: 'none' }, 5), false);
  session.asked(5, () => undefined);
  assert.equal(session.answered(5, { suggestion }, 5), true);
  assert.deepEqual(session.current, suggestion);
  assert.equal(session.changed(), true, 'typing drops it');
  assert.equal(session.current, undefined);
});

test('Tab goes to the suggestion, then applies it; on its lines already, Tab applies; Escape dismisses', () => {
  const session = new NextEditSession();
  assert.equal(session.tab(3), 'none', 'nothing shown: Tab is Tab');
  session.asked(5, () => undefined);
  session.answered(5, { suggestion }, 5);
  assert.equal(session.tab(3), 'jump');
  assert.equal(session.tab(40), 'apply');
  session.asked(5, () => undefined);
  session.answered(5, { suggestion }, 5);
  assert.equal(session.tab(40), 'apply', 'the cursor is on it');
  assert.equal(session.dismiss(), true);
  assert.equal(session.tab(40), 'none');
});

test('how it is drawn: replaced lines marked, the new text after them; an insertion after the line above', () => {
  assert.deepEqual(lookOf(suggestion), { replaced: { startLine: 40, endLine: 41 }, shownAfterLine: 40, text: '→   return y * y;' });
  assert.deepEqual(lookOf({ ...suggestion, startLine: 12, endLine: 12, lines: ['log(a);', 'log(b);'] }), { replaced: { startLine: 12, endLine: 12 }, shownAfterLine: 11, text: '+ log(a); ⏎ log(b);' });
});

test('the edit that applies a suggestion: replaced lines, inserted lines, removed lines, CRLF', () => {
  const lengths = [5, 6, 7, 8];
  const length = (line: number) => lengths[line]!;
  assert.deepEqual(replacementFor({ startLine: 1, endLine: 3, lines: ['a', 'b', 'c'] }, 4, length, '\n'), { start: { line: 1, character: 0 }, end: { line: 2, character: 7 }, text: 'a\nb\nc' });
  assert.deepEqual(replacementFor({ startLine: 2, endLine: 2, lines: ['x'] }, 4, length, '\r\n'), { start: { line: 2, character: 0 }, end: { line: 2, character: 0 }, text: 'x\r\n' });
  assert.deepEqual(replacementFor({ startLine: 1, endLine: 2, lines: [] }, 4, length, '\n'), { start: { line: 1, character: 0 }, end: { line: 2, character: 0 }, text: '' });
  assert.deepEqual(replacementFor({ startLine: 3, endLine: 4, lines: [] }, 4, length, '\n'), { start: { line: 3, character: 0 }, end: { line: 3, character: 8 }, text: '' }, 'the last line: emptied');
});

test('an answer that inserts at the cursor is kept as ghost text for that place, not drawn; a change drops it', () => {
  const session = new NextEditSession();
  const ghost = { ...suggestion, startLine: 3, endLine: 4, lines: ['  x = 1;'], atCursor: ';' };
  session.asked(5, () => undefined, { line: 3, character: 7 });
  assert.equal(session.answered(5, { suggestion: ghost }, 5), false, 'nothing drawn');
  assert.equal(session.current, undefined);
  assert.equal(session.hasGhost, true);
  assert.equal(session.atCursor('file:///a.ts', 5, { line: 3, character: 7 }), ';');
  assert.equal(session.atCursor('file:///a.ts', 5, { line: 3, character: 6 }), undefined, 'another place');
  assert.equal(session.atCursor('file:///a.ts', 6, { line: 3, character: 7 }), undefined, 'another version');
  session.changed();
  assert.equal(session.atCursor('file:///a.ts', 5, { line: 3, character: 7 }), undefined);
});
