import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpeculationGate } from '../../server/src/model/speculationGate';

/** Runs `requests` requests against fixed speeds; returns how many speculated. */
function simulate(gate: SpeculationGate, speculativeRate: number, plainRate: number, requests: number): number {
  let speculated = 0;
  for (let i = 0; i < requests; i++) {
    const speculate = gate.shouldSpeculate();
    if (speculate) speculated++;
    gate.record(speculate, speculate ? speculativeRate : plainRate);
  }
  return speculated;
}

test('measures both ways first: speculative, then plain', () => {
  const gate = new SpeculationGate();
  assert.equal(gate.shouldSpeculate(), true);
  gate.record(true, 500);
  assert.equal(gate.shouldSpeculate(), false);
});

test('when speculation is slower it is only probed now and then', () => {
  const speculated = simulate(new SpeculationGate(8), 360, 920, 100);
  assert.ok(speculated <= 14, `speculated ${speculated} of 100`);
});

test('when speculation is faster nearly every request speculates', () => {
  const speculated = simulate(new SpeculationGate(8), 1500, 900, 100);
  assert.ok(speculated >= 85, `speculated ${speculated} of 100`);
});

test('a change in the code being typed flips the choice', () => {
  const gate = new SpeculationGate(4);
  simulate(gate, 1500, 900, 20);
  simulate(gate, 300, 900, 20);
  assert.equal(gate.shouldSpeculate(), false);
});

test('requests without a usable speed measurement are ignored', () => {
  const gate = new SpeculationGate();
  gate.record(true, 0);
  gate.record(true, Number.NaN);
  assert.equal(gate.shouldSpeculate(), true, 'still has no speculative measurement');
});
