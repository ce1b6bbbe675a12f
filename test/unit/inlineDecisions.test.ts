import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeEndsRest, retriggerForWhole, showFirstLine, stillWanted } from '../../client/src/inlineDecisions';

const fresh = { cancelled: false, versionAtRequest: 7, versionNow: 7 };

test('an answer is shown only for the text it was asked for: not after a cancel, not after an edit crossed it on the wire', () => {
  assert.equal(stillWanted(fresh), true);
  assert.equal(stillWanted({ ...fresh, cancelled: true }), false);
  assert.equal(stillWanted({ ...fresh, versionNow: 8 }), false, 'a keystroke crossed the answer on the wire');
});

test('a streamed first line is shown at once when it came first and the request still stands', () => {
  assert.equal(showFirstLine('const a = 1;', fresh), true);
  assert.equal(showFirstLine(undefined, fresh), false, 'the whole answer came first: it is shown instead');
  assert.equal(showFirstLine('const a = 1;', { ...fresh, versionNow: 9 }), false);
  assert.equal(showFirstLine('const a = 1;', { ...fresh, cancelled: true }), false);
});

test('the whole completion replaces its first line only where the user still is, with nothing changed', () => {
  const there = { ...fresh, active: true, cursorAtRequest: true };
  assert.equal(retriggerForWhole(there), true);
  assert.equal(retriggerForWhole({ ...there, active: false }), false, 'another editor has the focus');
  assert.equal(retriggerForWhole({ ...there, cursorAtRequest: false }), false, 'the cursor moved or text is selected');
  assert.equal(retriggerForWhole({ ...there, versionNow: 8 }), false);
  assert.equal(retriggerForWhole({ ...there, cancelled: true }), false);
});

test('after a first line is shown, only an edit to that document ends the request for the rest', () => {
  assert.equal(changeEndsRest(true, 1), true);
  assert.equal(changeEndsRest(true, 0), false, 'a change event without content (a save, a language change)');
  assert.equal(changeEndsRest(false, 3), false, 'another document');
});
