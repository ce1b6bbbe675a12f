// The models this server computes with, and the settings that choose between them: the local completion model, the
// remote engine (hearth.engine: remote, once the user agreed to send code to its URL), the chat model for explain and
// refactor (hearth.chatModelPath), the next-edit model (hearth.nextEditModelPath), and the one lock they all take on this machine's cores. Features ask it for the
// model to complete with and where text generation comes from; it tells the status bar which engine's state to show.
import { basename } from 'node:path';
import type { RemoteAccess } from '../../../common/protocol';
import type { FimOrderSetting, HearthSettings, RemoteSettings } from '../../../common/settings';
import type { Logger } from '../logger';
import { type CompletionModel, isTextModel, type NextEditModel, type TextModel } from '../model/completionModel';
import { ExclusiveLock } from '../model/exclusiveLock';
import type { InstructModelSpec } from '../model/llamaInstructModel';
import { type FileWatcher, type ModelSpec, type ModelState, ModelHost, watchModelFile } from '../model/modelHost';
import type { TextModelSource } from '../model/waitForModel';

/** What the engines need of the remote engine (server/src/remote/remoteEngine.ts; a fake in unit tests). */
export interface RemoteEngineHandle {
  current(): CompletionModel | undefined;
  configure(settings: RemoteSettings, access: { consented: boolean; apiKey?: string }, fimOrder: FimOrderSetting): Promise<void>;
  disconnect(): Promise<void>;
}

export interface EngineParts {
  /** Loads a completion model; every model computes under `lock`. */
  loadCompletion(spec: ModelSpec, lock: ExclusiveLock): Promise<CompletionModel>;
  loadChat(spec: InstructModelSpec, lock: ExclusiveLock): Promise<TextModel>;
  /** Loads a next-edit model (hearth.nextEditModelPath); without it, next edits are never offered. */
  loadNextEdit?(spec: InstructModelSpec, lock: ExclusiveLock): Promise<NextEditModel>;
  /** Builds the remote engine; it reports its connection's state through `report`. */
  remote(report: (state: ModelState) => void): RemoteEngineHandle;
  /** The settings → the local completion model to load. */
  resolveSpec(settings: HearthSettings): ModelSpec;
  /** The state of the engine completions use now, for the status bar. */
  report(state: ModelState): void;
  /** The chat model was loaded or let go: the editor's list of language models changed. */
  onChatModelChanged(): void;
  log: Logger;
  watch?: FileWatcher;
}

export class Engines {
  /** One lock for whatever computes on this machine's cores: completions first, then explain/refactor, then warming. */
  readonly lock = new ExclusiveLock();
  private readonly local: ModelHost;
  private readonly chat: ModelHost<InstructModelSpec, TextModel>;
  private readonly nextEdit: ModelHost<InstructModelSpec, NextEditModel> | undefined;
  private readonly remote: RemoteEngineHandle;
  private settings: HearthSettings | undefined;
  private localState: ModelState | undefined;
  private remoteAccess: RemoteAccess | undefined;
  /** Why the chat model the settings name cannot be used now; undefined once it is ready (or none is named). */
  private chatProblem: string | undefined;
  /** Settles once the chat model the settings last named has loaded or failed to: an instruction waits for it. */
  private chatSettled: Promise<void> = Promise.resolve();
  private chatPathApplied = '';
  /** Settles once the settings last given have been applied (models loaded or failed to). */
  private applying: Promise<void> = Promise.resolve();
  private readonly modelReady: Array<() => void> = [];

  constructor(private readonly parts: EngineParts) {
    const watch = parts.watch ?? watchModelFile;
    this.local = new ModelHost(
      (spec) => parts.loadCompletion(spec, this.lock),
      parts.log,
      (state) => {
        if (state.state === 'ready') this.modelReady.forEach((listener) => listener());
        this.localState = state;
        if (this.engine() === 'local') parts.report(state);
      },
      watch,
    );
    this.remote = parts.remote((state) => {
      if (state.state === 'ready') this.modelReady.forEach((listener) => listener());
      if (this.engine() === 'remote') parts.report(state);
    });
    this.chat = new ModelHost<InstructModelSpec, TextModel>(
      (spec) => parts.loadChat(spec, this.lock),
      parts.log,
      (state) => {
        this.chatProblem =
          state.state === 'ready' ? undefined : state.state === 'loading' ? `The chat model is still loading (${state.model ?? ''}).` : `The chat model cannot be used: ${state.message}`;
        if (state.state !== 'loading') parts.onChatModelChanged();
      },
      watch,
    );
    const loadNextEdit = parts.loadNextEdit;
    this.nextEdit = loadNextEdit && new ModelHost<InstructModelSpec, NextEditModel>((spec) => loadNextEdit(spec, this.lock), parts.log, () => undefined, watch);
  }

