// Checks a GGUF file before llama.cpp sees it. A file missing a required key makes llama.cpp hit a native
// assertion that kills the whole process, so anything doubtful is refused here with a message instead.
import { open, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { isAbsolute } from 'node:path';
import { ModelError } from '../errors';
import { findFimTokens, lookup } from './fimTokens';
import { checkGgufStructure, StructureError } from './ggufStructure';

type Metadata = Record<string, unknown>;

/** Pure check of parsed GGUF metadata; returns the problem, or undefined when the model is usable. */
export function checkGgufMetadata(metadata: Metadata, fileName: string, requireFim = true): ModelError | undefined {
  const architecture = lookup(metadata, 'general.architecture');
  if (typeof architecture !== 'string' || architecture === '') {
    return new ModelError('corrupt', `${fileName} has no general.architecture: it is not a usable GGUF model.`);
  }
  const required = [`${architecture}.block_count`, `${architecture}.embedding_length`, `${architecture}.attention.head_count`];
  const missing = required.filter((key) => typeof lookup(metadata, key) !== 'number');
  if (missing.length > 0) {
    return new ModelError('corrupt', `${fileName} lacks ${missing.join(', ')}; llama.cpp cannot load it. Re-download or re-convert the model.`);
  }
  const tokens = lookup(metadata, 'tokenizer.ggml.tokens');
  if (!Array.isArray(tokens)) {
    return new ModelError('corrupt', `${fileName} has no tokenizer vocabulary (tokenizer.ggml.tokens).`);
  }
  // llama.cpp asserts that every token's text is different, as a C string (up to its first NUL byte), and aborts the
  // whole process when two are the same (found by `npm run fuzz`: a few zeroed bytes inside the vocabulary).
  const seen = new Set<unknown>();
  for (const [id, token] of tokens.entries()) {
    const text = typeof token === 'string' ? token.replace(/\0[^]*$/, '') : token;
    if (seen.has(text)) return new ModelError('corrupt', `${fileName} is damaged: its vocabulary has the token ${JSON.stringify(text)} twice (id ${id}). Re-download the model.`);
    seen.add(text);
  }
  if (requireFim && !findFimTokens(metadata)) {
    return new ModelError(
      'noFimTokens',
      `${fileName} has no fill-in-the-middle tokens (neither GGUF FIM keys nor a known family's FIM tokens in its vocabulary), so it cannot complete code at the cursor. Choose a code model trained for FIM (for example Qwen2.5-Coder, StarCoder2, DeepSeek-Coder, CodeLlama, Codestral).`,
    );
  }
  return undefined;
}

export type GgufReader = (path: string) => Promise<{ metadata: Metadata }>;

/** Checks existence, readability, the GGUF magic and the metadata of a model file; throws ModelError. */
/** Memory the system and the editor keep for themselves: a model must fit in the rest. */
const reservedBytes = 1.5 * 2 ** 30;

/** A model whose weights cannot fit in this machine's memory, refused before loading (llama.cpp would thrash or be killed). */
export function tooLargeForMemory(modelBytes: number, totalMemoryBytes: number, fileName: string): ModelError | undefined {
  if (modelBytes <= totalMemoryBytes - reservedBytes) return undefined;
  const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
  return new ModelError(
    'tooLarge',
    `${fileName} needs ${gb(modelBytes)} of memory; this machine has ${gb(totalMemoryBytes)} in all. Choose a smaller model or a smaller quantization (Hearth: Choose Model… recommends one that fits).`,
  );
}

export async function validateModelFile(path: string, readGguf: GgufReader, { requireFim = true, setting = 'hearth.modelPath', totalMemoryBytes = totalmem() } = {}): Promise<void> {
  await checkModelFile(path, { setting, totalMemoryBytes });
  const fileName = path.split(/[\\/]/).pop() ?? path;
  let metadata: Metadata;
  try {
    metadata = (await readGguf(path)).metadata;
  } catch (error) {
    throw new ModelError('corrupt', `${fileName} is damaged: its GGUF header cannot be read. Re-download the model.`, 'chooseModel', String(error));
  }
  const problem = checkGgufMetadata(metadata, fileName, requireFim);
  if (problem) throw problem;
}

/**
 * What can be told of a model file without reading its metadata: it exists, is readable, is a GGUF file that fits in
 * memory, and its structure is sound. Throws ModelError.
 */
export async function checkModelFile(path: string, { setting = 'hearth.modelPath', totalMemoryBytes = totalmem() } = {}): Promise<void> {
  const fix = setting === 'hearth.modelPath' ? `Set ${setting} to a .gguf file, or clear it to use the bundled model.` : `Set ${setting} to a .gguf file, or clear it.`;
  const fileName = path.split(/[\\/]/).pop() ?? path;
  // A relative path would be relative to wherever the server was started: never what the user meant.
  if (!isAbsolute(path)) throw new ModelError('missing', `${setting} is "${path}", a relative path: give the model file's full path (~/ stands for your home folder).`);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ModelError('missing', `The model path ${path} is not a file. ${fix}`);
    size = info.size;
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError('missing', `The model file ${path} does not exist. ${fix}`);
  }
  let magic: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(4);
      await handle.read(buffer, 0, 4, 0);
      magic = buffer.toString('latin1');
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ModelError('unreadable', `The model file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check its permissions.`);
  }
  if (size < 32 || magic !== 'GGUF') {
    throw new ModelError('corrupt', `${fileName} is not a GGUF file (it does not start with "GGUF"). Hearth needs a GGUF model.`);
  }
  const tooLarge = tooLargeForMemory(size, totalMemoryBytes, fileName);
  if (tooLarge) throw tooLarge;
  // Lengths, counts and types within bounds before a parser that trusts them reads the file.
  try {
    await checkGgufStructure(path);
  } catch (error) {
    if (!(error instanceof StructureError)) throw new ModelError('unreadable', `The model file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check its permissions.`);
    throw new ModelError('corrupt', `${fileName} is damaged: ${error.message}. Re-download the model.`, 'chooseModel');
  }
}
