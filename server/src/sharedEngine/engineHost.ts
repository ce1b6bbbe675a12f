// The shared engine's side of the channel: it holds one completion model for every window of the user, takes each
// window that proves it is the same user (the secret), runs its requests on that model (each window's documents keep
// their own KV sequences: their keys are the window's), and ends once no window has used it for the idle time.
import { type CancellationToken, type MessageConnection, ResponseError } from 'vscode-languageserver/node';
import { type CompletionModel, type GeneratedToken, isTextModel } from '../model/completionModel';
import { ownedKey, ownerOf } from '../model/sequenceSlots';
import { measureCharsPerToken } from './tokenEstimate';
import { EngineFocusNotification, EngineInfillRequest, EnginePrepareNotification, EngineTextRequest, modelFailedCode, refusedCode, EngineTokenNotification, EngineWindowsNotification, HelloRequest, type HelloResult } from './engineProtocol';

/** A refused connection is closed this long after its answer was handed to the connection. */
const refusalCloseMs = 100;
/** However short the idle time, a new engine waits this long for its first window. */
export const startupGraceMs = 60_000;

export interface EngineHostOptions {
  /** The model, loading since the engine started; a rejection is every window's error. */
  model: Promise<CompletionModel>;
  modelPath: string;
  secret: string;
  version: string;
  /** How long the engine stays up with no window connected (also after it started, until the first one comes). */
  idleMs: number;
  log: { info(message: string): void; warn(message: string): void };
  /** No window for `idleMs`: the engine lets go of the model and ends. */
  onIdle(): void;
}

interface Window {
  id: number;
  pid?: number;
  connection: MessageConnection;
  introduced: boolean;
  /** Whether the user is in this window (its requests go before other windows'); a window says so after hello. */
  focused: boolean;
  /** Its requests running now: aborted when it goes away. */
  running: Set<AbortController>;
}

export class EngineHost {
  private readonly windows = new Set<Window>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: EngineHostOptions) {
    // The window that started the engine connects once it listens: it gets the time a start takes, whatever the idle time.
    this.armIdle(Math.max(options.idleMs, startupGraceMs));
  }

  get windowCount(): number {
    return this.windows.size;
  }

  /**
   * Serves one window's connection until it closes; `end` closes it once what was written has been sent (a refusal's
   * answer reaches the refused).
   */
  attach(connection: MessageConnection, end: () => void): void {
    const window: Window = { id: this.nextId++, connection, introduced: false, focused: true, running: new Set() };
    const { log } = this.options;
    connection.onRequest(HelloRequest, async (params): Promise<HelloResult> => {
      if (params.secret !== this.options.secret) {
        log.warn(`Engine: a connection without the secret was refused (pid ${params.pid})`);
        // The answer is written after a few turns of the event loop: the connection ends once it is on its way.
        setTimeout(end, refusalCloseMs);
        throw new ResponseError(refusedCode, 'Refused: not the engine owner’s window.');
      }
      window.introduced = true;
      window.pid = params.pid;
      this.windows.add(window);
      clearTimeout(this.idleTimer);
      log.info(`Engine: window ${window.id} (pid ${params.pid}) connected; ${this.windows.size} window(s)`);
      this.broadcastWindows();
      const model = await this.model();
      return {
        engine: { pid: process.pid, version: this.options.version, windows: this.windows.size },
        model: {
          name: model.name,
          contextBudgetTokens: model.contextBudgetTokens,
          charsPerToken: measureCharsPerToken((text) => model.countTokens(text)),
          modelPath: this.options.modelPath,
          text: isTextModel(model) ? { instructFormat: model.instructFormat, instructContextTokens: model.instructContextTokens } : undefined,
        },
      };
    });
    /** Runs one request for the window: its tokens sent as they come, its cancellation (or the window leaving) aborting it. */
    const serve = async <Stats>(id: string, token: CancellationToken, start: (signal: AbortSignal) => { tokens: AsyncIterable<GeneratedToken>; done: Promise<Stats> }) => {
      const controller = new AbortController();
      window.running.add(controller);
      const cancelled = token.onCancellationRequested(() => controller.abort());
      try {
        const run = start(controller.signal);
        for await (const generated of run.tokens) {
          if (controller.signal.aborted) break;
          void connection.sendNotification(EngineTokenNotification, { id, text: generated.text }).catch(() => undefined);
        }
        return await run.done;
      } finally {
        cancelled.dispose();
        window.running.delete(controller);
      }
    };
    connection.onRequest(EngineInfillRequest, async ({ id, ...request }, token) => {
      this.mustBeIntroduced(window);
      const model = await this.model();
      const stats = await serve(id, token, (signal) => model.infill({ ...request, documentKey: windowKey(window.id, request.documentKey), unfocused: !window.focused, signal }));
      return { stats, prompt: model.lastPrompt() };
    });
    connection.onRequest(EngineTextRequest, async ({ id, ...request }, token) => {
      this.mustBeIntroduced(window);
      const model = await this.model();
      if (!isTextModel(model)) throw new ResponseError(modelFailedCode, `${model.name} does not write free text.`);
      const stats = await serve(id, token, (signal) => model.generateText({ ...request, signal }));
      return { stats, prompt: model.lastInstructPrompt() };
    });
    connection.onNotification(EngineFocusNotification, ({ focused }) => {
      window.focused = focused;
    });
    connection.onNotification(EnginePrepareNotification, (params) => {
      if (!window.introduced) return;
      void this.options.model.then(
        (model) => model.prepare?.({ ...params, documentKey: windowKey(window.id, params.documentKey) }),
        () => undefined,
      );
    });
    connection.onClose(() => this.detach(window));
    connection.onError(() => undefined); // a window that went away mid-message: onClose follows
    connection.listen();
  }

  private detach(window: Window): void {
    for (const controller of window.running) controller.abort();
    if (!this.windows.delete(window)) return;
    this.options.log.info(`Engine: window ${window.id} (pid ${window.pid ?? '?'}) left; ${this.windows.size} window(s)`);
    this.broadcastWindows();
    // Its documents' sequences go to the windows still here (their windows kept on disk first, where the model keeps them).
    const owner = ownerOf(windowKey(window.id, ''));
    void this.options.model.then(
      (model) => model.releaseDocuments?.((key) => ownerOf(key) === owner),
      () => undefined,
    ).catch((error: unknown) => this.options.log.warn(`Engine: freeing window ${window.id}'s sequences failed: ${(error as Error).message}`));
    if (this.windows.size === 0) this.armIdle();
  }

  private async model(): Promise<CompletionModel> {
    try {
      return await this.options.model;
    } catch (error) {
      throw new ResponseError(modelFailedCode, (error as Error).message);
    }
  }

  private mustBeIntroduced(window: Window): void {
    if (!window.introduced) throw new ResponseError(refusedCode, 'Refused: say hello with the secret first.');
  }

  private broadcastWindows(): void {
    for (const window of this.windows) void window.connection.sendNotification(EngineWindowsNotification, { windows: this.windows.size }).catch(() => undefined);
  }

  private armIdle(ms = this.options.idleMs): void {
    clearTimeout(this.idleTimer);
    if (this.disposed) return;
    this.idleTimer = setTimeout(() => {
      if (this.windows.size === 0) this.options.onIdle();
    }, ms);
    this.idleTimer.unref(); // the listening socket keeps the engine up; the timer alone never should
  }

  /** Stops the idle timer for good (the engine is ending anyway). */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
  }
}

/** A document's key in the engine: its window's number before it, so two windows' documents never share a sequence. */
export const windowKey = ownedKey;
