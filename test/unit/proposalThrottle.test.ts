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
