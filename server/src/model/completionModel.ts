// The model as the completion pipeline sees it. The real one runs llama.cpp (llamaCompletionModel.ts);
// unit tests use a fake that streams scripted tokens (test/support/fakeModel.ts).
import type { SpeculationMode } from './speculationGate';

export interface InfillRequest {
  /** Text before the cursor (already windowed by the prompt stage). */
  prefix: string;
  /** Text after the cursor (already windowed by the prompt stage). */
  suffix: string;
  maxTokens: number;
  signal: AbortSignal;
  /** Code from other files (see context/contextBuilder.ts), laid out before the FIM prompt where the model can take it. */
  context?: readonly ContextFile[];
  /** Workspace-relative path of the document, named in the repository-level prompt header. */
  filePath?: string;
  /** The document the prompt comes from: each active document keeps its own KV state (its own sequence). */
  documentKey?: string;
  /** From a window the user is not in (a shared engine): waits behind the focused window's requests. */
  unfocused?: boolean;
}

export interface ContextFile {
  path: string;
  text: string;
  /** The snippets `text` joins, most valuable first: where only some fit (the quick prompt), the first ones go in. */
  parts?: readonly string[];
}

/** One generated token, already detokenized. */
export interface GeneratedToken {
  text: string;
}

/**
 * What a generation cost. The server reports these figures per request (common/protocol.ts GenerationStats, the wire
 * type outside tools read, which the completion layer fills from this one); the model layer keeps its own type.
 */
export interface InfillStats {
  promptTokens: number;
  /** Prompt tokens whose KV state was already in the sequence and not evaluated again. */
  reusedPromptTokens: number;
  generatedTokens: number;
  /** Mean wall time of one decode step (ms), 0 when nothing was decoded. */
  decodeStepMs: number;
  /** Proposed tokens the target model accepted and refuted. */
  acceptedPredictions: number;
  refutedPredictions: number;
  /** How this request decoded; absent where speculation is off. */
  speculationMode?: SpeculationMode;
  /** Proposals verified (each one batch). */
  proposals?: number;
  /** Tokens the draft model evaluated to follow the target's prompt. */
  draftPromptTokens?: number;
  /** From the model taking the request to the first generated token (ms); only when one was. */
  firstTokenMs?: number;
  /** Whether the prompt held the whole window (false: cut to the latency budget). */
  fullPrompt?: boolean;
  /** The time one prompt chunk takes now: the longest a cancellation waits while the prompt is evaluated (ms). */
  prefillChunkMs?: number;
  /** From the cancellation reaching the generator to the sequence being free (ms); only for cancelled requests. */
  cancelToIdleMs?: number;
}

export interface InfillRun {
  /** Tokens as they are decoded. Breaking out of the loop stops generation before the next decode step. */
  tokens: AsyncIterable<GeneratedToken>;
  /** Resolves once the generation has ended and the model is free again. */
  done: Promise<InfillStats>;
}

/**
 * An instruction about a piece of code (explain, refactor), or a conversation's next turn: as chat messages for a
 * model with a chat template, and as a plain document whose natural continuation is the answer for one without (the
 * bundled model).
 */
export interface InstructPrompt {
  system: string;
  /** Earlier turns of a conversation, oldest first, before `user`. */
  history?: ReadonlyArray<{ role: 'user' | 'assistant'; text: string }>;
  user: string;
  plain: string;
}

export interface TextRequest {
  prompt: InstructPrompt;
  maxTokens: number;
  signal: AbortSignal;
}

export interface TextStats {
  promptTokens: number;
  generatedTokens: number;
  /** From the request to the first generated token (ms); only when one was. */
  firstTokenMs?: number;
  /** Times the generation paused between decode steps to let a completion through. */
  preemptions: number;
  /** Prompt tokens whose KV state the sequence already held from the last prompt, not evaluated again. */
  reusedPromptTokens?: number;
}

export interface TextRun {
  tokens: AsyncIterable<GeneratedToken>;
  done: Promise<TextStats>;
}

export interface CompletionModel {
  /** File name of the loaded model, for the status bar and logs. */
  readonly name: string;
  /** Starts a fill-in-the-middle generation. Runs are serialized: a new one waits for the previous to end. */
  infill(request: InfillRequest): InfillRun;
  /**
   * Evaluates the prompt for a spot where the cursor rests, in the background and giving way to any request, so the
   * first completion there finds it ready. Nothing is generated. Optional: models without a KV cache have nothing to do.
   */
  prepare?(request: Omit<InfillRequest, 'signal'>): void;
  /**
   * Lets go of the documents `belongs` picks (the shared engine's window that opened them went away): their windows
   * are kept on disk where the model keeps windows, their sequences freed for others, their warm-up dropped. Optional:
   * only a model with KV sequences holds anything per document.
   */
  releaseDocuments?(belongs: (documentKey: string) => boolean): Promise<void>;
  /** Most prompt tokens to spend on context from other files; 0 when the model has no repository-level format. */
  readonly contextBudgetTokens: number;
  /** The number of tokens the model's tokenizer makes of `text` (the unit of every prompt budget). */
  countTokens(text: string): number;
  /** The last prompt as text (special tokens shown), for the log and for tests; undefined before the first. */
  lastPrompt(): string | undefined;
  /** Resolves once no generation is running or waiting. */
  idle(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A model that writes free text for instructions (explain, refactor) and conversations: a chat model of its own, or a
 * completion model that also does this (the local and the remote ones do).
 */
export interface TextModel {
  readonly name: string;
  /**
   * Free text for an instruction, streamed. Runs on its own sequence and gives way to completion requests between
   * decode steps, resuming afterwards with its KV state kept.
   */
  generateText(request: TextRequest): TextRun;
  /** How instructions are laid out for this model: its chat template, or the plain document (see InstructPrompt). */
  readonly instructFormat: 'chat' | 'plain';
  /** The most tokens an instruction's prompt and answer may take together. */
  readonly instructContextTokens: number;
  countTokens(text: string): number;
  /** The last instruction's or conversation's prompt as text (special tokens shown). */
  lastInstructPrompt(): string | undefined;
  dispose(): Promise<void>;
}

/** A next-edit prompt in the model's tokens, and token runs (its section separator) that end the answer. */
export interface NextEditRequest {
  tokens: readonly number[];
  stops: ReadonlyArray<readonly number[]>;
  maxTokens: number;
  signal: AbortSignal;
}

/**
 * A next-edit model (hearth.nextEditModelPath): it rewrites the block around the cursor as the user will edit it next.
 * Runs on its own sequence under the completion model's lock, giving way to completions between decode steps.
 */
export interface NextEditModel {
  readonly name: string;
  /** The context's size in tokens: prompt and answer together. */
  readonly contextTokens: number;
  /** `text` in the model's tokens; with `special`, a special token's text (one the vocabulary has) is that token. */
  tokenize(text: string, special: boolean): number[];
  predict(request: NextEditRequest): TextRun;
  /** The last prompt as text, special tokens shown. */
  lastPrompt(): string | undefined;
  dispose(): Promise<void>;
}

/** Whether a model (a completion model, typically) also writes free text. */
export function isTextModel(model: object | undefined): model is TextModel {
  return model !== undefined && typeof (model as Partial<TextModel>).generateText === 'function';
}
