// Speculative decoding in node-llama-cpp with the tiny model: an oracle predictor that proposes exactly the greedy
// continuation must have every prediction accepted. Fails without scripts/patch-node-llama-cpp.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Token } from 'node-llama-cpp';
import { targetModelPath } from '../support/paths';

test('an oracle predictor’s tokens are all accepted (node-llama-cpp speculation fix)', async () => {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: targetModelPath });
  const context = await model.createContext({ contextSize: 512, threads: 1, sequences: 2 });
  try {
    const prompt = model.tokenize('export function add(a: number, b: number): number {\n  return a + b;\n}\n\nexport function');
    const length = 48;
    const expected: Token[] = [];
    for await (const token of context.getSequence().evaluate(prompt, { temperature: 0 })) {
      expected.push(token);
      if (expected.length >= length) break;
    }

    class OraclePredictor extends lib.TokenPredictor {
      private position = 0;
      reset({ stateTokens }: { stateTokens: Token[] }): void {
        this.position = Math.max(0, stateTokens.length - prompt.length);
      }
      pushTokens(tokens: Token[]): void {
        this.position += tokens.length;
      }
      predictTokens(): Token[] {
        return expected.slice(this.position, this.position + 8);
      }
    }

    const sequence = context.getSequence({ tokenPredictor: new OraclePredictor() });
    const generated: Token[] = [];
    for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
      generated.push(token);
      if (generated.length >= length) break;
    }
    const predictions = sequence.tokenPredictions;
    console.log(`oracle predictions: ${predictions.used} used, ${predictions.validated} validated, ${predictions.refuted} refuted`);
    assert.equal(predictions.refuted, 0, 'no correct prediction is refuted');
    assert.ok(predictions.used >= length / 2, `most tokens came from predictions (${predictions.used})`);
    assert.deepEqual(generated, expected, 'the same tokens as plain greedy decoding, all of them');
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
});
