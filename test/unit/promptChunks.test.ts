import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseChunk, chooseWarmChunk, PromptChunker, warmStepBoundMs } from '../../server/src/model/promptChunks';

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

test('a warm-up step is the largest measured batch that holds a keystroke up no longer than the bound', () => {
  // The 0.5B shape on one thread at load: 16 tokens 390 ms, 32 → 410, 64 → 667, 128 → 1 113 ms.
  const curve = [
    { tokens: 16, ms: 390 },
    { tokens: 32, ms: 410 },
    { tokens: 64, ms: 667 },
    { tokens: 128, ms: 1113 },
  ];
  assert.equal(chooseWarmChunk(curve, 700), 64);
  assert.equal(chooseWarmChunk(curve, 410), 32);
  assert.equal(chooseWarmChunk(curve, 250), 16, 'none that fast: the smallest measured');
  assert.equal(chooseWarmChunk([{ tokens: 16, ms: 2 }, { tokens: 128, ms: 10 }], 250), 128, 'a fast machine warms in its best batches');
  assert.equal(chooseWarmChunk(curve), chooseWarmChunk(curve, warmStepBoundMs));
  assert.throws(() => chooseWarmChunk([]));
  assert.equal(new PromptChunker(128, 10, 32).warmChunk, 32);
  assert.equal(new PromptChunker(128, 10).warmChunk, 128, 'without a warm size, warm steps are prompt chunks');
  assert.equal(new PromptChunker(128, 10, 32).typingWarmChunk, 32, 'without a typing size, the warm size');
  assert.equal(new PromptChunker(128, 10, 32, 8).typingWarmChunk, 8);
});

test('a request that waited for others to be served has that much less prompt budget, and shares it with those waiting behind it', () => {
  const chunker = new PromptChunker(64, 5); // a chunk takes 320 ms
  assert.equal(chunker.promptBudget(1000, 0), 1000);
  assert.equal(chunker.promptBudget(1000, 320), 1000, 'waiting for the request before it to stop at its chunk’s end costs nothing');
  assert.equal(chunker.promptBudget(1000, 820), 500);
  assert.equal(chunker.promptBudget(1000, 5000), 0, 'never below nothing: the planner’s smallest quick prompt then');
  assert.equal(chunker.promptBudget(900, 0, 2), 300, 'two windows’ requests wait behind it');
  assert.equal(chunker.promptBudget(1000, 820, 1), 250);
});
