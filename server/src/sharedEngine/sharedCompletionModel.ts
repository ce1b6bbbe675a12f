// A window's completion model when the user's windows share one engine: each request goes over the private channel to
// the engine process, tokens stream back as they are decoded, and a cancellation (the next keystroke, or the pipeline
// stopping early) reaches the engine at once. Token counts are estimated from the engine's measure of its tokenizer
// (tokenEstimate.ts): the window holds no part of the model, and counts without a round trip.
import { type CancellationToken, CancellationTokenSource, type MessageConnection } from 'vscode-languageserver/node';
import type { CompletionModel, GeneratedToken, InfillRequest, InfillRun, TextModel, TextRequest, TextRun } from '../model/completionModel';
import { type ExclusiveLock, LockPriority } from '../model/exclusiveLock';
import { ProgressRoutes } from '../../../common/progressRoutes';
import { estimateTokens } from './tokenEstimate';
import { EngineInfillRequest, EnginePrepareNotification, EngineTextRequest, EngineTokenNotification, type EngineTokenParams, type HelloResult } from './engineProtocol';

/** Tokens pushed by one side and read by an async loop on the other; ends once `end()` is called. */
class TokenQueue implements AsyncIterable<GeneratedToken> {
  private readonly items: GeneratedToken[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(private readonly onStop: () => void) {}

  push(token: GeneratedToken): void {
    if (this.ended) return;
    this.items.push(token);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<GeneratedToken> {
    try {
      for (;;) {
        const next = this.items.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      // The reader stopped (a stop rule) or the run ended: either way the engine need not go on.
      if (!this.ended) this.onStop();
    }
  }
}

export class SharedCompletionModel implements CompletionModel {
  readonly name: string;
  readonly contextBudgetTokens: number;
  private readonly charsPerToken: number;
  private readonly routes = new ProgressRoutes();
  private readonly running = new Set<Promise<unknown>>();
  protected prompt: string | undefined;
  private closed = false;

  constructor(
    protected readonly connection: MessageConnection,
    hello: HelloResult,
    /** Lets go of what connecting took (the connection). */
    private readonly release: () => Promise<void>,
    /**
     * The window's own lock, where models compute in this process too (a next-edit or chat model loaded here): a
     * completion holds it while the engine answers, so they give way to it between their steps, as on one engine.
     */
    private readonly windowLock?: ExclusiveLock,
  ) {
    this.name = hello.model.name;
    this.contextBudgetTokens = hello.model.contextBudgetTokens;
    this.charsPerToken = hello.model.charsPerToken;
    connection.onNotification(EngineTokenNotification, (token) => this.routes.deliver(token));
    // The engine went away: what was asked of it will never be answered, so every pending request fails now (disposing
    // the connection rejects them) rather than hang.
    connection.onClose(() => connection.dispose());
  }

  infill(request: InfillRequest): InfillRun {
    const { signal, ...params } = request;
    const turn = this.windowLock?.acquireUnlessAborted(signal, request.unfocused ? LockPriority.otherWindow : LockPriority.completion);
    return this.run(signal, async (id, token) => {
      // Cancelled while waiting its turn: asked all the same, the engine answers a cancelled request at once.
      const release = await turn;
      try {
        return await this.connection.sendRequest(EngineInfillRequest, { id, ...params }, token);
      } finally {
        release?.();
      }
    });
  }

  /**
   * One request to the engine: its tokens as they come, and its figures once it ended. The signal (or the reader
   * stopping) cancels it at the engine.
   */
  protected run<Stats>(signal: AbortSignal, send: (id: string, token: CancellationToken) => Promise<{ stats: Stats; prompt?: string }>): { tokens: AsyncIterable<GeneratedToken>; done: Promise<Stats> } {
    const cancel = new CancellationTokenSource();
    const queue = new TokenQueue(() => cancel.cancel());
    const onAbort = () => cancel.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) cancel.cancel();
    // The tokens come as notifications carrying the request's id until it settles. A connection already gone throws at
    // once: as a failed run, like any other failure.
    const sent = this.routes.request<EngineTokenParams, { stats: Stats; prompt?: string }>('engine', ({ text }) => queue.push({ text }), async (id) => send(id, cancel.token));
    const done = sent
      .then((result) => {
        this.prompt = result.prompt ?? this.prompt;
        return result.stats;
      })
      .finally(() => {
        signal.removeEventListener('abort', onAbort);
        queue.end();
        cancel.dispose();
      });
    this.running.add(done);
    void done.catch(() => undefined).finally(() => this.running.delete(done));
    return { tokens: queue, done };
  }

  prepare(request: Omit<InfillRequest, 'signal'>): void {
    if (this.closed) return;
    void this.connection.sendNotification(EnginePrepareNotification, request).catch(() => undefined);
  }

  countTokens(text: string): number {
    return estimateTokens(text, this.charsPerToken);
  }

  lastPrompt(): string | undefined {
    return this.prompt;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release(); // the connection let go of: its requests fail, and their token queues end
  }
}

/** The shared engine's model where it also writes free text (explain, refactor, conversations). */
export class SharedTextModel extends SharedCompletionModel implements TextModel {
  readonly instructFormat: 'chat' | 'plain';
  readonly instructContextTokens: number;
  private instructPrompt: string | undefined;

  constructor(connection: MessageConnection, hello: HelloResult, release: () => Promise<void>, windowLock?: ExclusiveLock) {
    super(connection, hello, release, windowLock);
    this.instructFormat = hello.model.text?.instructFormat ?? 'plain';
    this.instructContextTokens = hello.model.text?.instructContextTokens ?? 0;
  }

  generateText(request: TextRequest): TextRun {
    const { signal, ...params } = request;
    return this.run(signal, async (id, token) => {
      const result = await this.connection.sendRequest(EngineTextRequest, { id, ...params }, token);
      this.instructPrompt = result.prompt ?? this.instructPrompt;
      return { stats: result.stats };
    });
  }

  lastInstructPrompt(): string | undefined {
    return this.instructPrompt;
  }
}

/** The window's model on the engine: one that writes free text too where the engine's does. */
export function sharedModel(connection: MessageConnection, hello: HelloResult, release: () => Promise<void>, windowLock?: ExclusiveLock): SharedCompletionModel {
  return hello.model.text ? new SharedTextModel(connection, hello, release, windowLock) : new SharedCompletionModel(connection, hello, release, windowLock);
}
