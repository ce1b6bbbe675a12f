import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isModelError, type ModelError } from '../../server/src/errors';
import { checkGgufMetadata, type GgufReader, tooLargeForMemory, validateModelFile } from '../../server/src/model/ggufValidation';
import { type GgufLayout, parseGgufLayout } from '../../tools/src/fuzz/ggufLayout';
import { repoRoot } from '../support/paths';

const bundledDraft = join(repoRoot, 'models', 'tiny-code-draft-q8_0.gguf');

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

test('a vocabulary with two tokens that are the same up to a NUL byte is refused (llama.cpp would abort the process)', () => {
  const twice = structuredClone(good) as Record<string, any>;
  twice.tokenizer.ggml.tokens = ['a', '<pre>', '<mid>', '<suf>', 'Ġma', 'Ġ\0\0\0ch', 'Ġ'];
  const problem = checkGgufMetadata(twice, 'm.gguf');
  assert.equal(problem?.kind, 'corrupt');
  assert.match(problem!.message, /vocabulary has the token "Ġ" twice \(id 6\)/);
  twice.tokenizer.ggml.tokens = ['a', '<pre>', '<mid>', '<suf>', 'Ġma', 'Ġmatch', 'Ġ'];
  assert.equal(checkGgufMetadata(twice, 'm.gguf'), undefined, 'different tokens pass');
});

test('a model without FIM tokens is refused with advice', () => {
  const chat = structuredClone(good) as Record<string, any>;
  chat.tokenizer.ggml = { tokens: ['a'] };
  const problem = checkGgufMetadata(chat, 'chat.gguf');
  assert.equal(problem?.kind, 'noFimTokens');
  assert.match(problem!.message, /fill-in-the-middle/);
});

async function rejection(path: string, reader: GgufReader = async () => ({ metadata: good })): Promise<ModelError> {
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
  const error = await rejection(damaged);
  assert.equal(error.kind, 'corrupt');
  assert.match(error.message, /damaged: GGUF version 4294967295/);

  // A file whose structure holds but whose metadata the reader cannot take.
  const unparsable = await rejection(bundledDraft, async () => {
    throw new Error('bad header');
  });
  assert.equal(unparsable.kind, 'corrupt');
  assert.match(unparsable.message, /damaged: its GGUF header cannot be read/);

  // Unreadable: a file without read permission; as root (CI), where permissions do not stop a read, a file whose
  // read fails (/proc/self/mem at offset 0 is not mapped: EIO).
  let locked = join(dir, 'locked.gguf');
  if (process.getuid?.() !== 0) {
    writeFileSync(locked, 'GGUF'.padEnd(64, '\0'));
    chmodSync(locked, 0o000);
  } else locked = '/proc/self/mem';
  assert.equal((await rejection(locked)).kind, 'unreadable');
});

test('a well-formed file is accepted: its structure walked, its metadata read once and checked', async () => {
  const read: string[] = [];
  const reader = async (path: string) => {
    read.push(path);
    return { metadata: good };
  };
  assert.equal(await validateModelFile(bundledDraft, reader), undefined);
  assert.deepEqual(read, [bundledDraft]);
  // The same bytes with metadata that lacks FIM tokens are refused: acceptance above is a decision, not a no-op.
  const chat = structuredClone(good) as Record<string, any>;
  chat.tokenizer.ggml = { tokens: ['a'] };
  assert.equal((await rejection(bundledDraft, async () => ({ metadata: chat }))).kind, 'noFimTokens');
  // …unless FIM is not required (a chat model).
  assert.equal(await validateModelFile(bundledDraft, async () => ({ metadata: chat }), { requireFim: false, setting: 'hearth.chatModelPath' }), undefined);
});

