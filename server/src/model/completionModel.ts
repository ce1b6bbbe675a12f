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
  /** Resolves once no generation is running or waiting. */
  idle(): Promise<void>;
  dispose(): Promise<void>;
}
