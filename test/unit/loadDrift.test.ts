import assert from 'node:assert/strict';
import { test } from 'node:test';
import { driftFrom } from '../../tools/src/reliability/typingLoad';

const samples = (mibs: number[]) => mibs.map((mib, at) => ({ at, mib }));

test('memory drift is measured from the warm-up on, against the median of the first samples after it', () => {
  // Before the warm-up ends (at 2 s) the samples do not count; the reference is the median of 100, 130, 100, 100, 100.
  const drift = driftFrom(samples([50, 60, 100, 130, 100, 100, 100, 111]), 2);
  assert.deepEqual(drift.map((d) => Math.round(d * 100)), [0, 30, 0, 0, 0, 11]);
});

test('memory drift: one sample on a trough does not make a flat run look like growth', () => {
  const drift = driftFrom(samples([80, 100, 100, 100, 100, 100, 100]), 0);
  assert.ok(drift.slice(1).every((d) => d === 0));
  assert.equal(drift[0], -0.2);
});

test('memory drift with a single sample reference (the old rule) still works', () => {
  assert.deepEqual(driftFrom(samples([100, 120]), 0, 1), [0, 0.2]);
});
