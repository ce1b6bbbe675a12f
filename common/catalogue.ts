// The models Hearth offers to fetch, shipped with the extension (no catalogue is fetched at start-up). Sizes are
// what the hub lists for the file; the pull checks the real size and sha256 from the hub's API before downloading.

export interface CatalogueModel {
  id: string;
  label: string;
  /** Completion (fill-in-the-middle) or explain/refactor (chat). */
  role: 'completion' | 'chat';
  repo: string;
  file: string;
  /** Download size in bytes (approximate). */
  bytes: number;
  /** Memory it wants in Hearth besides the download (KV cache, buffers), bytes. */
  overheadBytes: number;
  note: string;
}

const gb = 1e9;

export const catalogue: readonly CatalogueModel[] = [
  { id: 'qwen2.5-coder-0.5b', label: 'Qwen2.5-Coder 0.5B (Q8_0)', role: 'completion', repo: 'ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF', file: 'qwen2.5-coder-0.5b-q8_0.gguf', bytes: 0.53 * gb, overheadBytes: 0.3 * gb, note: 'fastest; for old or busy machines' },
  { id: 'qwen2.5-coder-1.5b', label: 'Qwen2.5-Coder 1.5B (Q8_0)', role: 'completion', repo: 'ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF', file: 'qwen2.5-coder-1.5b-q8_0.gguf', bytes: 1.65 * gb, overheadBytes: 0.4 * gb, note: 'the usual choice on a laptop CPU' },
  { id: 'qwen2.5-coder-3b', label: 'Qwen2.5-Coder 3B (Q8_0)', role: 'completion', repo: 'ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF', file: 'qwen2.5-coder-3b-q8_0.gguf', bytes: 3.29 * gb, overheadBytes: 0.6 * gb, note: 'better completions; wants 8+ cores or a GPU' },
  { id: 'qwen2.5-coder-7b', label: 'Qwen2.5-Coder 7B (Q8_0)', role: 'completion', repo: 'ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF', file: 'qwen2.5-coder-7b-q8_0.gguf', bytes: 8.1 * gb, overheadBytes: 1.0 * gb, note: 'best; wants a GPU with 10 GB' },
  { id: 'qwen2.5-coder-1.5b-instruct', label: 'Qwen2.5-Coder 1.5B Instruct (Q8_0)', role: 'chat', repo: 'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF', file: 'qwen2.5-coder-1.5b-instruct-q8_0.gguf', bytes: 1.89 * gb, overheadBytes: 0.3 * gb, note: 'explain and refactor on a CPU' },
  { id: 'qwen2.5-coder-7b-instruct', label: 'Qwen2.5-Coder 7B Instruct (Q4_K_M)', role: 'chat', repo: 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF', file: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf', bytes: 4.68 * gb, overheadBytes: 0.5 * gb, note: 'explain and refactor, better prose; wants 16 GB' },
];

/** Memory left to the editor, the browser and the rest: a model should not take more than this share of RAM. */
const shareOfMemory = 0.4;

/**
 * The completion model to recommend on this machine. With a GPU: the largest whose weights and overhead fit in its
 * free memory. On a CPU: the largest that fits in 40 % of the RAM and in the memory free now, and that the cores can
 * decode fast enough for ghost text — 3B wants 8 performance cores, 1.5B 4, fewer get 0.5B.
 */
export function recommendedCompletionModel(machine: { totalBytes: number; freeBytes: number; performanceCores?: number; gpuFreeBytes?: number }): CatalogueModel {
  const cores = machine.performanceCores ?? 4;
  const cpuLimit = cores >= 8 ? 3.5 * gb : cores >= 4 ? 1.7 * gb : 0.6 * gb;
  const fits = (model: CatalogueModel) => {
    const need = model.bytes + model.overheadBytes;
    if (machine.gpuFreeBytes !== undefined) return need <= machine.gpuFreeBytes;
    return need <= machine.totalBytes * shareOfMemory && need <= machine.freeBytes && model.bytes <= cpuLimit;
  };
  const completion = catalogue.filter((m) => m.role === 'completion');
  return [...completion].reverse().find(fits) ?? completion[0]!;
}
