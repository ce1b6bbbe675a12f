import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProposalThrottle } from '../../server/src/model/proposalThrottle';

/** Proposes what the throttle allows; the sequence then takes `accepted` of them plus its own token. */
function round(throttle: ProposalThrottle, accepted: number): number {
  const allowed = throttle.allowance();
  throttle.proposed(allowed);
  if (allowed > 0) throttle.took(Math.min(accepted, allowed) + 1);
  return allowed;
}

test('proposals start small and grow while every proposed token is accepted', () => {
  const throttle = new ProposalThrottle(8, 2);
  assert.deepEqual([round(throttle, 99), round(throttle, 99), round(throttle, 99), round(throttle, 99)], [2, 4, 6, 8]);
  assert.equal(round(throttle, 99), 8, 'never beyond the maximum');
});

test('refuted proposals shrink and then pause for a growing number of tokens', () => {
  const throttle = new ProposalThrottle(8, 8);
  const allowances: number[] = [];
  for (let i = 0; i < 12; i++) {
    const allowed = throttle.allowance();
    throttle.proposed(allowed);
    throttle.took(1); // the model's own token: nothing accepted
    allowances.push(allowed);
  }
  assert.deepEqual(allowances, [8, 0, 4, 0, 0, 2, 0, 0, 0, 0, 1, 0]);
});

test('a partly accepted proposal sets the next length to what was accepted', () => {
  const throttle = new ProposalThrottle(8, 6);
  assert.equal(round(throttle, 3), 6);
  assert.equal(round(throttle, 0), 3);
  assert.equal(round(throttle, 0), 0, 'paused after a refutation');
  assert.equal(round(throttle, 0), 1);
  assert.equal(round(throttle, 1), 0);
  assert.equal(round(throttle, 0), 0);
});

test('reset starts a generation afresh', () => {
  const throttle = new ProposalThrottle(8, 2);
  round(throttle, 0);
  throttle.reset();
  assert.equal(throttle.allowance(), 2);
});

// Batch costs measured here for a 0.5B-cost model on one thread: short batches cost nearly their size.
const cpu05b = [
  { tokens: 2, steps: 2.96 },
  { tokens: 3, steps: 4.29 },
  { tokens: 5, steps: 4.89 },
  { tokens: 9, steps: 4.94 },
];

test('with batch costs: long proposals while they are accepted, none once refutations make them lose, then a probe', () => {
  const throttle = new ProposalThrottle(8, 2, 4, cpu05b);
  assert.equal(round(throttle, 99), 8, 'nothing known yet: a probe as long as would pay at full acceptance');
  assert.equal(round(throttle, 99), 8, 'accepted: long proposals pay');
  assert.ok(throttle.acceptance > 0.9);
  // Refuted from the first token on: the acceptance seen soon pays for no length at all, and only probes remain.
  const lengths: number[] = [];
  for (let i = 0; i < 40; i++) lengths.push(round(throttle, 0));
  assert.ok(throttle.acceptance < 0.75, `acceptance ${throttle.acceptance}`);
  assert.ok(lengths.every((length) => length === 0 || length === 8), 'never a short proposal: a batch of 2 costs 3 steps here');
  const probes = lengths.flatMap((length, i) => (length === 8 ? [i] : []));
  const gaps = probes.slice(1).map((at, i) => at - probes[i]! - 1);
  assert.ok(gaps.slice(-2).every((gap) => gap >= 4), `at least the longest pause between late probes: ${lengths.join(',')}`);
  assert.ok(probes.length <= 6, `few probes: ${lengths.join(',')}`);
  // Learnt acceptance outlives the generation.
  throttle.reset();
  assert.equal(throttle.allowance(), 0);
});

test('with batch costs where verification is cheap (a GPU), proposals stay on at modest acceptance', () => {
  const gpu = [{ tokens: 9, steps: 1.2 }];
  const throttle = new ProposalThrottle(8, 2, 64, gpu);
  for (let i = 0; i < 10; i++) round(throttle, 2); // two of every proposal accepted
  assert.ok(throttle.allowance() > 0);
});

test('refutations outweigh the first guess: where batches measured cheap, proposals that are never accepted stop', () => {
  // Verification nearly free (as a noisy calibration can measure it, or a GPU): only acceptance can stop proposals.
  const cheap = [{ tokens: 9, steps: 1.2 }];
  const throttle = new ProposalThrottle(8, 2, 8, cheap);
  const lengths: number[] = [];
  for (let i = 0; i < 400; i++) lengths.push(round(throttle, 0));
  assert.ok(throttle.acceptance < 0.05, `acceptance ${throttle.acceptance.toFixed(3)} after 400 refuted tokens`);
  const late = lengths.slice(200).filter((length) => length > 0).length;
  assert.ok(late <= 3, `proposals in the last 200 tokens: ${late} (only rare probes)`);
  // The pause between probes grows while they keep failing.
  const probes = lengths.flatMap((length, i) => (length > 0 ? [i] : [])).slice(-3);
  assert.ok(probes.length === 3 && probes[2]! - probes[1]! > probes[1]! - probes[0]!, `probes at ${probes.join(', ')}`);
});
