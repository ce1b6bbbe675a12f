// A benchmark target that thinks like the bundled tiny model and costs like Qwen2.5-Coder-0.5B: the tiny target's
// weights, exactly as quantized, zero-padded to the 0.5B shape's width (896), heads (14 of head size 64) and
// feed-forward width (4864), its 6 layers followed by layers that leave the residual stream unchanged (all their
// weights zero), enough of them that the weight bytes read per token match the 0.5B shape's. RMS norms see the zero
// padding, so their weights are scaled by √(256/896) and their epsilon by 256/896: every normalised value is the tiny
// model's. Query head 2j is the tiny model's head j and uses key/value head j (7 KV heads, groups of 2); odd query
// heads and KV heads 4–6 are zero, and the output projection ignores them. Same tokenizer and vocabulary.
// Speculation measured with it accepts what the tiny pair accepts, at the price of a real model's decode step.
import { existsSync, mkdirSync, openSync, readSync, closeSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type GgufTensor, type GgufValue, tensorBytes, writeGguf } from './ggufWriter';
import { qwen25Coder05bShape, tensorsOf, tokenizerMetadata } from './shapedModel';

const repoRoot = join(__dirname, '..', '..');
export const tinyTargetPath = join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf');
export const embeddedModelPath = join(repoRoot, '.cache', 'bench', 'tiny-target-in-qwen0.5b-shape-q8_0.gguf');

const q8Block = 34; // bytes: f16 scale + 32 int8
const tiny = { width: 256, heads: 4, headDim: 64, ffn: 768, layers: 6 };
export const embeddedShape = { width: 896, heads: 14, kvHeads: 7, headDim: 64, ffn: 4864 } as const;

/** Weight bytes read to produce one token: every layer's matrices and the (tied) output embedding in full. */
export function weightBytesPerToken(tensors: readonly GgufTensor[]): number {
  return tensors.filter((t) => t.dims.length === 2).reduce((sum, t) => sum + tensorBytes(t), 0);
}

/** KV cache bytes per token of context (f16 keys and values). */
export function kvBytesPerToken(layers: number, kvWidth: number): number {
  return layers * 2 * kvWidth * 2;
}

function embeddedTensors(layers: number): GgufTensor[] {
  const { width, ffn, kvHeads, headDim } = embeddedShape;
  const kvWidth = kvHeads * headDim;
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [width, 4096], type: 'q8_0' },
    { name: 'output_norm.weight', dims: [width], type: 'f32' },
  ];
  for (let i = 0; i < layers; i++) {
    const blk = (name: string, dims: number[], type: GgufTensor['type']) => tensors.push({ name: `blk.${i}.${name}`, dims, type });
    blk('attn_norm.weight', [width], 'f32');
    blk('attn_q.weight', [width, width], 'q8_0');
    blk('attn_k.weight', [width, kvWidth], 'q8_0');
    blk('attn_v.weight', [width, kvWidth], 'q8_0');
    blk('attn_output.weight', [width, width], 'q8_0');
    blk('ffn_norm.weight', [width], 'f32');
    blk('ffn_gate.weight', [width, ffn], 'q8_0');
    blk('ffn_up.weight', [width, ffn], 'q8_0');
    blk('ffn_down.weight', [ffn, width], 'q8_0');
  }
  return tensors;
}

/** The fewest layers (at least the tiny model's 6) whose weights per token reach the 0.5B shape's. */
export function layersToMatchQwen05b(): number {
  const target = weightBytesPerToken(tensorsOf(qwen25Coder05bShape));
  let layers = tiny.layers;
  while (weightBytesPerToken(embeddedTensors(layers)) < target) layers++;
  const below = weightBytesPerToken(embeddedTensors(layers - 1));
  // The nearer of the two layer counts around the target.
  return layers > tiny.layers && target - below < weightBytesPerToken(embeddedTensors(layers)) - target ? layers - 1 : layers;
}

export interface TinyTensor {
  dims: number[];
  data: Buffer;
}

