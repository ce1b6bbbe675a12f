import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestProposalLength, expectedYield, stepsFor } from '../../server/src/model/proposalLength';

// Measured here, one thread: the 0.5B-cost model (small batches cost nearly their size) and the tiny model.
const cpu05b = [
  { tokens: 2, steps: 2.96 },
  { tokens: 3, steps: 4.29 },
  { tokens: 5, steps: 4.89 },
  { tokens: 9, steps: 4.94 },
];
const tiny = [
  { tokens: 3, steps: 1.45 },
  { tokens: 9, steps: 2.56 },
];

test('batch costs are interpolated between measured sizes and extended past the largest', () => {
  assert.equal(stepsFor(cpu05b, 1), 1);
  assert.equal(stepsFor(cpu05b, 3), 4.29);
  assert.ok(Math.abs(stepsFor(cpu05b, 4) - 4.59) < 1e-9);
  assert.ok(Math.abs(stepsFor(tiny, 2) - 1.225) < 1e-9);
  assert.ok(stepsFor(tiny, 12) > 2.56);
  assert.equal(stepsFor([], 3), 3, 'nothing measured: a batch costs its size');
});

test('the expected yield of k proposals accepted in turn', () => {
  assert.equal(expectedYield(0, 8), 1);
  assert.equal(expectedYield(1, 8), 9);
  assert.ok(Math.abs(expectedYield(0.5, 2) - 1.75) < 1e-9);
});

test('proposals are as long as pays: none where batches cost their size, long where they are cheap and accepted', () => {
  assert.equal(bestProposalLength(0.5, cpu05b, 8), 0, 'half the proposals refuted: plain decoding is faster');
  assert.equal(bestProposalLength(0.95, cpu05b, 8), 8, 'repetitive code: a long batch costs 5 steps and yields ~7 tokens');
  assert.equal(bestProposalLength(1, [{ tokens: 9, steps: 9 }], 8), 0, 'a batch that costs its size never pays');
  assert.ok(bestProposalLength(0.6, tiny, 8) >= 1);
  assert.equal(bestProposalLength(0.99, tiny, 4), 4, 'never beyond the maximum');
});
