// A model beside the completion model (the chat model, the next-edit model): its file checked, llama.cpp started for
// it, the model and one sequence's context loaded. A failure lets go of what was loaded and says which model failed.
import { basename } from 'node:path';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { ModelError } from '../errors';
import type { Logger } from '../logger';
import { validateModelFile } from './ggufValidation';
import type { InstructModelSpec } from './llamaInstructModel';
import { createLlama, loadNodeLlamaCpp, type NodeLlamaCpp } from './llamaRuntime';
import type { TextGenerator } from './textGeneration';

export interface SideModel {
  lib: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
}

/**
 * Loads `spec`'s model with one sequence of at most `maxContextSize` tokens, then `finish` (what the role builds on it,
 * under the same failure handling). `role` names it in errors: the setting that chose it, and what it is for.
 */
export async function loadSideModel<T>(spec: InstructModelSpec, maxContextSize: number, role: { setting: string; what: string }, log: Logger, finish: (loaded: SideModel) => T): Promise<T> {
  const lib = await loadNodeLlamaCpp();
  await validateModelFile(spec.modelPath, (path) => lib.readGgufFileInfo(path, { readTensorInfo: false }), { requireFim: false, setting: role.setting });
  const llama = await createLlama(spec.gpu, spec.threads, log);
  let model: LlamaModel | undefined;
  try {
    model = await llama.loadModel({ modelPath: spec.modelPath });
    const context = await model.createContext({ contextSize: Math.min(model.trainContextSize, maxContextSize), threads: spec.threads, sequences: 1 });
    return finish({ lib, llama, model, context });
  } catch (error) {
    await model?.dispose();
    await llama.dispose();
    if (error instanceof ModelError) throw error;
    throw new ModelError('loadFailed', `llama.cpp could not load the ${role.what} ${basename(spec.modelPath)}: ${(error as Error).message}`, 'showLog', String(error));
  }
}

/** What a loaded side model holds, and lets go of in order: its generation first, then the context, model and runtime. */
export abstract class LoadedSideModel {
  constructor(
    readonly name: string,
    protected readonly loaded: SideModel,
    protected readonly text: TextGenerator,
  ) {}

  async dispose(): Promise<void> {
    this.text.stop();
    await this.loaded.context.dispose();
    await this.loaded.model.dispose();
    await this.loaded.llama.dispose();
  }
}
