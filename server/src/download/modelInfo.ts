// What a GGUF file is, before it is loaded: architecture, parameters, quantization, context length, how its FIM
// tokens are found, whether it has a chat template, the memory it will take in Hearth (weights, plus the KV cache of
// Hearth's context and sequences, from node-llama-cpp's GGUF insights) and whether that fits in free memory.
import { freemem, totalmem } from 'node:os';
import { basename } from 'node:path';
import { findFimTokens } from '../model/fimTokens';
import { validateModelFile } from '../model/ggufValidation';

export interface ModelInfo {
  file: string;
  architecture: string;
  name: string | undefined;
  parameters: number;
  quantization: string;
  contextLength: number | undefined;
  fim: { source: string; suffixFirstOnly: boolean; repositoryTokens: boolean } | undefined;
  chatTemplate: boolean;
  memory: { modelBytes: number; contextBytes: number; totalBytes: number; freeBytes: number; totalMachineBytes: number; fits: boolean };
}

/** Hearth's context for completions: tokens and sequences (documents, quick prompts, explain/refactor). */
export const hearthContext = { tokens: 4096, sequences: 5 };

export async function readModelInfo(path: string): Promise<ModelInfo> {
  const lib = await import('node-llama-cpp');
  await validateModelFile(path, (p) => lib.readGgufFileInfo(p, { readTensorInfo: false }), { requireFim: false });
  const info = await lib.readGgufFileInfo(path, { readTensorInfo: true });
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const general = metadata.general ?? {};
  const architecture = String(general.architecture ?? 'unknown');
  const fileType = general.file_type;
  const parameters = (info.tensorInfo ?? []).reduce((sum, tensor) => sum + tensor.dimensions.reduce<number>((n, d) => n * Number(d), 1), 0);
  const insights = await lib.GgufInsights.from(info);
  const contextLength = insights.trainContextSize;
  const contextTokens = Math.min(contextLength ?? hearthContext.tokens, hearthContext.tokens);
  const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers: 0 });
  const context = await insights.estimateContextResourceRequirementsV2({ contextSize: contextTokens, modelGpuLayers: 0, sequences: hearthContext.sequences });
  const fim = findFimTokens(info.metadata as unknown as Record<string, unknown>);
  const template = (metadata.tokenizer as { chat_template?: unknown } | undefined)?.chat_template;
  const totalBytes = model.cpuRam + context.cpuRam;
  return {
    file: basename(path),
    architecture,
    name: typeof general.name === 'string' ? general.name : undefined,
    parameters,
    quantization: typeof fileType === 'number' ? (lib.GgufFileType[fileType] ?? `type ${fileType}`).replace(/^MOSTLY_/, '') : 'unknown',
    contextLength,
    fim: fim && { source: fim.source, suffixFirstOnly: fim.suffixFirstOnly, repositoryTokens: fim.repo !== undefined },
    chatTemplate: typeof template === 'string' && template !== '',
    memory: { modelBytes: model.cpuRam, contextBytes: context.cpuRam, totalBytes, freeBytes: freemem(), totalMachineBytes: totalmem(), fits: totalBytes < freemem() },
  };
}

/** The info as lines a person reads (the CLI, the log, the Select Model dialog). */
export function describeModelInfo(info: ModelInfo): string[] {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const count = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e4 ? `${(n / 1e6).toFixed(2)} M` : `${n}`);
  return [
    `${info.file}${info.name ? ` (${info.name})` : ''}`,
    `architecture ${info.architecture}, ${count(info.parameters)} parameters, ${info.quantization}, trained context ${info.contextLength ?? 'unknown'} tokens`,
    info.fim
      ? `fill-in-the-middle: yes, from ${info.fim.source}${info.fim.suffixFirstOnly ? ' (suffix-first only)' : ''}${info.fim.repositoryTokens ? '; repository-level tokens' : ''}`
      : 'fill-in-the-middle: no — it cannot complete code at the cursor (usable as hearth.chatModelPath for explain/refactor)',
    `chat template: ${info.chatTemplate ? 'yes' : 'no'}`,
    `memory in Hearth: ${mib(info.memory.totalBytes)} (weights ${mib(info.memory.modelBytes)}, KV cache for ${hearthContext.sequences} sequences ${mib(info.memory.contextBytes)}); free now ${mib(info.memory.freeBytes)} of ${mib(info.memory.totalMachineBytes)}: ${info.memory.fits ? 'fits' : 'does NOT fit'}`,
  ];
}