export async function readTinyTensors(path: string): Promise<Map<string, TinyTensor>> {
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(path, { readTensorInfo: true });
  const dataStart = Math.ceil(Number(info.infoEndOffset) / 32) * 32;
  const fd = openSync(path, 'r');
  try {
    const tensors = new Map<string, TinyTensor>();
    for (const t of info.tensorInfo ?? []) {
      const dims = t.dimensions.map(Number);
      const bytes = tensorBytes({ name: t.name, dims, type: t.ggmlType === 8 ? 'q8_0' : 'f32' });
      const data = Buffer.alloc(bytes);
      readSync(fd, data, 0, bytes, dataStart + Number(t.offset));
      tensors.set(t.name, { dims, data });
    }
    return tensors;
  } finally {
    closeSync(fd);
  }
}

/**
 * A Q8_0 matrix of `rows` rows of `blocks` blocks, row r taken from source row `row(r)` and block b from source block
 * `block(b)` of that row (−1: zeros). Blocks are copied byte for byte: the quantized weights are the tiny model's own.
 */
function remapQ8(source: TinyTensor, rows: number, blocks: number, row: (r: number) => number, block: (b: number) => number): Buffer {
  const sourceBlocks = source.dims[0]! / 32;
  const out = Buffer.alloc(rows * blocks * q8Block);
  for (let r = 0; r < rows; r++) {
    const sr = row(r);
    if (sr < 0) continue;
    for (let b = 0; b < blocks; b++) {
      const sb = block(b);
      if (sb >= 0) source.data.copy(out, (r * blocks + b) * q8Block, (sr * sourceBlocks + sb) * q8Block, (sr * sourceBlocks + sb + 1) * q8Block);
    }
  }
  return out;
}

const normScale = Math.sqrt(tiny.width / embeddedShape.width);

function scaledNorm(source: TinyTensor): Buffer {
  const out = Buffer.alloc(embeddedShape.width * 4);
  for (let i = 0; i < tiny.width; i++) out.writeFloatLE(source.data.readFloatLE(i * 4) * normScale, i * 4);
  return out;
}

/** The embedded model's tensor data by name (zero for the identity layers' tensors, which are not listed). */
function embeddedData(source: Map<string, TinyTensor>): Map<string, Buffer> {
  const { width, ffn, kvHeads, headDim } = embeddedShape;
  const blocksOf = (n: number) => n / 32;
  const tinyBlocks = (b: number) => (b < blocksOf(tiny.width) ? b : -1);
  const same = (limit: number) => (r: number) => (r < limit ? r : -1);
  // Query head 2j ← tiny head j; KV head j ← tiny head j.
  const queryRow = (r: number) => {
    const head = Math.floor(r / headDim);
    return head % 2 === 0 && head / 2 < tiny.heads ? (head / 2) * headDim + (r % headDim) : -1;
  };
  const kvRow = (r: number) => (Math.floor(r / headDim) < tiny.heads ? r : -1);
  // attn_output's input is the concatenated query heads: tiny head j's two blocks sit at head 2j's.
  const headBlock = (b: number) => {
    const head = Math.floor(b / 2);
    return head % 2 === 0 && head / 2 < tiny.heads ? head + (b % 2) : -1;
  };
  const get = (name: string) => source.get(name) ?? raise(`the tiny model has no ${name}`);
  const data = new Map<string, Buffer>([
    ['token_embd.weight', remapQ8(get('token_embd.weight'), 4096, blocksOf(width), (r) => r, tinyBlocks)],
    ['output_norm.weight', scaledNorm(get('output_norm.weight'))],
  ]);
  for (let i = 0; i < tiny.layers; i++) {
    const t = (name: string) => get(`blk.${i}.${name}`);
    const put = (name: string, buffer: Buffer) => data.set(`blk.${i}.${name}`, buffer);
    put('attn_norm.weight', scaledNorm(t('attn_norm.weight')));
    put('ffn_norm.weight', scaledNorm(t('ffn_norm.weight')));
    put('attn_q.weight', remapQ8(t('attn_q.weight'), width, blocksOf(width), queryRow, tinyBlocks));
    put('attn_k.weight', remapQ8(t('attn_k.weight'), kvHeads * headDim, blocksOf(width), kvRow, tinyBlocks));
    put('attn_v.weight', remapQ8(t('attn_v.weight'), kvHeads * headDim, blocksOf(width), kvRow, tinyBlocks));
    put('attn_output.weight', remapQ8(t('attn_output.weight'), width, blocksOf(width), same(tiny.width), headBlock));
    put('ffn_gate.weight', remapQ8(t('ffn_gate.weight'), ffn, blocksOf(width), same(tiny.ffn), tinyBlocks));
    put('ffn_up.weight', remapQ8(t('ffn_up.weight'), ffn, blocksOf(width), same(tiny.ffn), tinyBlocks));
    put('ffn_down.weight', remapQ8(t('ffn_down.weight'), width, blocksOf(ffn), same(tiny.width), (b) => (b < blocksOf(tiny.ffn) ? b : -1)));
  }
  return data;
}

