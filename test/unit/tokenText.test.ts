import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ByteLevelDecoder } from '../../server/src/model/tokenText';
import { repoRoot } from '../support/paths';

test('byte-level tokens decode to exactly the code the model wrote, spaces before punctuation included', async () => {
  const { getLlama, LlamaLogLevel, readGgufFileInfo } = await import('node-llama-cpp');
  const path = join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf');
  const ggml = (await readGgufFileInfo(path)).metadata.tokenizer!.ggml as unknown as { tokens: string[]; token_type: number[] };
  const decoder = new ByteLevelDecoder(ggml.tokens, ggml.token_type);
  const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
  try {
    const code = "const a = b ? c : d;\nx = { ...y }; f(a , b) . c;\n\tconst s = 'é ✓ 😀';\n";
    const ids = model.tokenize(code) as number[];
    assert.equal(decoder.decode(ids), code);
    assert.notEqual(model.detokenize(model.tokenize(code)), code, "llama.cpp's own detokenizer loses those spaces (else this decoder is not needed)");
    // A character split across tokens decodes to U+FFFD until its last byte arrives.
    const emoji = model.tokenize('😀') as number[];
    if (emoji.length > 1) assert.ok(decoder.decode(emoji.slice(0, -1)).endsWith('\uFFFD'));
    assert.equal(decoder.decode([0, ...ids.slice(0, 2)]), decoder.decode(ids.slice(0, 2)), 'control tokens decode to nothing');
  } finally {
    await model.dispose();
    await llama.dispose();
  }
});
