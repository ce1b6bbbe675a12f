// A next-edit model that always answers one known edit, for the end-to-end test of next-edit suggestions: a real GGUF
// that llama.cpp runs like any other, with the tiny target's tokenizer (Qwen2.5-Coder's file separator and a cursor
// token among its special tokens) and weights that make each token's successor fixed. Its one layer's attention and
// feed-forward are zero, so the last hidden state is the current token's embedding; the output matrix maps the
// prompt's last token to the answer's first and each answer token to the next, the last to the file separator (the
// end of the block). Every token of that chain must be a different token: the writer refuses an answer where one
// repeats (a token can have one successor only).
import { writeGguf, type GgufTensor, type GgufValue } from './ggufWriter';
import { tinyTargetPath } from './embeddedModel';
import { familyTokenizer } from './fimFamilyModels';

const width = 64;
const feedForward = 64;
const heads = 4;
/** The tiny target's vocabulary, as its tokenizer metadata lays it out (tools/src/shapedModel.ts tokenizerMetadata). */
const vocabulary = 4096;

/** Deterministic normal-ish values (a seeded LCG, summed uniforms). */
function seededNormal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return () => uniform() + uniform() + uniform() + uniform() - 2;
}

/**
 * Writes the model to `path`: after a prompt whose text ends with `promptEnd` it writes `answer` and then the file
 * separator, every time. Returns the chain of token ids it was built for.
 */
export async function writeScriptedNextEditModel(path: string, promptEnd: string, answer: string, tinyPath = tinyTargetPath): Promise<number[]> {
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false });
  const vocab = await llama.loadModel({ modelPath: tinyPath, vocabOnly: true });
  let chain: number[];
  let separator: number;
  try {
    separator = vocab.tokenize('<file_sep>', true)[0]!; // the tiny model's separator, renamed <|file_sep|> below
    const ends = vocab.tokenize(promptEnd, false);
    chain = [ends.at(-1)!, ...vocab.tokenize(answer, false), separator];
  } finally {
    await vocab.dispose();
    await llama.dispose();
  }
  if (new Set(chain).size !== chain.length) throw new Error(`The answer's tokens repeat (${chain.join(' ')}): a scripted model can follow each token with one token only`);

  const random = seededNormal(7);
  const embeddings = new Float32Array(vocabulary * width).map(() => random());
  const output = new Float32Array(vocabulary * width);
  for (let i = 0; i + 1 < chain.length; i++) {
    const from = chain[i]!;
    const to = chain[i + 1]!;
    const row = embeddings.subarray(from * width, (from + 1) * width);
    const norm = Math.hypot(...row);
    for (let j = 0; j < width; j++) output[to * width + j] = (10 * row[j]!) / norm;
  }
  const zeros = (count: number) => new Float32Array(count);
  const ones = (count: number) => new Float32Array(count).fill(1);
  const data = new Map<string, Float32Array>([
    ['token_embd.weight', embeddings],
    ['output_norm.weight', ones(width)],
    ['output.weight', output],
    ['blk.0.attn_norm.weight', ones(width)],
    ['blk.0.attn_q.weight', zeros(width * width)],
    ['blk.0.attn_k.weight', zeros(width * width)],
    ['blk.0.attn_v.weight', zeros(width * width)],
    ['blk.0.attn_output.weight', zeros(width * width)],
    ['blk.0.ffn_norm.weight', ones(width)],
    ['blk.0.ffn_gate.weight', zeros(width * feedForward)],
    ['blk.0.ffn_up.weight', zeros(width * feedForward)],
    ['blk.0.ffn_down.weight', zeros(feedForward * width)],
  ]);
  const dims: Record<string, number[]> = {
    'token_embd.weight': [width, vocabulary],
    'output.weight': [width, vocabulary],
    'blk.0.ffn_gate.weight': [width, feedForward],
    'blk.0.ffn_up.weight': [width, feedForward],
    'blk.0.ffn_down.weight': [feedForward, width],
  };
  const tensors: GgufTensor[] = [...data.keys()].map((name) => ({ name, dims: dims[name] ?? (name.endsWith('norm.weight') ? [width] : [width, width]), type: 'f32' }));
  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'scripted next-edit model (Hearth end-to-end test)' }],
    ['general.file_type', { type: 'u32', value: 0 }],
    ['llama.vocab_size', { type: 'u32', value: vocabulary }],
    ['llama.context_length', { type: 'u32', value: 4096 }],
    ['llama.embedding_length', { type: 'u32', value: width }],
    ['llama.block_count', { type: 'u32', value: 1 }],
    ['llama.feed_forward_length', { type: 'u32', value: feedForward }],
    ['llama.attention.head_count', { type: 'u32', value: heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: heads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: width / heads }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ...(await familyTokenizer('qwen', true, tinyPath, { cursorToken: '<|cursor|>' })),
  ];
  const written = new Map<string, number>();
  writeGguf(path, metadata, tensors, (tensor, chunk) => {
    const at = written.get(tensor.name) ?? 0;
    const values = data.get(tensor.name)!;
    Buffer.from(values.buffer, values.byteOffset, values.byteLength).copy(chunk, 0, at, at + chunk.length);
    written.set(tensor.name, at + chunk.length);
  });
  return chain;
}
