import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tensorBytes, writeGguf } from '../../tools/src/ggufWriter';

test('a written GGUF file reads back with node-llama-cpp: metadata, tensor shapes, types and offsets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
  try {
    const path = join(dir, 'm.gguf');
    const tensors = [
      { name: 'a.weight', dims: [64, 3], type: 'q8_0' as const },
      { name: 'b.weight', dims: [5], type: 'f32' as const },
    ];
    const filled: string[] = [];
    const written = writeGguf(
      path,
      [
        ['general.architecture', { type: 'string', value: 'llama' }],
        ['llama.block_count', { type: 'u32', value: 2 }],
        ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
        ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
        ['tokenizer.ggml.tokens', { type: 'string[]', value: ['a', 'bé'] }],
        ['tokenizer.ggml.token_type', { type: 'i32[]', value: [1, -1] }],
      ],
      tensors,
      (tensor, chunk) => {
        filled.push(`${tensor.name}:${chunk.length}`);
        chunk.fill(1);
      },
      68, // two Q8_0 blocks a chunk
    );
    assert.equal(written, statSync(path).size);
    assert.deepEqual(filled, ['a.weight:68', 'a.weight:68', 'a.weight:68', 'b.weight:20']);
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(path);
    const metadata = info.metadata as any;
    assert.equal(metadata.general.architecture, 'llama');
    assert.equal(metadata.llama.block_count, 2);
    assert.equal(metadata.llama.rope.freq_base, 10000);
    assert.equal(metadata.tokenizer.ggml.add_bos_token, false);
    assert.deepEqual(metadata.tokenizer.ggml.tokens, ['a', 'bé']);
    assert.deepEqual(metadata.tokenizer.ggml.token_type, [1, -1]);
    assert.deepEqual(
      info.tensorInfo!.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType, Number(t.offset)]),
      [
        ['a.weight', [64, 3], 8, 0],
        ['b.weight', [5], 0, Math.ceil(tensorBytes(tensors[0]!) / 32) * 32],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
