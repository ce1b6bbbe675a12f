// Owns the loaded model: loads it when the settings name a different one, reports loading / ready / error, and
// keeps the server alive (with a message) when a model cannot be used.
import { type Stats, unwatchFile, watchFile } from 'node:fs';
import { basename, join } from 'node:path';
import type { GpuSetting, HearthSettings, SpeculationSetting } from '../../../common/settings';
import type { FimOrder } from './fimTemplate';
import { describeError, isModelError, type Remedy } from '../errors';
import type { Logger } from '../logger';
import type { CompletionModel } from './completionModel';
import { chooseThreadCount, type CpuTopology } from './threadCount';

export interface ModelSpec {
  modelPath: string;
  draftModelPath: string;
  threads: number;
  /** Auto thread count: fitted to the machine's load before each request. */
  adaptiveThreads: boolean;
  gpu: GpuSetting;
  fimOrder: FimOrder;
  speculation: SpeculationSetting;
  /** Computed by the user's shared engine process (hearth.sharedEngine) rather than in this server. */
  shared?: boolean;
}

export interface ModelState {
  state: 'loading' | 'ready' | 'error';
  message: string;
  model?: string;
  /** What the user can do about an error; the status item offers it as a command (serverStatus.ts). */
  action?: Remedy;
}

export type ModelLoader<Spec = ModelSpec, Model = CompletionModel> = (spec: Spec) => Promise<Model>;

export const bundledTargetFile = 'tiny-code-target-q8_0.gguf';
export const bundledDraftFile = 'tiny-code-draft-q8_0.gguf';

/** Settings → the exact model to load. An empty model path means the bundled tiny pair. */
export function resolveModelSpec(settings: HearthSettings, bundledModelsDir: string, cpu: CpuTopology): ModelSpec {
  const bundled = settings.modelPath === '';
  return {
    modelPath: bundled ? join(bundledModelsDir, bundledTargetFile) : settings.modelPath,
    draftModelPath: settings.draftModelPath !== '' ? settings.draftModelPath : bundled ? join(bundledModelsDir, bundledDraftFile) : '',
    threads: chooseThreadCount(settings.threads, cpu),
    adaptiveThreads: settings.threads === 0,
    gpu: settings.gpu,
    // The bundled target was trained on both orders; a user's model is assumed to know prefix-first only.
    fimOrder: settings.fimOrder !== 'auto' ? settings.fimOrder : bundled ? 'spm' : 'psm',
    speculation: settings.speculation,
    shared: settings.sharedEngine,
  };
}

/** A model the host can load and dispose; its spec names the file. */
/** Calls `onChange` when the file at `path` is replaced, truncated, rewritten or removed; returns the way to stop. */
export type FileWatcher = (path: string, onChange: (exists: boolean) => void) => () => void;

/** Polls the file's identity (inode, size, modification time) once a second: fs.watch misses a rename over the path. */
export const watchModelFile: FileWatcher = (path, onChange) => {
  const listener = (now: Stats, before: Stats) => {
    if (now.ino !== before.ino || now.size !== before.size || now.mtimeMs !== before.mtimeMs) onChange(now.nlink > 0 || now.size > 0);
  };
  watchFile(path, { interval: 1000, persistent: false }, listener);
  return () => unwatchFile(path, listener);
};

export class ModelHost<Spec extends { modelPath: string } = ModelSpec, Model extends { dispose(): Promise<void> } = CompletionModel> {
  private loaded: Model | undefined;
  private loadedSpec: string | undefined;
  private pending: Promise<void> = Promise.resolve();
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly load: ModelLoader<Spec, Model>,
    private readonly log: Logger,
    private readonly report: (state: ModelState) => void,
    private readonly watch: FileWatcher = watchModelFile,
  ) {}

  current(): Model | undefined {
    return this.loaded;
  }

  /** Loads the model the spec names unless it is already loaded; calls are applied in order. */
  configure(spec: Spec): Promise<void> {
    this.pending = this.pending.then(() => this.apply(spec));
    return this.pending;
  }

  /** Disposes the loaded model, if any: none is wanted now. */
  unload(): Promise<void> {
    this.pending = this.pending.then(async () => {
      this.stopWatching?.();
      this.loadedSpec = undefined;
      const previous = this.loaded;
      this.loaded = undefined;
      await previous?.dispose();
    });
    return this.pending;
  }

  /** Loads the spec again even when unchanged (after the user fixed the file in place). */
  reload(spec: Spec): Promise<void> {
    this.pending = this.pending.then(() => {
      this.loadedSpec = undefined;
      return this.apply(spec);
    });
    return this.pending;
  }

  private async apply(spec: Spec): Promise<void> {
    const key = JSON.stringify(spec);
    if (key === this.loadedSpec) return;
    this.loadedSpec = key;
    this.stopWatching?.();
    this.stopWatching = undefined;
    const previous = this.loaded;
    this.loaded = undefined;
    await previous?.dispose();
    const name = basename(spec.modelPath);
    this.report({ state: 'loading', message: `Loading ${name}…`, model: name });
    const started = performance.now();
    try {
      this.loaded = await this.load(spec);
      this.log.info(`Model ${name} ready in ${Math.round(performance.now() - started)} ms`);
      // llama.cpp reads the weights through a memory map: a file truncated or rewritten in place under it would fault
      // on the next read. A change on disk unloads the model and loads the file again (a damaged one is refused with
      // a message); a file deleted outright is no danger (the map keeps it) and is only logged.
      this.stopWatching = this.watch(spec.modelPath, (exists) => {
        if (!exists) {
          this.log.warn(`${name} was deleted from disk; the loaded model keeps working until another is chosen.`);
          return;
        }
        this.log.warn(`${name} changed on disk: loading it again.`);
        void this.reload(spec);
      });
      this.report({ state: 'ready', message: `${name} ready`, model: name });
    } catch (error) {
      if (isModelError(error)) {
        this.log.error(`${error.message}${error.detail ? `\n${error.detail}` : ''}`);
        this.report({ state: 'error', message: error.message, action: error.action });
      } else {
        this.log.error(`Loading ${name} failed: ${describeError(error)}`);
        this.report({ state: 'error', message: `Loading ${name} failed: ${(error as Error).message}`, action: 'showLog' });
      }
    }
  }

  async dispose(): Promise<void> {
    await this.pending;
    this.stopWatching?.();
    await this.loaded?.dispose();
    this.loaded = undefined;
  }
}
