import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkTargetMs, PromptChunker } from '../../server/src/model/promptChunks';

test('chunks are sized to take about the target time, within bounds', () => {
  const slow = new PromptChunker();
  assert.equal(slow.nextChunk(), 32, 'the smallest efficient chunk before anything is measured');
  slow.record(32, 320); // 10 ms a token: a 0.5B model on one CPU thread
  assert.equal(slow.nextChunk(), 32, 'never below the size where batched kernels pay');
  const fast = new PromptChunker();
  fast.record(32, 3.2); // 0.1 ms a token
  assert.equal(fast.nextChunk(), 256);
});

test('measurements follow the machine as its load changes, ignoring chunks too small to tell', () => {
  const chunker = new PromptChunker();
  chunker.record(100, 10); // 0.1 ms a token → 300, capped
  assert.equal(chunker.nextChunk(), 256);
  chunker.record(2, 1000);
  assert.equal(chunker.nextChunk(), 256);
  for (let i = 0; i < 20; i++) chunker.record(100, 50); // 0.5 ms a token: busier now
  assert.equal(chunker.nextChunk(), Math.floor(chunkTargetMs / 0.5));
});
