// A CompletionModel (and TextModel) that streams scripted tokens, for fast tests of everything above the model.
import type { CompletionModel, GeneratedToken, InfillRequest, InfillRun, InfillStats, TextModel, TextRequest, TextRun, TextStats } from '../../server/src/model/completionModel';

export class FakeModel implements CompletionModel, TextModel {
  readonly name = 'fake.gguf';
  readonly contextBudgetTokens = 256;
  readonly requests: InfillRequest[] = [];
  /** Spots the cursor rested at (prepare calls). */
  readonly prepared: Array<Omit<InfillRequest, 'signal'>> = [];
  /** Tokens handed out across all runs: shows when generation stopped early. */
  tokensProduced = 0;
  disposed = false;
  /** Called before each token is produced; a test can change the world (edit the document) there. */
  beforeToken: (index: number) => void | Promise<void> = () => undefined;

  constructor(private readonly script: readonly string[]) {}

  /** One token per whitespace-separated word and per punctuation mark: a count that grows with the text, as a tokenizer's does. */
  countTokens(text: string): number {
    return text.match(/\w+|[^\w\s]/g)?.length ?? 0;
  }

  lastPrompt(): string | undefined {
    const last = this.requests.at(-1);
    return last && JSON.stringify({ context: last.context, prefix: last.prefix, suffix: last.suffix });
  }

  lastInstructPrompt(): string | undefined {
    const last = this.textRequests.at(-1);
    return last && JSON.stringify(last.prompt);
  }

  prepare(request: Omit<InfillRequest, 'signal'>): void {
    this.prepared.push(request);
  }

  /** The documents let go of (releaseDocuments), as the predicates they were picked by. */
  readonly released: Array<(documentKey: string) => boolean> = [];

  async releaseDocuments(belongs: (documentKey: string) => boolean): Promise<void> {
    this.released.push(belongs);
  }

  infill(request: InfillRequest): InfillRun {
    this.requests.push(request);
    let finish!: (stats: InfillStats) => void;
    const done = new Promise<InfillStats>((resolve) => (finish = resolve));
    const model = this;
    async function* tokens(): AsyncGenerator<GeneratedToken> {
      let produced = 0;
      try {
        for (const text of model.script.slice(0, request.maxTokens)) {
          await model.beforeToken(produced);
          if (request.signal.aborted) return;
          produced++;
          model.tokensProduced++;
          yield { text };
        }
      } finally {
        finish({ promptTokens: request.prefix.length + request.suffix.length, reusedPromptTokens: 0, generatedTokens: produced, decodeStepMs: 1, acceptedPredictions: 0, refutedPredictions: 0 });
      }
    }
    this.running = done;
    return { tokens: tokens(), done };
  }

  /** Instructions (explain, refactor) asked; each answered with `textScript`, token by token. */
  readonly textRequests: TextRequest[] = [];
  textScript: readonly string[] = [];
  instructFormat: 'chat' | 'plain' = 'chat';
  readonly instructContextTokens = 4096;

  generateText(request: TextRequest): TextRun {
    this.textRequests.push(request);
    let finish!: (stats: TextStats) => void;
    const done = new Promise<TextStats>((resolve) => (finish = resolve));
    const model = this;
    async function* tokens(): AsyncGenerator<GeneratedToken> {
      let produced = 0;
      try {
        for (const text of model.textScript.slice(0, request.maxTokens)) {
          await model.beforeToken(produced);
          if (request.signal.aborted) return;
          produced++;
          yield { text };
        }
      } finally {
        finish({ promptTokens: request.prompt.user.length, generatedTokens: produced, preemptions: 0 });
      }
    }
    return { tokens: tokens(), done };
  }

  private running: Promise<unknown> = Promise.resolve();

  idle(): Promise<void> {
    return this.running.then(() => undefined);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}
