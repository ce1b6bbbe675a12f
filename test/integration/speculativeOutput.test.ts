// Speculative decoding must never change what is completed: with the tiny pair, whole completions with prompt lookup
// and with the draft model are compared against plain greedy decoding, token for token (as text), on code that repeats
// its context (proposals get accepted) and code that does not (proposals get refuted).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpeculationSetting } from '../../common/settings';
import { Logger } from '../../server/src/logger';
import { loadLlamaCompletionModel } from '../../server/src/model/llamaLoader';
import { draftModelPath, targetModelPath } from '../support/paths';

const log = new Logger({ error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined });
const fn = (name: string) => `export function ${name}(a: Point, b: Point): Point {\n  return { x: a.x + b.x, y: a.y + b.y };\n}\n\n`;
const prompts = [
  { prefix: `${fn('add')}${fn('sum')}${fn('plus')}export function total(a: Point, b: Point): Point {\n  return { x: a.x`, suffix: '\n}\n' },
  { prefix: `const table = [\n  { name: 'a', value: 1 },\n  { name: 'b', value: 2 },\n  { name: 'c', value: 3 },\n  { name: '`, suffix: '\n];\n' },
  { prefix: '/**\n * Parses the options object.\n */\nexport function parse(input: string) {\n  const', suffix: '\n}\n' },
  { prefix: 'class Stack<T> {\n  private items: T[] = [];\n  push(item: T) {\n    this.items.push(item);\n  }\n  pop() {\n', suffix: '\n}\n' },
];

/**
 * Each prompt's completion from a freshly loaded model: the speculation gate, which keeps whichever mode measures
 * faster, speculates on a model's first request, so every completion here is a speculative one.
 */
async function completions(speculation: SpeculationSetting) {
  const texts: string[] = [];
  let proposals = 0;
  for (const prompt of prompts) {
    const model = await loadLlamaCompletionModel(
      {
        modelPath: targetModelPath,
        draftModelPath,
        threads: 1,
        adaptiveThreads: false,
        gpu: 'off',
        maxContextSize: 512,
        fimOrder: 'spm',
        speculation,
        reuseKvPrefix: true,
        anchorPrompt: true,
        latencyBudget: false,
        promptLatencyMs: 1000,
        // Speculate even where this machine would switch it off: the output is what is tested, not the speed.
        speculationCostCheck: false,
      },
      log,
    );
    try {
      const run = model.infill({ ...prompt, maxTokens: 48, signal: new AbortController().signal, documentKey: 'doc' });
      let text = '';
      for await (const token of run.tokens) text += token.text;
      const stats = await run.done;
      proposals += stats.acceptedPredictions + stats.refutedPredictions;
      texts.push(text);
    } finally {
      await model.dispose();
    }
  }
  return { texts, proposals };
}

test('completions with prompt lookup and with the draft model are exactly plain decoding\'s', async () => {
  const plain = await completions('off');
  assert.equal(plain.proposals, 0);
  assert.ok(plain.texts.every((text) => text.length > 0));
  for (const mode of ['promptLookup', 'draft'] as const) {
    const speculative = await completions(mode);
    console.log(`${mode}: ${speculative.proposals} proposed tokens checked`);
    assert.ok(speculative.proposals > 0, `${mode} proposed tokens (else this compares plain with plain)`);
    assert.deepEqual(speculative.texts, plain.texts, `${mode} completes exactly as plain decoding`);
  }
});