function raise(message: string): never {
  throw new Error(message);
}

/** Writes the embedded model unless it is already there; returns its path. `layers` defaults to the 0.5B-matching count. */
export async function ensureEmbeddedModel(path = embeddedModelPath, layers = layersToMatchQwen05b(), tinyPath = tinyTargetPath): Promise<string> {
  if (existsSync(path)) return path;
  if (layers < tiny.layers) throw new Error(`the embedded model needs at least the tiny model's ${tiny.layers} layers`);
  mkdirSync(dirname(path), { recursive: true });
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(tinyPath, { readTensorInfo: false });
  const eps = Number((info.metadata.llama as { attention: { layer_norm_rms_epsilon: number } }).attention.layer_norm_rms_epsilon);
  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'tiny-code-target embedded in the Qwen2.5-Coder-0.5B shape (Hearth benchmark)' }],
    ['general.file_type', { type: 'u32', value: 7 }],
    ['general.quantization_version', { type: 'u32', value: 2 }],
    ['llama.vocab_size', { type: 'u32', value: 4096 }],
    ['llama.context_length', { type: 'u32', value: 512 }],
    ['llama.embedding_length', { type: 'u32', value: embeddedShape.width }],
    ['llama.block_count', { type: 'u32', value: layers }],
    ['llama.feed_forward_length', { type: 'u32', value: embeddedShape.ffn }],
    ['llama.attention.head_count', { type: 'u32', value: embeddedShape.heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: embeddedShape.kvHeads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: eps * (tiny.width / embeddedShape.width) }],
    ['llama.rope.dimension_count', { type: 'u32', value: embeddedShape.headDim }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ...(await tokenizerMetadata(4096, tinyPath)), // the same vocabulary: no padding
  ];
  const data = embeddedData(await readTinyTensors(tinyPath));
  const written = new Map<string, number>();
  const partial = `${path}.partial`;
  writeGguf(partial, metadata, embeddedTensors(layers), (tensor, chunk) => {
    const source = data.get(tensor.name);
    const at = written.get(tensor.name) ?? 0;
    if (source) source.copy(chunk, 0, at, at + chunk.length);
    else chunk.fill(0); // an identity layer, or padding
    written.set(tensor.name, at + chunk.length);
  });
  renameSync(partial, path); // a killed run leaves no half-written model behind
  return path;
}

/** What the benchmark states next to its figures: the embedded model against the real shape. */
export function embeddedModelFacts(layers = layersToMatchQwen05b()) {
  const qwen = tensorsOf(qwen25Coder05bShape);
  return {
    layers,
    weightBytesPerToken: weightBytesPerToken(embeddedTensors(layers)),
    qwen05bWeightBytesPerToken: weightBytesPerToken(qwen),
    kvCacheBytesPerToken: kvBytesPerToken(layers, embeddedShape.kvHeads * embeddedShape.headDim),
    qwen05bKvCacheBytesPerToken: kvBytesPerToken(qwen25Coder05bShape.layers, (qwen25Coder05bShape.width / qwen25Coder05bShape.heads) * qwen25Coder05bShape.kvHeads),
  };
}
