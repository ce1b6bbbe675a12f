// A chat/instruct model for explain and refactor (hearth.chatModelPath), beside the completion model: one context
// sequence, its own chat template. It shares the completion model's lock, so ghost text still goes first: the two
// models never compute at once on the same cores.
import { basename } from 'node:path';
import type { GpuSetting } from '../../../common/settings';
import type { Logger } from '../logger';
import type { TextModel, TextRequest, TextRun } from './completionModel';
import type { ExclusiveLock } from './exclusiveLock';
import { LoadedSideModel, loadSideModel, type SideModel } from './sideModel';
import { chatLayout, TextGenerator } from './textGeneration';


export interface InstructModelSpec {
  modelPath: string;
  threads: number;
  gpu: GpuSetting;
}

/** Prompt tokens per native call while an instruction's prompt is evaluated. */
const promptChunk = 128;

export async function loadLlamaInstructModel(spec: InstructModelSpec, maxContextSize: number, lock: ExclusiveLock, log: Logger): Promise<TextModel> {
  return loadSideModel(spec, maxContextSize, { setting: 'hearth.chatModelPath', what: 'chat model' }, log, (loaded) => {
    const { lib, model, context } = loaded;
    const layout = chatLayout(lib, model);
    if (layout.format === 'plain') log.warn(`${basename(spec.modelPath)} has no chat template: explain/refactor use a plain prompt with it.`);
    const text = new TextGenerator({ model, sequence: context.getSequence(), lock, layout, decode: (tokens) => model.detokenize(tokens), chunk: promptChunk });
    log.info(`Chat model ${basename(spec.modelPath)}: context ${context.contextSize} tokens, ${layout.format === 'chat' ? 'its chat template' : 'plain prompts'}`);
    return new LlamaInstructModel(basename(spec.modelPath), loaded, text, layout.format);
  });
}

class LlamaInstructModel extends LoadedSideModel implements TextModel {
  constructor(
    name: string,
    loaded: SideModel,
    text: TextGenerator,
    readonly instructFormat: 'chat' | 'plain',
  ) {
    super(name, loaded, text);
  }

  get instructContextTokens(): number {
    return this.text.contextTokens;
  }

  generateText(request: TextRequest): TextRun {
    return this.text.run(request);
  }

  countTokens(text: string): number {
    return this.loaded.model.tokenize(text).length;
  }

  lastInstructPrompt(): string | undefined {
    return this.text.lastPrompt();
  }
}
