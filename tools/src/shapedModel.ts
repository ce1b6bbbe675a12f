// A size-realistic benchmark model: random weights in the exact shape of Qwen2.5-Coder-0.5B (architecture qwen2:
// 24 layers, width 896, 14 heads, 2 KV heads, FFN 4864, vocabulary 151 936, tied embedding), quantized Q8_0. Its
// speed is that of the real model — a forward pass costs the same whatever the weights' values — so it stands in for
// the download that cannot happen on this machine. Its text is noise. The tokenizer is the bundled tiny model's
// (with its FIM tokens), padded to the real vocabulary size.
//
//   node out/tools/makeShapedModel.js [FILE]   (the benchmark makes it itself, in .cache/, when it is missing)
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type GgufTensor, type GgufValue, writeGguf } from './ggufWriter';

export const qwen25Coder05bShape = {
  layers: 24,
  width: 896,
  heads: 14,
  kvHeads: 2,
  ffn: 4864,
  vocabulary: 151_936,
  contextLength: 32_768,
  ropeFreqBase: 1_000_000,
  rmsEps: 1e-6,
} as const;
export type ModelShape = typeof qwen25Coder05bShape;

const repoRoot = join(__dirname, '..', '..');
export const shapedModelPath = join(repoRoot, '.cache', 'bench', 'qwen2.5-coder-0.5b-shape-random-q8_0.gguf');

export function tensorsOf(shape: ModelShape): GgufTensor[] {
  const headDim = shape.width / shape.heads;
  const kvWidth = headDim * shape.kvHeads;
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [shape.width, shape.vocabulary], type: 'q8_0' },
    { name: 'output_norm.weight', dims: [shape.width], type: 'f32' },
  ];
  for (let i = 0; i < shape.layers; i++) {
    const blk = (name: string, dims: number[], type: GgufTensor['type']) => tensors.push({ name: `blk.${i}.${name}`, dims, type });
    blk('attn_norm.weight', [shape.width], 'f32');
    blk('attn_q.weight', [shape.width, shape.width], 'q8_0');
    blk('attn_q.bias', [shape.width], 'f32');
    blk('attn_k.weight', [shape.width, kvWidth], 'q8_0');
    blk('attn_k.bias', [kvWidth], 'f32');
    blk('attn_v.weight', [shape.width, kvWidth], 'q8_0');
    blk('attn_v.bias', [kvWidth], 'f32');
    blk('attn_output.weight', [shape.width, shape.width], 'q8_0');
    blk('ffn_norm.weight', [shape.width], 'f32');
    blk('ffn_gate.weight', [shape.width, shape.ffn], 'q8_0');
    blk('ffn_up.weight', [shape.width, shape.ffn], 'q8_0');
    blk('ffn_down.weight', [shape.ffn, shape.width], 'q8_0');
  }
  return tensors;
}

/** Q8_0 blocks with one small scale (activations stay finite) and random 8-bit values; norms 1, biases 0. */
function randomWeights(): (tensor: GgufTensor, chunk: Buffer) => void {
  const blockBytes = 34;
  const pattern = Buffer.alloc(blockBytes * 4096);
  randomFillSync(pattern);
  const scale = Buffer.alloc(2);
  scale.writeUInt16LE(0x1419); // f16 ≈ 0.00102
  for (let at = 0; at < pattern.length; at += blockBytes) scale.copy(pattern, at);
  const one = Buffer.alloc(4);
  one.writeFloatLE(1);
  return (tensor, chunk) => {
    if (tensor.type === 'q8_0') {
      // Chunks are whole multiples of the block size as long as chunkBytes is (see writeGguf's caller).
      for (let at = 0; at < chunk.length; at += pattern.length) pattern.copy(chunk, at, 0, Math.min(pattern.length, chunk.length - at));
    } else if (tensor.name.endsWith('norm.weight')) {
      for (let at = 0; at < chunk.length; at += 4) one.copy(chunk, at);
    } else {
      chunk.fill(0);
    }
  };
}

/** The bundled tiny target's tokenizer as GGUF metadata, its vocabulary padded with unused tokens up to `vocabulary`. */
export async function tokenizerMetadata(vocabulary: number, tinyPath = join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf')): Promise<Array<readonly [string, GgufValue]>> {
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(tinyPath, { readTensorInfo: false });
  const ggml = info.metadata.tokenizer!.ggml as unknown as Record<string, unknown>;
  const tokens = [...(ggml.tokens as string[])];
  const types = [...(ggml.token_type as number[])];
  for (let id = tokens.length; id < vocabulary; id++) {
    tokens.push(`<|pad_${id}|>`);
    types.push(5); // unused
  }
  const id = (key: string) => ['tokenizer.ggml.' + key, { type: 'u32', value: ggml[key] as number }] as const;
  return [
    ['tokenizer.ggml.model', { type: 'string', value: ggml.model as string }],
    ['tokenizer.ggml.pre', { type: 'string', value: ggml.pre as string }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: ggml.merges as string[] }],
    ...['bos_token_id', 'eos_token_id', 'eot_token_id', 'padding_token_id', 'fim_pre_token_id', 'fim_suf_token_id', 'fim_mid_token_id', 'fim_pad_token_id', 'fim_rep_token_id', 'fim_sep_token_id'].map(id),
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
}

/** Writes the model (about 0.5 GB) unless it is already there; returns its path. */
export async function ensureShapedModel(path = shapedModelPath, shape: ModelShape = qwen25Coder05bShape): Promise<string> {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const arch = 'qwen2';
  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: arch }],
    ['general.name', { type: 'string', value: 'Qwen2.5-Coder-0.5B shape, random weights (Hearth benchmark)' }],
    ['general.file_type', { type: 'u32', value: 7 }],
    ['general.quantization_version', { type: 'u32', value: 2 }],
    [`${arch}.block_count`, { type: 'u32', value: shape.layers }],
    [`${arch}.context_length`, { type: 'u32', value: shape.contextLength }],
    [`${arch}.embedding_length`, { type: 'u32', value: shape.width }],
    [`${arch}.feed_forward_length`, { type: 'u32', value: shape.ffn }],
    [`${arch}.attention.head_count`, { type: 'u32', value: shape.heads }],
    [`${arch}.attention.head_count_kv`, { type: 'u32', value: shape.kvHeads }],
    [`${arch}.rope.freq_base`, { type: 'f32', value: shape.ropeFreqBase }],
    [`${arch}.attention.layer_norm_rms_epsilon`, { type: 'f32', value: shape.rmsEps }],
    ...(await tokenizerMetadata(shape.vocabulary)),
  ];
  const partial = `${path}.partial`;
  writeGguf(partial, metadata, tensorsOf(shape), randomWeights(), 34 * 32 * 1024);
  renameSync(partial, path); // a killed run leaves no half-written model behind
  return path;
}