// Found by `npm run fuzz` (tools/src/fuzz): node-llama-cpp's GGUF reader trusted these and hung or ran out of memory.
// Each is now refused by the structure walk before that reader runs, quickly and with what is wrong.
const structureCases: Array<{ name: string; mutate(buffer: Buffer, layout: GgufLayout): Buffer; message: RegExp }> = [
  {
    name: 'a key length a few MB too long (the reader walked garbage for 19 s)',
    mutate: (b, l) => (b.writeBigUInt64LE(2279360n, l.kv.find((e) => e.key === 'tokenizer.ggml.add_eos_token')!.keyLength), b),
    message: /metadata key \d+ claims 2279360 bytes/,
  },
  {
    name: 'a tensor with 4 294 967 295 dimensions (the reader allocated until killed)',
    mutate: (b, l) => (b.writeUInt32LE(0xffffffff, l.tensors[3]!.dimCount), b),
    message: /has 4294967295 dimensions \(llama\.cpp allows 1 to 4\)/,
  },
  { name: 'a metadata count past what the file can hold', mutate: (b, l) => (b.writeBigUInt64LE(0xffffffffffffffffn, l.kvCount), b), message: /claims 18446744073709551615 metadata entries/ },
  { name: 'a tensor count past what the file can hold', mutate: (b, l) => (b.writeBigUInt64LE(1n << 40n, l.tensorCount), b), message: /claims 1099511627776 tensors/ },
  { name: 'a value type GGUF does not define', mutate: (b, l) => (b.writeUInt32LE(13, l.kv[2]!.type), b), message: /value type 13/ },
  { name: 'an array longer than the file', mutate: (b, l) => (b.writeBigUInt64LE(1n << 62n, l.kv.find((e) => e.arrayCount !== undefined)!.arrayCount!), b), message: /claims 4611686018427387904 elements/ },
  { name: 'an element count that overflows when multiplied', mutate: (b, l) => (b.writeBigUInt64LE(1n << 62n, l.tensors[0]!.dims[0]!), b.writeBigUInt64LE(8n, l.tensors[0]!.dims[1] ?? l.tensors[0]!.dims[0]!), b), message: /past what llama\.cpp can address/ },
  { name: 'a tensor offset past the data', mutate: (b, l) => (b.writeBigUInt64LE(BigInt(l.size) * 2n, l.tensors[1]!.offset), b), message: /it ends before its tensor data does \(tensor 1's data starts at byte \d+ of the data, the file holds \d+\): a download cut short/ },
  { name: 'a misaligned tensor offset', mutate: (b, l) => (b.writeBigUInt64LE(3n, l.tensors[1]!.offset), b), message: /is not aligned to 32/ },
  { name: 'a file cut inside its tensor table', mutate: (b, l) => b.subarray(0, l.tensors[5]!.start + 3), message: /the file ends inside/ },
  {
    name: 'a key that appears twice',
    mutate: (b, l) => {
      const entry = l.kv[1]!;
      const copy = Buffer.concat([b.subarray(0, entry.end), b.subarray(entry.start, entry.end), b.subarray(entry.end)]);
      copy.writeBigUInt64LE(BigInt(l.kv.length + 1), l.kvCount);
      return copy;
    },
    message: /appears twice/,
  },
];

for (const { name, mutate, message } of structureCases) {
  test(`refused before any parser trusts it: ${name}`, async () => {
    const original = readFileSync(bundledDraft);
    const dir = mkdtempSync(join(tmpdir(), 'hearth-gguf-'));
    const path = join(dir, 'mutant.gguf');
    writeFileSync(path, mutate(Buffer.from(original), parseGgufLayout(original)));
    let readerCalled = false;
    const error = await rejection(path, async () => {
      readerCalled = true;
      return { metadata: good };
    });
    assert.equal(error.kind, 'corrupt');
    assert.match(error.message, message);
    assert.match(error.message, /^mutant\.gguf is damaged: .*Re-download the model\.$/);
    assert.equal(readerCalled, false, 'the trusting reader never saw the file');
    rmSync(dir, { recursive: true, force: true });
  });
}

test('a relative model path is refused by its setting, before anything is opened', async () => {
  const error = await rejection('models/q.gguf');
  assert.equal(error.kind, 'missing');
  assert.match(error.message, /^hearth\.modelPath is "models\/q\.gguf", a relative path: give the model file's full path/);
});

test('a model larger than the machine’s memory (less 1.5 GB for the system and editor) is refused before loading, with sizes', async () => {
  assert.equal(tooLargeForMemory(4e9, 8 * 2 ** 30, 'q.gguf'), undefined);
  const problem = tooLargeForMemory(20e9, 16 * 2 ** 30, 'big.gguf');
  assert.equal(problem?.kind, 'tooLarge');
  assert.match(problem!.message, /^big\.gguf needs 20\.0 GB of memory; this machine has 17\.2 GB in all\. Choose a smaller model/);
  // Through the whole validation, before the file is parsed: the bundled draft "on" a machine with 1.6 GB.
  let read = false;
  await assert.rejects(
    validateModelFile(bundledDraft, async () => ((read = true), { metadata: good }), { totalMemoryBytes: 1.5 * 2 ** 30 + 1e6 }),
    (error: ModelError) => error.kind === 'tooLarge',
  );
  assert.equal(read, false);
});
