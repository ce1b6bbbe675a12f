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
