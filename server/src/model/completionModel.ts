// The model as the completion pipeline sees it. The real one runs llama.cpp (llamaCompletionModel.ts);
// unit tests use a fake that streams scripted tokens (test/support/fakeModel.ts).

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

export interface InfillStats {
  promptTokens: number;
  reusedPromptTokens: number;
  generatedTokens: number;
  decodeStepMs: number;
  /** Speculative decoding in this request: proposed tokens the target accepted and refuted. */
  acceptedPredictions: number;
  refutedPredictions: number;
  /** Set when the request's signal aborted the generation: abort → generator finished, in ms. */
  cancelToIdleMs?: number;
}

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
  dispose(): Promise<void>;
}
