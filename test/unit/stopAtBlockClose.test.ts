import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stopAtBlockClose } from '../../server/src/completion/stopRules/stopAtBlockClose';

test('a closer that starts a line ends the completion before that line', () => {
  const generated = 'const y = x * 2;\n  return y;\n}\n\nfunction next() {';
  assert.equal(stopAtBlockClose(generated), 'const y = x * 2;\n  return y;'.length);
});

test('brackets the completion opens itself are matched, not stopped at', () => {
  assert.equal(stopAtBlockClose('if (a) {\n  call([1, 2]);\n}\n'), undefined);
});

test('a closer in the middle of a line is cut right before it', () => {
  assert.equal(stopAtBlockClose('a, b) + 1'), 'a, b'.length);
});

test('brackets inside strings and comments do not count', () => {
  assert.equal(stopAtBlockClose('const s = "}";\nconst t = `)`; // ]\nlet u = 1;'), undefined);
  assert.equal(stopAtBlockClose("const c = '\\''; }"), "const c = '\\''; ".length);
});

test('a closer at the very start, or indented on a later line, is cut with its indentation', () => {
  assert.equal(stopAtBlockClose('}'), 0);
  assert.equal(stopAtBlockClose('  }'), 2, 'the first line is the cursor’s: cut right before the closer');
  assert.equal(stopAtBlockClose('a;\n  }'), 'a;'.length, 'a later line: cut before its line break');
  assert.equal(stopAtBlockClose('x, y] = z'), 'x, y'.length, 'square brackets too');
});

test('a comment is skipped to its end; one still being written waits', () => {
  assert.equal(stopAtBlockClose('x = 1; // a } b'), undefined, 'no line end yet: nothing to decide');
  assert.equal(stopAtBlockClose('a(); // (\n}'), 'a(); // ('.length, 'the bracket in the comment opened nothing');
  assert.equal(stopAtBlockClose('a / b)'), 'a / b'.length, 'one slash is a division, not a comment');
});

test('strings end at their quote, or at the line end except template literals', () => {
  assert.equal(stopAtBlockClose('"a}"'), undefined, 'a closer inside a string');
  assert.equal(stopAtBlockClose("'a)' + 1"), undefined);
  assert.equal(stopAtBlockClose('`a\n}` + 1'), undefined, 'a template literal goes on over the line break');
  assert.equal(stopAtBlockClose('"abc\n}'), '"abc'.length, 'an unterminated string ends at the line break');
});