  /**
   * The next-edit model, where the settings name one, next edits are on, and this machine computes; once the settings
   * being applied are (a model being loaded is waited for).
   */
  async nextEditModel(): Promise<NextEditModel | undefined> {
    await this.applying;
    const settings = this.settings;
    return settings?.nextEdits && settings.nextEditModelPath !== '' && settings.engine !== 'remote' ? this.nextEdit?.current() : undefined;
  }

  /** The model completions go to: the remote engine's, or (while it is down, if the user allows) the local one. */
  completionModel(): CompletionModel | undefined {
    const settings = this.settings;
    if (settings?.engine !== 'remote') return this.local.current();
    return this.remote.current() ?? (settings.remote.fallbackToLocal ? this.local.current() : undefined);
  }

  /** Explain, refactor and conversations: the chat model when one is set, else the completion model (or the remote one). */
  readonly textModels: TextModelSource = {
    model: () => {
      if (this.settings?.chatModelPath && this.engine() !== 'remote') return this.chat.current();
      const completion = this.completionModel();
      return isTextModel(completion) ? completion : undefined;
    },
    chatModelProblem: () => (this.settings?.chatModelPath ? this.chatProblem : undefined),
    modelSettled: () => this.chatSettled,
  };

  /** Calls `listener` whenever a completion model (local or remote) becomes ready: what was cached is another model's. */
  onModelReady(listener: () => void): void {
    this.modelReady.push(listener);
  }

  /** Loads the local completion model again as the settings say (the shared engine it ran on went away). */
  async reloadCompletion(): Promise<void> {
    if (this.settings) await this.local.reload(this.parts.resolveSpec(this.settings));
  }

  /** The user agreed (or not) to send code to a remote URL; applied with the next settings. */
  setRemoteAccess(access: RemoteAccess): void {
    this.remoteAccess = access;
  }

  /** Loads, connects or lets go of models as these settings say; calls are applied in the order made. */
  async apply(settings: HearthSettings): Promise<void> {
    await settling((applying) => (this.applying = applying), () => this.applyChat(settings));
  }

  private async applyChat(settings: HearthSettings): Promise<void> {
    this.settings = settings;
    const chatPath = settings.chatModelPath;
    if (chatPath === this.chatPathApplied) return this.applyModels(settings);
    // Until the chat model the settings name is loaded, instructions wait for it rather than go to another model.
    this.chatProblem = chatPath === '' ? undefined : `The chat model ${basename(chatPath)} is not loaded yet.`;
    await settling((settled) => (this.chatSettled = settled), () => this.applyModels(settings));
  }

  async dispose(): Promise<void> {
    await Promise.all([this.local.dispose(), this.chat.dispose(), this.nextEdit?.dispose(), this.remote.disconnect()]);
  }

  private engine(): HearthSettings['engine'] {
    return this.settings?.engine ?? 'local';
  }

  private async applyModels(settings: HearthSettings): Promise<void> {
    const spec = this.parts.resolveSpec(settings);
    if (settings.engine === 'remote') {
      const access = this.remoteAccess?.url === settings.remote.url ? this.remoteAccess : { consented: false };
      await this.remote.configure(settings.remote, access, settings.fimOrder);
      // The local model stays loaded only as the fallback.
      if (settings.remote.fallbackToLocal) await this.local.configure(spec);
      else await this.local.unload();
      return;
    }
    await this.remote.disconnect();
    if (this.localState) this.parts.report(this.localState);
    // The completion model first: ghost text matters most, and its load-time calibration wants the cores to itself.
    await this.local.configure(spec);
    const chatPath = settings.chatModelPath;
    if (chatPath === '') {
      const had = this.chat.current() !== undefined;
      await this.chat.unload();
      if (had) this.parts.onChatModelChanged();
    } else await this.chat.configure({ modelPath: chatPath, threads: spec.threads, gpu: spec.gpu });
    this.chatPathApplied = chatPath;
    if (settings.nextEditModelPath === '' || !settings.nextEdits) await this.nextEdit?.unload();
    else await this.nextEdit?.configure({ modelPath: settings.nextEditModelPath, threads: spec.threads, gpu: spec.gpu });
  }
}

/** Runs `work`, handing `publish` at once a promise that settles once the work has, whether it succeeded or failed. */
async function settling(publish: (settled: Promise<void>) => void, work: () => Promise<void>): Promise<void> {
  let settle!: () => void;
  publish(new Promise((resolve) => (settle = resolve)));
  try {
    await work();
  } finally {
    settle();
  }
}
