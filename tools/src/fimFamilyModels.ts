// Small GGUF models with each FIM family's vocabulary layout, for tests: the bundled tiny target's weights and
// tokenizer, its FIM (and repository-level) tokens renamed to the family's token texts, with or without the
// tokenizer.ggml.fim_* keys. Written with the project's own GGUF writer (ggufWriter.ts).
import { join } from 'node:path';
import { readTinyTensors, tinyTargetPath } from './embeddedModel';
import { type GgufTensor, type GgufValue, writeGguf } from './ggufWriter';
import { tokenizerMetadata } from './shapedModel';

/** Each family's texts for prefix, suffix, middle (none for Codestral), repository name and file separator. */
export const familyTokens = {
  qwen: { prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', repo: '<|repo_name|>', separator: '<|file_sep|>' },
  codegemma: { prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', separator: '<|file_separator|>' },
  starcoder: { prefix: '<fim_prefix>', suffix: '<fim_suffix>', middle: '<fim_middle>', repo: '<reponame>', separator: '<file_sep>' },
  deepseek: { prefix: '<｜fim▁begin｜>', suffix: '<｜fim▁hole｜>', middle: '<｜fim▁end｜>' },
  codellama: { prefix: '▁<PRE>', suffix: '▁<SUF>', middle: '▁<MID>' },
  codestral: { prefix: '[PREFIX]', suffix: '[SUFFIX]' },
} as const satisfies Record<string, { prefix: string; suffix: string; middle?: string; repo?: string; separator?: string }>;

export type FimFamily = keyof typeof familyTokens;

/** A vocabulary whose FIM tokens are named like no family's (only the GGUF's keys say which they are). */
export const unknownFamilyTokens = { prefix: '<fill_before>', suffix: '<fill_after>', middle: '<fill_here>' } as const;

/**
 * The tiny target's tokenizer metadata with a family's FIM token texts (and, for a next-edit vocabulary like Sweep's,
 * a cursor token where the FIM pad token was); the tokenizer.ggml.fim_* keys kept where `withKeys`.
 */
export async function familyTokenizer(family: FimFamily | 'unknown', withKeys: boolean, tinyPath = tinyTargetPath, options: { cursorToken?: string } = {}): Promise<Array<readonly [string, GgufValue]>> {
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(tinyPath, { readTensorInfo: false });
  const texts: Record<string, string | undefined> = family === 'unknown' ? unknownFamilyTokens : familyTokens[family];
  const tokenizer = await tokenizerMetadata(4096, tinyPath);
  const ggml = info.metadata.tokenizer!.ggml as unknown as Record<string, number>;
  // The tiny model's own FIM token ids, and the family text each takes.
  const renames = new Map<number, string>();
  const keyOf = { prefix: 'fim_pre_token_id', suffix: 'fim_suf_token_id', middle: 'fim_mid_token_id', repo: 'fim_rep_token_id', separator: 'fim_sep_token_id' } as const;
  for (const [part, key] of Object.entries(keyOf)) {
    const text = texts[part];
    if (text !== undefined) renames.set(ggml[key]!, text);
  }
  // A next-edit vocabulary (Sweep's): one more control token, the cursor marker, where the FIM pad token was.
  if (options.cursorToken) renames.set(ggml.fim_pad_token_id!, options.cursorToken);
  const metadata: Array<readonly [string, GgufValue]> = [];
  for (const [key, value] of tokenizer) {
    const fimKey = Object.entries(keyOf).find(([, name]) => key === `tokenizer.ggml.${name}`);
    if (options.cursorToken && key === 'tokenizer.ggml.fim_pad_token_id') continue;
    if (fimKey) {
      if (withKeys && texts[fimKey[0]] !== undefined) metadata.push([key, value]);
      continue;
    }
    if (key === 'tokenizer.ggml.tokens' && value.type === 'string[]') {
      metadata.push([key, { type: 'string[]', value: value.value.map((token, id) => renames.get(id) ?? token) }]);
      continue;
    }
    metadata.push([key, value]);
  }
  return metadata;
}

/** Writes `dir/tiny-<family>[-keys].gguf` from the tiny target at `tinyPath`; returns its path. */
export async function writeFimFamilyModel(dir: string, family: FimFamily | 'unknown', withKeys: boolean, tinyPath = tinyTargetPath, options: { cursorToken?: string; contextLength?: number } = {}): Promise<string> {
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(tinyPath, { readTensorInfo: true });
  const llama = info.metadata.llama as unknown as { context_length: number; embedding_length: number; block_count: number; feed_forward_length: number; attention: { head_count: number; head_count_kv: number; layer_norm_rms_epsilon: number }; rope: { dimension_count: number; freq_base: number } };
  const metadata = await familyTokenizer(family, withKeys, tinyPath, options);
  const data = await readTinyTensors(tinyPath);
  const tensors: GgufTensor[] = (info.tensorInfo ?? []).map((t) => ({ name: t.name, dims: t.dimensions.map(Number), type: t.ggmlType === 8 ? 'q8_0' : 'f32' }));
  const path = join(dir, `tiny-${family}${withKeys ? '-keys' : ''}${options.cursorToken ? '-cursor' : ''}.gguf`);
  const written = new Map<string, number>();
  writeGguf(
    path,
    [
      ['general.architecture', { type: 'string', value: 'llama' }],
      ['general.name', { type: 'string', value: `tiny-code-target with ${family} FIM tokens (Hearth test)` }],
      ['general.file_type', { type: 'u32', value: 7 }],
      ['general.quantization_version', { type: 'u32', value: 2 }],
      ['llama.vocab_size', { type: 'u32', value: 4096 }],
      // A longer context than the tiny model was trained for reads noise past it, but holds a next-edit prompt's plumbing.
      ['llama.context_length', { type: 'u32', value: options.contextLength ?? llama.context_length }],
      ['llama.embedding_length', { type: 'u32', value: llama.embedding_length }],
      ['llama.block_count', { type: 'u32', value: llama.block_count }],
      ['llama.feed_forward_length', { type: 'u32', value: llama.feed_forward_length }],
      ['llama.attention.head_count', { type: 'u32', value: llama.attention.head_count }],
      ['llama.attention.head_count_kv', { type: 'u32', value: llama.attention.head_count_kv }],
      ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: llama.attention.layer_norm_rms_epsilon }],
      ['llama.rope.dimension_count', { type: 'u32', value: llama.rope.dimension_count }],
      ['llama.rope.freq_base', { type: 'f32', value: llama.rope.freq_base }],
      ...metadata,
    ],
    tensors,
    (tensor, chunk) => {
      const at = written.get(tensor.name) ?? 0;
      data.get(tensor.name)!.data.copy(chunk, 0, at, at + chunk.length);
      written.set(tensor.name, at + chunk.length);
    },
  );
  return path;
}
