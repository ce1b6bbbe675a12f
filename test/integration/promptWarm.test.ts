// The latency budget end to end on llama.cpp with the tiny model: a prompt too long for the budget is cut to a quick
// one (run on the quick sequence), the whole window is warmed in the background into the document's own sequence,
// which then serves the document with the whole window from its KV cache — with exactly the output a fresh evaluation
// of that window gives. The warm-up needs no rest: it goes on between requests that follow each other at once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InfillRequest, InfillStats } from '../../server/src/model/completionModel';
import type { LlamaCompletionModel } from '../../server/src/model/llamaCompletionModel';
import { type LlamaModelOptions, loadLlamaCompletionModel } from '../../server/src/model/llamaLoader';
import { Logger } from '../../server/src/logger';
import { fixtureWorkspace, targetModelPath } from '../support/paths';

const logs: string[] = [];
const log = new Logger({ error: (l) => logs.push(l), warn: (l) => logs.push(l), info: (l) => logs.push(l), log: (l) => logs.push(l) });
log.setLevel('debug');
const options = (latencyBudget: boolean): LlamaModelOptions => ({
  modelPath: targetModelPath,
  draftModelPath: '',
  threads: 1,
  adaptiveThreads: false,
  gpu: 'off',
  maxContextSize: 4096,
  fimOrder: 'psm',
  speculation: 'off',
  reuseKvPrefix: true,
  anchorPrompt: true,
  latencyBudget,
  // A budget no prompt fits: every uncached window is cut to the quick prompt.
  promptLatencyMs: 0.001,
});

const math = readFileSync(join(fixtureWorkspace, 'src', 'math.ts'), 'utf8');
const prefix = `${math}\n${math}\nexport function norm(p: Point): number {\n  return Math.`;
const suffix = `\n}\n\n${math}`;
const request = (): InfillRequest => ({ prefix, suffix, maxTokens: 16, signal: new AbortController().signal, documentKey: 'norm.ts' });

async function complete(model: LlamaCompletionModel): Promise<{ text: string; stats: InfillStats }> {
  const run = model.infill(request());
  let text = '';
  for await (const token of run.tokens) text += token.text;
  return { text, stats: await run.done };
}

test('over the latency budget: a quick prompt now, the whole window warmed in the background and used next', async () => {
  const model = await loadLlamaCompletionModel(options(true), log);
  const reference = await loadLlamaCompletionModel(options(false), log);
  try {
    const cold = await complete(model);
    assert.equal(cold.stats.fullPrompt, false, 'the cold prompt is cut to the budget');
    const quickPrompt = model.lastPrompt()!;
    assert.ok(!quickPrompt.includes('export function add'), 'the quick prompt holds only the code nearest the cursor');
    assert.equal(await model.whenWarm(), true, `the whole window was warmed\n${logs.slice(-5).join('\n')}`);

    const warm = await complete(model);
    assert.equal(warm.stats.fullPrompt, true, 'the next request has the whole window');
    const evaluated = warm.stats.promptTokens - warm.stats.reusedPromptTokens;
    assert.ok(evaluated <= 8, `only the middle (the typed part of the line) is evaluated, not ${evaluated} tokens`);
    assert.ok(warm.stats.promptTokens > cold.stats.promptTokens * 2, `${warm.stats.promptTokens} tokens against ${cold.stats.promptTokens}`);

    // The warmed KV state is the window's own: the same output as evaluating the window from scratch.
    const fresh = await complete(reference);
    assert.equal(fresh.stats.fullPrompt, true);
    assert.equal(fresh.stats.reusedPromptTokens, 0);
    assert.equal(model.lastPrompt(), reference.lastPrompt(), 'the same prompt');
    assert.equal(warm.text, fresh.text);
    assert.ok(warm.stats.generatedTokens > 0);
  } finally {
    await model.dispose();
    await reference.dispose();
  }
});

