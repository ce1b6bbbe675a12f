import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxUnmeasuredTries, ModeGate, SpeculationGate, type SpeculationMode, speculationMargin } from '../../server/src/model/speculationGate';

/** Runs `requests` requests of one document against fixed speeds per mode; returns how often each mode was chosen. */
function simulate(gate: SpeculationGate, speeds: Partial<Record<SpeculationMode, number>>, requests: number, document = 'a.ts') {
  const chosen: Record<SpeculationMode, number> = { off: 0, promptLookup: 0, draft: 0 };
  for (let i = 0; i < requests; i++) {
    const mode = gate.choose(document);
    chosen[mode]++;
    gate.record(document, mode, speeds[mode]!);
  }
  return chosen;
}

test('measures each mode once first, in the order given', () => {
  const gate = new ModeGate(['promptLookup', 'draft', 'off']);
  assert.equal(gate.choose(), 'promptLookup');
  gate.record('promptLookup', 500);
  assert.equal(gate.choose(), 'draft');
  gate.record('draft', 400);
  assert.equal(gate.choose(), 'off');
  gate.record('off', 450);
  assert.equal(gate.choose(), 'promptLookup');
});

test('when speculation is slower it is only probed now and then', () => {
  const chosen = simulate(new SpeculationGate(['promptLookup', 'off'], 8), { promptLookup: 360, off: 920 }, 100);
  assert.ok(chosen.promptLookup <= 14, `speculated ${chosen.promptLookup} of 100`);
});

test('when speculation is faster nearly every request speculates', () => {
  const chosen = simulate(new SpeculationGate(['promptLookup', 'off'], 8), { promptLookup: 1500, off: 900 }, 100);
  assert.ok(chosen.promptLookup >= 85, `speculated ${chosen.promptLookup} of 100`);
});

test('of three modes the fastest is kept and each loser is still probed', () => {
  const chosen = simulate(new SpeculationGate(['promptLookup', 'draft', 'off'], 8), { promptLookup: 700, draft: 1400, off: 900 }, 200);
  assert.ok(chosen.draft >= 170, `draft ${chosen.draft} of 200`);
  assert.ok(chosen.promptLookup >= 3 && chosen.off >= 3, `probes: lookup ${chosen.promptLookup}, off ${chosen.off}`);
});

test('a change in the code being typed flips the choice', () => {
  const gate = new SpeculationGate(['promptLookup', 'off'], 4);
  simulate(gate, { promptLookup: 1500, off: 900 }, 20);
  simulate(gate, { promptLookup: 300, off: 900 }, 20);
  assert.equal(gate.choose('a.ts'), 'off');
});

test('each document keeps its own choice', () => {
  const gate = new SpeculationGate(['promptLookup', 'off'], 8);
  // Interleaved: a document where lookup wins and one where it loses.
  let table = 0;
  let fresh = 0;
  for (let i = 0; i < 30; i++) {
    table += simulate(gate, { promptLookup: 1500, off: 900 }, 1, 'table.test.ts').promptLookup;
    fresh += simulate(gate, { promptLookup: 300, off: 900 }, 1, 'new.ts').promptLookup;
  }
  assert.ok(table >= 25, `lookup in the table test: ${table} of 30`);
  assert.ok(fresh <= 5, `lookup in the new file: ${fresh} of 30`);
});

test('requests without a usable speed measurement are ignored', () => {
  const gate = new ModeGate(['promptLookup', 'off']);
  gate.record('promptLookup', 0);
  gate.record('promptLookup', Number.NaN);
  assert.equal(gate.choose(), 'promptLookup', 'still has no speculative measurement');
});

test('plain decoding keeps a document unless speculation measured faster by the margin: a tie costs batches for nothing', () => {
  const tie = simulate(new SpeculationGate(['off', 'promptLookup'], 8), { promptLookup: 900, off: 900 }, 100);
  assert.ok(tie.off >= 85, `plain decoding ${tie.off} of 100 at equal speed`);
  const within = simulate(new SpeculationGate(['off', 'promptLookup'], 8), { promptLookup: 900 * (speculationMargin - 0.01), off: 900 }, 100);
  assert.ok(within.off >= 85, `plain decoding ${within.off} of 100 within the margin`);
  const gate = new ModeGate(['off', 'promptLookup']);
  assert.equal(gate.choose(), 'off', 'a document starts at plain decoding');
  gate.record('off', 900);
  gate.record('promptLookup', 900 * speculationMargin * 1.02);
  assert.equal(gate.best(), 'promptLookup', 'beyond the margin, speculation is kept');
});

test('requests cancelled before they measure anything try an unmeasured mode a few times only, then plain decoding', () => {
  const gate = new ModeGate(['off', 'promptLookup'], 8);
  assert.equal(gate.choose(), 'off');
  gate.record('off', 900);
  // Typing: every request is cancelled after a token or two, too few to measure a speed.
  const typing = Array.from({ length: 40 }, () => gate.choose());
  assert.equal(typing.filter((mode) => mode === 'promptLookup').length, maxUnmeasuredTries, typing.join(' '));
  // Measured requests go on: the unmeasured mode is probed when due, like a loser, and its measurement counts.
  const measured = Array.from({ length: 20 }, () => {
    const mode = gate.choose();
    gate.record(mode, mode === 'off' ? 900 : 2000);
    return mode;
  });
  assert.ok(measured.includes('promptLookup'), measured.join(' '));
  assert.equal(gate.best(), 'promptLookup');
});
