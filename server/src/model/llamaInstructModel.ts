// A chat/instruct model for explain and refactor (hearth.chatModelPath), beside the completion model: one context
// sequence, its own chat template. It shares the completion model's lock, so ghost text still goes first: the two
// models never compute at once on the same cores.
import { basename } from 'node:path';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import type { GpuSetting } from '../../../common/settings';
import { ModelError } from '../errors';
import type { Logger } from '../logger';
import type { TextModel, TextRequest, TextRun } from './completionModel';
import type { ExclusiveLock } from './exclusiveLock';
import { validateModelFile } from './ggufValidation';
import { createLlama, loadNodeLlamaCpp } from './llamaRuntime';
import { chatLayout, TextGenerator } from './textGeneration';


export interface InstructModelSpec {
  modelPath: string;
  threads: number;
  gpu: GpuSetting;
}

/** Prompt tokens per native call while an instruction's prompt is evaluated. */
const promptChunk = 128;

export async function loadLlamaInstructModel(spec: InstructModelSpec, maxContextSize: number, lock: ExclusiveLock, log: Logger): Promise<TextModel> {
  const lib = await loadNodeLlamaCpp();
  await validateModelFile(spec.modelPath, (path) => lib.readGgufFileInfo(path, { readTensorInfo: false }), { requireFim: false, setting: 'hearth.chatModelPath' });
  const llama = await createLlama(spec.gpu, spec.threads, log);
  let model: LlamaModel | undefined;
  try {
    model = await llama.loadModel({ modelPath: spec.modelPath });
    const context = await model.createContext({ contextSize: Math.min(model.trainContextSize, maxContextSize), threads: spec.threads, sequences: 1 });
    const layout = chatLayout(lib, model);
    if (layout.format === 'plain') log.warn(`${basename(spec.modelPath)} has no chat template: explain/refactor use a plain prompt with it.`);
    const loaded = model;
    const text = new TextGenerator({ model: loaded, sequence: context.getSequence(), lock, layout, decode: (tokens) => loaded.detokenize(tokens), chunk: promptChunk });
    log.info(`Chat model ${basename(spec.modelPath)}: context ${context.contextSize} tokens, ${layout.format === 'chat' ? 'its chat template' : 'plain prompts'}`);
    return new LlamaInstructModel(basename(spec.modelPath), llama, loaded, context, text, layout.format);
  } catch (error) {
    await model?.dispose();
    await llama.dispose();
    if (error instanceof ModelError) throw error;
    throw new ModelError('loadFailed', `llama.cpp could not load the chat model ${basename(spec.modelPath)}: ${(error as Error).message}`, 'showLog', String(error));
  }
}

class LlamaInstructModel implements TextModel {
  constructor(
    readonly name: string,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly text: TextGenerator,
    readonly instructFormat: 'chat' | 'plain',
  ) {}

  get instructContextTokens(): number {
    return this.text.contextTokens;
  }

  generateText(request: TextRequest): TextRun {
    return this.text.run(request);
  }

  countTokens(text: string): number {
    return this.model.tokenize(text).length;
  }

  lastInstructPrompt(): string | undefined {
    return this.text.lastPrompt();
  }

  async dispose(): Promise<void> {
    this.text.stop();
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