test('the warm-up progresses between awaited requests, with no rest: the window is whole within a few keystrokes', async () => {
  const model = await loadLlamaCompletionModel(options(true), log);
  try {
    logs.length = 0;
    const typed = 'Math.sqrt(p.x * p.x + p.y * p.y)';
    const kinds: boolean[] = [];
    for (let i = 1; i <= typed.length && !kinds.at(-1); i++) {
      // Each keystroke's request awaited, the next sent at once (a message's turn of the event loop between them).
      const run = model.infill({ ...request(), prefix: `${prefix.slice(0, -'Math.'.length)}${typed.slice(0, i)}` });
      for await (const _ of run.tokens);
      kinds.push((await run.done).fullPrompt === true);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(kinds[0], false, 'the first request had the quick prompt');
    assert.equal(kinds.at(-1), true, `the whole window arrived while typing: ${kinds.join(',')}\n${logs.filter((l) => /Warm/.test(l)).join('\n')}`);
    assert.ok(logs.some((l) => /Warm: .*whole window/.test(l)), 'warmed by the warm-up, not by a request');
  } finally {
    await model.dispose();
  }
});

test('a space typed last is held back from the middle and not shown twice', async () => {
  const model = await loadLlamaCompletionModel(options(false), log);
  try {
    const at = math.indexOf('a.x + b.x');
    const run = async (before: string) => {
      const infill = model.infill({ prefix: before, suffix: math.slice(at + 'a.x + b.x'.length), maxTokens: 12, signal: new AbortController().signal, documentKey: before });
      let text = '';
      for await (const token of infill.tokens) text += token.text;
      await infill.done;
      return { text, prompt: model.lastPrompt()! };
    };
    const withoutSpace = await run(math.slice(0, at - 1)); // "… { x:"
    const withSpace = await run(math.slice(0, at)); // "… { x: "
    assert.equal(withSpace.prompt, withoutSpace.prompt, 'the same prompt: the trailing space is held back');
    assert.ok(withoutSpace.text.length > 0);
    assert.equal(withSpace.text, withoutSpace.text.startsWith(' ') ? withoutSpace.text.slice(1) : withoutSpace.text);
  } finally {
    await model.dispose();
  }
});

test('a quick prompt after the window’s header is warm starts with that header, copied from the document’s sequence', async () => {
  const model = await loadLlamaCompletionModel(options(true), log);
  try {
    assert.ok(model.contextBudgetTokens > 0, 'the bundled model knows the repository-level format');
    const context = [{ path: 'src/geometry.ts', text: 'export interface Point {\n  x: number;\n  y: number;\n}\n\nexport function distance(a: Point, b: Point): number {\n  return 0;\n}' }];
    const at = (suffixText: string): InfillRequest => ({ ...request(), suffix: suffixText, context });
    const run = async (req: InfillRequest) => {
      const r = model.infill(req);
      for await (const _ of r.tokens);
      return r.done;
    };
    const cold = await run(at(suffix));
    assert.equal(cold.fullPrompt, false);
    assert.ok(!model.lastPrompt()!.includes('export function distance'), 'the cold quick prompt has room for the header’s share only');
    assert.equal(await model.whenWarm(), true, 'the whole window, header first, warmed into the document’s sequence');
    // The user jumps: what follows the cursor changed, so the warm window no longer fits the budget — but its header does.
    const jumped = await run(at(`\n}\n\nexport const scale = 2;\n${math}`));
    assert.equal(jumped.fullPrompt, false, 'a quick prompt');
    const prompt = model.lastPrompt()!;
    assert.ok(prompt.includes('export interface Point') && prompt.includes('export function distance'), `it holds the whole header:\n${prompt.slice(0, 300)}`);
    assert.ok(jumped.reusedPromptTokens > 20, `the header was copied, not evaluated: ${jumped.reusedPromptTokens} of ${jumped.promptTokens} tokens reused`);
    assert.ok(jumped.promptTokens - jumped.reusedPromptTokens <= 64, `only the code at the cursor was evaluated: ${jumped.promptTokens - jumped.reusedPromptTokens} tokens`);
  } finally {
    await model.dispose();
  }
});
