import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogue, recommendedCompletionModel } from '../../common/catalogue';

const gib = 2 ** 30;

test('the recommendation follows the machine: RAM, free memory and a GPU', () => {
  assert.equal(recommendedCompletionModel({ totalBytes: 4 * gib, freeBytes: 2 * gib }).id, 'qwen2.5-coder-0.5b', '4 GB laptop');
  assert.equal(recommendedCompletionModel({ totalBytes: 8 * gib, freeBytes: 5 * gib }).id, 'qwen2.5-coder-1.5b', '8 GB laptop');
  assert.equal(recommendedCompletionModel({ totalBytes: 32 * gib, freeBytes: 20 * gib, performanceCores: 8 }).id, 'qwen2.5-coder-3b', 'a big machine without a GPU stops at 3B');
  assert.equal(recommendedCompletionModel({ totalBytes: 32 * gib, freeBytes: 20 * gib, performanceCores: 4 }).id, 'qwen2.5-coder-1.5b', '4 cores: 1.5B decodes fast enough, 3B not');
  assert.equal(recommendedCompletionModel({ totalBytes: 24 * gib, freeBytes: 20 * gib, performanceCores: 2 }).id, 'qwen2.5-coder-0.5b', '2 cores (this CI machine): 0.5B');
  assert.equal(recommendedCompletionModel({ totalBytes: 32 * gib, freeBytes: 1 * gib }).id, 'qwen2.5-coder-0.5b', 'little free memory now: nothing fits, the smallest');
  assert.equal(recommendedCompletionModel({ totalBytes: 32 * gib, freeBytes: 20 * gib, performanceCores: 2, gpuFreeBytes: 11 * gib }).id, 'qwen2.5-coder-7b', 'a GPU with 11 GB free');
});

test('every catalogue entry names a hub repository and a .gguf file, and both roles are offered', () => {
  for (const model of catalogue) {
    assert.match(model.repo, /^[\w.-]+\/[\w.-]+$/, model.id);
    assert.match(model.file, /\.gguf$/, model.id);
  }
  assert.ok(catalogue.some((m) => m.role === 'completion') && catalogue.some((m) => m.role === 'chat'));
  assert.equal(new Set(catalogue.map((m) => m.id)).size, catalogue.length, 'ids are unique');
});
