// The window's side of the shared engine, as the composition root wires it: the loader the engines module calls when
// hearth.sharedEngine is on (the options a window connects with, read from the settings at each load), and whether the
// user is in this window (the client says; the engine serves the focused window first).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { WindowFocusNotification } from '../../../common/protocol';
import type { HearthSettings } from '../../../common/settings';
import type { Logger } from '../logger';
import type { ExclusiveLock } from '../model/exclusiveLock';
import type { CompletionModel } from '../model/completionModel';
import type { ModelSpec } from '../model/modelHost';
import { checkModelFile } from '../model/ggufValidation';
import { loadSharedCompletionModel } from './engineLauncher';
import manifest from '../../../package.json';

export interface SharedEngineParts {
  settings(): HearthSettings;
  /** The folder the window cache keeps windows in, if any. */
  windowCacheDir(): string | undefined;
  log: Logger;
  /** The engine went away while in use: load again (a new engine starts). */
  onLost(): void;
  /** How many windows share the engine, and its log file, whenever that changes. */
  onEngine?(engine: { windows: number; log: string }): void;
}

/** Whether the user is in this window, as the client last said (focused until told otherwise). */
export class WindowFocus {
  private current = true;
  private readonly listeners = new Set<(focused: boolean) => void>();

  get focused(): boolean {
    return this.current;
  }

  set(focused: boolean): void {
    if (focused === this.current) return;
    this.current = focused;
    for (const listener of this.listeners) listener(focused);
  }

  /** Calls `listener` on each change; returns the way to stop. */
  onChange(listener: (focused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** dist/engine.js, beside this server's bundle. */
const enginePath = join(__dirname, 'engine.js');

export function sharedEngineFeature(connection: Pick<Connection, 'onNotification'>, parts: SharedEngineParts): { load(spec: ModelSpec, windowLock?: ExclusiveLock): Promise<CompletionModel> } {
  const focus = new WindowFocus();
  connection.onNotification(WindowFocusNotification.type, ({ focused }) => focus.set(focused));
  // The file checked at the last load, as it was then: an engine restarted after a crash connects without walking the
  // file again. Its metadata (a vocabulary of 150 000 strings) is the engine's to read: reading it here would keep
  // node-llama-cpp and tens of MiB in every window; a model the engine refuses is refused with the loader's message.
  let checked: string | undefined;
  const validateModel = async (modelPath: string) => {
    const stamp = await stat(modelPath).then((s) => `${modelPath}:${s.size}:${s.mtimeMs}`, () => undefined);
    if (stamp !== undefined && stamp === checked) return;
    await checkModelFile(modelPath);
    checked = stamp;
  };
  return {
    load: (spec, windowLock) => {
      const settings = parts.settings();
      return loadSharedCompletionModel(spec, {
        enginePath,
        windowLock,
        version: manifest.version,
        idleMs: settings.sharedEngineIdleMinutes * 60_000,
        logLevel: settings.logLevel,
        windowCacheDir: settings.windowCacheMegabytes > 0 ? parts.windowCacheDir() : undefined,
        windowCacheMegabytes: settings.windowCacheMegabytes,
        log: parts.log,
        onEngine: parts.onEngine,
        onLost: parts.onLost,
        focus,
        validateModel,
      });
    },
  };
}
