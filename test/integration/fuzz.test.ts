// GGUF fuzzing in CI: 1 000 mutated model files loaded the way the server loads one (tools/src/fuzz), and the cases
// that found bugs, replayed. Every case must be refused with a message or load; none may crash, hang or blow memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runFuzz } from '../../tools/src/fuzz/fuzzRunner';
import { repoRoot } from '../support/paths';

const options = {
  modelPath: join(repoRoot, 'models', 'tiny-code-draft-q8_0.gguf'),
  timeoutMs: 30_000,
  memoryLimitMiB: 1024,
  workerScript: join(repoRoot, 'out', 'tools', 'fuzzWorker.js'),
};

test('1 000 mutated GGUF files: each refused with a message or loaded, no crash, hang or memory blow-up', { timeout: 600_000 }, async () => {
  const report = await runFuzz({ ...options, seed: 20261130, indexes: Array.from({ length: 1000 }, (_, i) => i) });
  console.log(JSON.stringify({ cases: report.cases, crashes: report.crashes, hangs: report.hangs, overMemory: report.overMemory, refused: report.refused, loaded: report.loaded, maxRssMiB: report.maxRssMiB, seconds: report.seconds }));
  assert.deepEqual(report.failures, []);
  assert.equal(report.cases, 1000);
  assert.equal(report.refused + report.loaded, 1000);
  // The mutations reach every part: each kind has cases llama.cpp or Hearth refused.
  for (const [kind, counts] of Object.entries(report.byKind)) assert.ok(counts.refused > 0, `${kind} refused nothing: the mutation does not bite`);
});

test('the cases that found bugs are refused quickly, with what is wrong', { timeout: 120_000 }, async () => {
  const regressions = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'fuzz', 'regressions.json'), 'utf8')) as Array<{ seed: number; index: number; description: string }>;
  for (const regression of regressions) {
    const results: Array<{ description: string; outcome: string; message: string; ms: number }> = [];
    await runFuzz({ ...options, seed: regression.seed, indexes: [regression.index], onCase: (result) => results.push(result) });
    const [result] = results;
    assert.equal(result?.description, regression.description, 'the generator still makes the case that found the bug');
    assert.equal(result.outcome, 'refusedByHearth', `${regression.description}: ${result.outcome} ${result.message}`);
    assert.match(result.message, /is damaged: .+\. Re-download the model\.$/);
    assert.ok(result.ms < 5000, `refused in ${Math.round(result.ms)} ms`);
  }
});
