import assert from 'node:assert/strict';
import { test } from 'node:test';
import { typedIntoCompletion } from '../../server/src/completion/typedIntoCompletion';

const before = 'const a = ;\n';
const offset = 'const a = '.length;

test('typing the start of what is being generated keeps the generation', () => {
  assert.equal(typedIntoCompletion(before, offset, 'const a = co;\n', 'compute(1)'), true);
  assert.equal(typedIntoCompletion(before, offset, 'const a = compute(1);\n', 'compute(1)'), true);
});

test('typing something else, deleting, or typing elsewhere stops it', () => {
  assert.equal(typedIntoCompletion(before, offset, 'const a = x;\n', 'compute(1)'), false);
  assert.equal(typedIntoCompletion(before, offset, 'const a =;\n', 'compute(1)'), false);
  assert.equal(typedIntoCompletion(before, offset, 'const ab = ;\n', 'compute(1)'), false);
  assert.equal(typedIntoCompletion(before, offset, 'const a = c;\n', ''), false, 'nothing generated yet');
  assert.equal(typedIntoCompletion(before, offset, 'const a = compute(1)x;\n', 'compute(1)'), false, 'typed past it');
});
