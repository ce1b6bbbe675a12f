// The model as the completion pipeline sees it. The real one runs llama.cpp (llamaCompletionModel.ts);
// unit tests use a fake that streams scripted tokens (test/support/fakeModel.ts).
import type { GenerationStats } from '../../../common/protocol';

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
}

export interface ContextFile {
  path: string;
  text: string;
}

/** One generated token, already detokenized. */
export interface GeneratedToken {
  text: string;
}

/** What a generation cost; the same figures the server reports per request. */
export type InfillStats = GenerationStats;

export interface InfillRun {
  /** Tokens as they are decoded. Breaking out of the loop stops generation before the next decode step. */
  tokens: AsyncIterable<GeneratedToken>;
  /** Resolves once the generation has ended and the model is free again. */
  done: Promise<InfillStats>;
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
  /** Most prompt tokens to spend on context from other files; 0 when the model has no repository-level format. */
  readonly contextBudgetTokens: number;
  /** The last prompt as text (special tokens shown), for the log and for tests; undefined before the first. */
  lastPrompt(): string | undefined;
  /** Resolves once no generation is running or waiting. */
  idle(): Promise<void>;
  dispose(): Promise<void>;
}
