import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseChunk, PromptChunker } from '../../server/src/model/promptChunks';

test('the chunk is the smallest batch within 90 % of the best measured throughput', () => {
  // The 0.5B shape on one thread, 1 400 tokens into the context (tokens per second 34, 40, 49, 85, 98).
  const deep = [
    { tokens: 8, ms: 237 },
    { tokens: 16, ms: 397 },
    { tokens: 32, ms: 652 },
    { tokens: 64, ms: 750 },
    { tokens: 128, ms: 1306 },
  ];
  assert.equal(chooseChunk(deep), 128, '64 reaches only 87 % of 128');
  assert.equal(chooseChunk(deep.slice(0, 4)), 64);
  // A fast machine where every size is alike: the smallest wins, so a cancellation waits least.
  assert.equal(chooseChunk([{ tokens: 16, ms: 1 }, { tokens: 64, ms: 3.8 }]), 16);
  assert.throws(() => chooseChunk([]));
});

test('the chunker follows measured speed and sizes the latency budget from it', () => {
  const chunker = new PromptChunker(64, 10);
  assert.equal(chunker.tokensWithin(1000), 100);
  assert.equal(chunker.chunkMs, 640);
  chunker.record(2, 1000); // a 2-token call says nothing of prompt speed
  assert.equal(chunker.tokensWithin(1000), 100);
  for (let i = 0; i < 30; i++) chunker.record(64, 320); // 5 ms a token: the machine got less busy
  assert.ok(Math.abs(chunker.tokensWithin(1000) - 200) <= 1);
  assert.equal(Math.round(chunker.chunkMs), 320);
});
