// A chat/instruct model for explain and refactor (hearth.chatModelPath), beside the completion model: one context
// sequence, its own chat template. It shares the completion model's lock, so ghost text still goes first: the two
// models never compute at once on the same cores.
import { basename } from 'node:path';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import type { GpuSetting } from '../../../common/settings';
import type { Logger } from '../logger';
import type { TextModel, TextRequest, TextRun } from './completionModel';
import type { ExclusiveLock } from './exclusiveLock';
import { loadSideModel } from './sideModel';
import { chatLayout, TextGenerator } from './textGeneration';


export interface InstructModelSpec {
  modelPath: string;
  threads: number;
  gpu: GpuSetting;
}

/** Prompt tokens per native call while an instruction's prompt is evaluated. */
const promptChunk = 128;

export async function loadLlamaInstructModel(spec: InstructModelSpec, maxContextSize: number, lock: ExclusiveLock, log: Logger): Promise<TextModel> {
  return loadSideModel(spec, maxContextSize, { setting: 'hearth.chatModelPath', what: 'chat model' }, log, ({ lib, llama, model, context }) => {
    const layout = chatLayout(lib, model);
    if (layout.format === 'plain') log.warn(`${basename(spec.modelPath)} has no chat template: explain/refactor use a plain prompt with it.`);
    const text = new TextGenerator({ model, sequence: context.getSequence(), lock, layout, decode: (tokens) => model.detokenize(tokens), chunk: promptChunk });
    log.info(`Chat model ${basename(spec.modelPath)}: context ${context.contextSize} tokens, ${layout.format === 'chat' ? 'its chat template' : 'plain prompts'}`);
    return new LlamaInstructModel(basename(spec.modelPath), llama, model, context, text, layout.format);
  });
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
