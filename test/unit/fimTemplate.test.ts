import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutFimPrompt } from '../../server/src/model/fimTemplate';

const ids = { prefix: 1, suffix: 3, middle: 2 };

test('prefix-suffix-middle layout puts the FIM tokens around the parts', () => {
  assert.deepEqual(layoutFimPrompt({ prefixTokens: [10, 11], suffixTokens: [20], ids, order: 'psm', budget: 100 }), [1, 10, 11, 3, 20, 2]);
});

test('suffix-prefix-middle layout ends with the prefix, where typing happens', () => {
  assert.deepEqual(layoutFimPrompt({ prefixTokens: [10, 11], suffixTokens: [20], ids, order: 'spm', budget: 100 }), [3, 20, 1, 10, 11, 2]);
});

test('over budget, the prefix keeps its end, the suffix its start and at most a quarter', () => {
  const prefixTokens = Array.from({ length: 50 }, (_, i) => 100 + i);
  const suffixTokens = Array.from({ length: 50 }, (_, i) => 200 + i);
  const prompt = layoutFimPrompt({ prefixTokens, suffixTokens, ids, order: 'psm', budget: 23 });
  assert.equal(prompt.length, 23);
  assert.deepEqual(prompt.slice(0, 2), [1, 135]);
  assert.deepEqual(prompt.slice(16, 23), [3, 200, 201, 202, 203, 204, 2]);
});

test('a short suffix leaves its share of the budget to the prefix', () => {
  const prefixTokens = Array.from({ length: 50 }, (_, i) => 100 + i);
  const prompt = layoutFimPrompt({ prefixTokens, suffixTokens: [7], ids, order: 'psm', budget: 23 });
  assert.equal(prompt.length, 23);
  assert.equal(prompt[1], 131);
});
