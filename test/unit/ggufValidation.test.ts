import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isModelError, type ModelError } from '../../server/src/errors';
import { checkGgufMetadata, validateModelFile } from '../../server/src/model/ggufValidation';

const good = {
  general: { architecture: 'llama' },
  llama: { block_count: 6, embedding_length: 256, attention: { head_count: 4 } },
  tokenizer: { ggml: { tokens: ['a', '<pre>', '<mid>', '<suf>'], fim_pre_token_id: 1, fim_suf_token_id: 3, fim_mid_token_id: 2 } },
};

test('a complete FIM model passes', () => {
  assert.equal(checkGgufMetadata(good, 'm.gguf'), undefined);
});

test('legacy prefix/suffix/middle token keys count as FIM tokens', () => {
  const legacy = structuredClone(good) as Record<string, any>;
  legacy.tokenizer.ggml = { tokens: ['a', '<pre>', '<mid>', '<suf>'], prefix_token_id: 1, suffix_token_id: 3, middle_token_id: 2 };
  assert.equal(checkGgufMetadata(legacy, 'm.gguf'), undefined);
});

test('a missing key that would abort llama.cpp is refused by name', () => {
  const broken = structuredClone(good) as Record<string, any>;
  delete broken.llama.attention.head_count;
  const problem = checkGgufMetadata(broken, 'm.gguf');
  assert.equal(problem?.kind, 'corrupt');
  assert.match(problem!.message, /llama\.attention\.head_count/);
});

test("a conversion without FIM keys passes when its vocabulary has a family's FIM tokens (as llama.cpp finds them)", () => {
  const deepseek = structuredClone(good) as Record<string, any>;
  deepseek.tokenizer.ggml = { tokens: ['a', '<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>'] };
  assert.equal(checkGgufMetadata(deepseek, 'deepseek.gguf'), undefined);
});

test('a model without FIM tokens is refused with advice', () => {
  const chat = structuredClone(good) as Record<string, any>;
  chat.tokenizer.ggml = { tokens: ['a'] };
  const problem = checkGgufMetadata(chat, 'chat.gguf');
  assert.equal(problem?.kind, 'noFimTokens');
  assert.match(problem!.message, /fill-in-the-middle/);
});

async function rejection(path: string, reader = async () => ({ metadata: good })): Promise<ModelError> {
  try {
    await validateModelFile(path, reader);
  } catch (error) {
    assert.ok(isModelError(error));
    return error;
  }
  assert.fail('validation passed');
}

test('missing, unreadable, non-GGUF and damaged files are told apart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-gguf-'));
  assert.equal((await rejection(join(dir, 'nope.gguf'))).kind, 'missing');
  assert.equal((await rejection(dir)).kind, 'missing');

  const text = join(dir, 'notes.gguf');
  writeFileSync(text, 'this is not a model at all, just some text');
  assert.equal((await rejection(text)).kind, 'corrupt');

  const damaged = join(dir, 'damaged.gguf');
  writeFileSync(damaged, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(64, 0xff)]));
  const error = await rejection(damaged, async () => {
    throw new Error('bad header');
  });
  assert.equal(error.kind, 'corrupt');
  assert.match(error.message, /damaged/);

  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked.gguf');
    writeFileSync(locked, 'GGUF'.padEnd(64, '\0'));
    chmodSync(locked, 0o000);
    assert.equal((await rejection(locked)).kind, 'unreadable');
  }
});

test('a well-formed file is accepted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-gguf-'));
  const path = join(dir, 'ok.gguf');
  writeFileSync(path, 'GGUF'.padEnd(64, '\0'));
  await validateModelFile(path, async () => ({ metadata: good }));
});
