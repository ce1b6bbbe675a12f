// Speculative decoding must never change what is completed: with the tiny pair, whole completions with prompt lookup
// and with the draft model are compared against plain greedy decoding, token for token (as text), on code that repeats
// its context (proposals get accepted) and code that does not (proposals get refuted).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpeculationSetting } from '../../common/settings';
import { Logger } from '../../server/src/logger';
import type { LlamaCompletionModel } from '../../server/src/model/llamaCompletionModel';
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

function load(speculation: SpeculationSetting) {
  return loadLlamaCompletionModel(
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
}

async function complete(model: LlamaCompletionModel, prompt: { prefix: string; suffix: string }, documentKey: string) {
  const run = model.infill({ ...prompt, maxTokens: 48, signal: new AbortController().signal, documentKey });
  let text = '';
  for await (const token of run.tokens) text += token.text;
  return { text, stats: await run.done };
}

/**
 * Each prompt's completion from a freshly loaded model: the speculation gate tries a document's speculative modes
 * before plain decoding, so every completion here is a speculative one.
 */
async function completions(speculation: SpeculationSetting) {
  const texts: string[] = [];
  let proposals = 0;
  for (const prompt of prompts) {
    const model = await load(speculation);
    try {
      const { text, stats } = await complete(model, prompt, 'doc');
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

test('auto tries each mode per document, and each completes exactly as plain decoding', async () => {
  const plain = await completions('off');
  const model = await load('auto');
  const used: Record<string, number> = {};
  try {
    // Each document three times: its gate measures lookup, then the draft, then plain decoding.
    for (const [i, prompt] of prompts.entries()) {
      for (let round = 0; round < 3; round++) {
        const { text, stats } = await complete(model, prompt, `doc${i}`);
        const mode = stats.speculationMode ?? 'none';
        used[mode] = (used[mode] ?? 0) + 1;
        assert.equal(text, plain.texts[i], `prompt ${i}, round ${round} (${mode}) completes as plain decoding`);
      }
    }
  } finally {
    await model.dispose();
  }
  console.log(`auto used ${JSON.stringify(used)}`);
  assert.ok((used.promptLookup ?? 0) > 0 && (used.draft ?? 0) > 0 && (used.off ?? 0) > 0, `every mode was used: ${JSON.stringify(used)}`);
});

test("the draft's KV state follows the target's across keystrokes: what was typed is all it evaluates again", async () => {
  const model = await load('draft');
  try {
    const prompt = prompts[3]!;
    const first = await complete(model, prompt, 'doc');
    assert.equal(first.stats.speculationMode, 'draft');
    assert.ok(first.stats.draftPromptTokens! >= first.stats.promptTokens - 1, `first request: the draft evaluated ${first.stats.draftPromptTokens} of ${first.stats.promptTokens} prompt tokens`);
    // Keystrokes: the gate measures plain decoding too, so the draft follows at its next request, from where it was.
    const typedDraft: number[] = [];
    const typing = '    return this.items.pop();';
    for (let i = 1; i <= typing.length; i++) {
      const { stats } = await complete(model, { prefix: `${prompt.prefix}${typing.slice(0, i)}`, suffix: prompt.suffix }, 'doc');
      if (stats.speculationMode === 'draft') typedDraft.push(stats.draftPromptTokens!);
    }
    console.log(`draft prompt tokens: first ${first.stats.draftPromptTokens}, then per request that used the draft ${JSON.stringify(typedDraft)}`);
    assert.ok(typedDraft.length > 0, 'the draft was used again while typing');
    assert.ok(typedDraft.every((tokens) => tokens <= 16), 'the draft re-evaluated only what changed');
  } finally {
    await model.dispose();
  }
});
