// The benchmark target that thinks like the tiny model and costs like the 0.5B shape (tools/src/embeddedModel.ts):
// written with one identity layer (the benchmark's has 26), its greedy output must be the tiny target's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { embeddedModelFacts, ensureEmbeddedModel } from '../../tools/src/embeddedModel';
import { targetModelPath } from '../support/paths';

test('the tiny target embedded in the 0.5B shape decodes exactly as the tiny target', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-embedded-'));
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  try {
    const path = await ensureEmbeddedModel(join(dir, 'embedded.gguf'), 7, targetModelPath);
    const greedy = async (modelPath: string, prompts: string[]) => {
      const model = await llama.loadModel({ modelPath });
      const context = await model.createContext({ contextSize: 512, threads: 1 });
      try {
        const sequence = context.getSequence();
        const outputs: number[][] = [];
        for (const prompt of prompts) {
          await sequence.clearHistory();
          const out: number[] = [];
          for await (const token of sequence.evaluate(model.tokenize(prompt), { temperature: 0 })) {
            out.push(token);
            if (out.length >= 12) break;
          }
          outputs.push(out);
        }
        return { outputs, layers: model.fileInfo.metadata.llama?.block_count, width: model.embeddingVectorSize };
      } finally {
        await context.dispose();
        await model.dispose();
      }
    };
    const prompts = [
      'export function add(a: number, b: number): number {\n  return',
      'import { readFile } from "node:fs/promises";\n\nexport async function load(path: string) {\n',
      '<fim_suffix>\n}\n<fim_prefix>function area(w: number, h: number) {\n  return<fim_middle>',
      'class Queue<T> {\n  private items: T[] = [];\n  enqueue(item: T) {\n',
      'def parse(line):\n    key, _, value = line.partition("=")\n',
      'const cases = [\n  { input: 1, expected: 2 },\n  { input: 2, expected: 4 },\n',
    ];
    const tiny = await greedy(targetModelPath, prompts);
    const embedded = await greedy(path, prompts);
    assert.equal(embedded.layers, 7);
    assert.equal(embedded.width, 896, 'padded to the 0.5B width');
    assert.deepEqual(embedded.outputs, tiny.outputs);
    const facts = embeddedModelFacts();
    const ratio = facts.weightBytesPerToken / facts.qwen05bWeightBytesPerToken;
    assert.ok(Math.abs(ratio - 1) <= 0.05, `the benchmark's ${facts.layers} layers read ${ratio.toFixed(3)}× the 0.5B shape's weights per token`);
  } finally {
    await llama.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
