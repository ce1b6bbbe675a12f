// A next-edit model (hearth.nextEditModelPath: Sweep's next-edit models, Qwen2.5-Coder based), beside the completion
// model: one context sequence of its own, and the completion model's lock — ghost text at the cursor goes first, and
// between its decode steps a next-edit generation gives way to any completion waiting (textGeneration.ts). The prompt
// comes in tokens (server/src/nextEdit lays it out and says which pieces are special tokens); a follow-up reuses the
// KV state of what it has in common with the last one, the stable sections first.
import { basename } from 'node:path';
import type { Token } from 'node-llama-cpp';
import type { Logger } from '../logger';
import type { NextEditModel, NextEditRequest, TextRun } from './completionModel';
import type { ExclusiveLock } from './exclusiveLock';
import type { InstructModelSpec } from './llamaInstructModel';
import { LoadedSideModel, loadSideModel } from './sideModel';
import { TextGenerator } from './textGeneration';

/**
 * Prompt tokens per native call while a next-edit prompt is evaluated: the abort and waiting completions are looked at
 * between calls, so this is the longest a keystroke's completion waits behind a next-edit prompt (0.5B shape, one
 * thread: 16 tokens ~130 ms, about three decode steps; 64 would be ~450 ms, for a quarter more prompt throughput).
 */
const promptChunk = 16;

export async function loadLlamaNextEditModel(spec: InstructModelSpec, maxContextSize: number, lock: ExclusiveLock, log: Logger): Promise<NextEditModel> {
  return loadSideModel(spec, maxContextSize, { setting: 'hearth.nextEditModelPath', what: 'next-edit model' }, log, (loaded) => {
    const { model, context } = loaded;
    // The layout is unused: next-edit prompts come in tokens (runTokens).
    const layout = { format: 'plain' as const, tokens: () => [], stops: [] };
    const text = new TextGenerator({ model, sequence: context.getSequence(), lock, layout, decode: (tokens) => model.detokenize(tokens), chunk: promptChunk });
    log.info(`Next-edit model ${basename(spec.modelPath)}: context ${context.contextSize} tokens`);
    return new LlamaNextEditModel(basename(spec.modelPath), loaded, text);
  });
}

class LlamaNextEditModel extends LoadedSideModel implements NextEditModel {
  get contextTokens(): number {
    return this.loaded.context.contextSize;
  }

  tokenize(text: string, special: boolean): number[] {
    // Without special-token parsing, text that looks like a marker stays text; with it, a marker the vocabulary has is
    // its one token (one it lacks is tokenized as its characters, as the model's own tokenizer would).
    return this.loaded.model.tokenize(text, special);
  }

  predict(request: NextEditRequest): TextRun {
    return this.text.runTokens({ tokens: () => request.tokens as Token[], stops: () => request.stops as Token[][], maxTokens: request.maxTokens, signal: request.signal });
  }

  lastPrompt(): string | undefined {
    return this.text.lastPrompt();
  }
}
