// A quick prompt that starts with the window's header gets it copied from the document's sequence (kvReuse.ts
// borrowPrefix, node-llama-cpp's sequence copy): on the bundled model, what it then generates is what evaluating the
// whole prompt would, and only the tokens after the header are evaluated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { borrowPrefix } from '../../server/src/model/kvReuse';
import { targetModelPath } from '../support/paths';

const quiet = { trace: () => undefined, warn: (message: string) => assert.fail(message) };

async function greedy(sequence: LlamaContextSequence, tokens: Token[], count: number): Promise<Token[]> {
  const out: Token[] = [];
  for await (const token of sequence.evaluate(tokens, { temperature: 0 })) {
    out.push(token);
    if (out.length === count) break;
  }
  return out;
}

test('a header copied from another sequence generates what evaluating it would, and replaces what the target held', { timeout: 120_000 }, async () => {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: targetModelPath });
  const context = await model.createContext({ contextSize: 512, threads: 1, sequences: 3 });
  try {
    const [document, quick, fresh] = [context.getSequence(), context.getSequence(), context.getSequence()];
    const header = model.tokenize('// util.ts\nexport function parse(text: string): Node {\nexport function format(node: Node): string {\n');
    const window = [...header, ...model.tokenize('const a = parse(input);\nconst b = format(a);\n')];
    const quickCode = model.tokenize('function main() {\n  const node = ');
    await document.evaluateWithoutGeneratingNewTokens(window);
    // The quick sequence held another prompt: it must not leak into the copy.
    await quick.evaluateWithoutGeneratingNewTokens(model.tokenize('something else entirely, longer than the header is'));

    assert.equal(await borrowPrefix(quick as never, document, header.length, quiet), true);
    assert.deepEqual(quick.contextTokens, header, 'the quick sequence holds the header, and only it');
    assert.deepEqual(document.contextTokens, window, 'the document keeps its window');
    const borrowed = await greedy(quick, quickCode, 12);
    const evaluated = await greedy(fresh, [...header, ...quickCode], 12);
    assert.deepEqual(borrowed, evaluated, 'the same continuation');
    assert.equal(quick.contextTokens.length, header.length + quickCode.length + 11);
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
});
