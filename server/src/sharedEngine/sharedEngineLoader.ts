// The window's side of the shared engine, as the engines module loads it: the options a window connects with (where
// the engine's program is, its idle time, where it keeps windows), read from the settings at each load.
import { join } from 'node:path';
import manifest from '../../../package.json';
import type { HearthSettings } from '../../../common/settings';
import type { Logger } from '../logger';
import type { CompletionModel } from '../model/completionModel';
import type { ModelSpec } from '../model/modelHost';
import { loadSharedCompletionModel, loadVocabulary } from './engineLauncher';

export interface SharedEngineParts {
  settings(): HearthSettings;
  /** The folder the window cache keeps windows in, if any. */
  windowCacheDir(): string | undefined;
  log: Logger;
  /** The engine went away while in use: load again (a new engine starts). */
  onLost(): void;
  /** How many windows share the engine, whenever that changes. */
  onWindows?(windows: number): void;
}

/** dist/engine.js, beside this server's bundle. */
const enginePath = join(__dirname, 'engine.js');

export function sharedEngineLoader(parts: SharedEngineParts): (spec: ModelSpec) => Promise<CompletionModel> {
  return (spec) => {
    const settings = parts.settings();
    return loadSharedCompletionModel(spec, {
      enginePath,
      version: manifest.version,
      idleMs: settings.sharedEngineIdleMinutes * 60_000,
      logLevel: settings.logLevel,
      windowCacheDir: settings.windowCacheMegabytes > 0 ? parts.windowCacheDir() : undefined,
      windowCacheMegabytes: settings.windowCacheMegabytes,
      log: parts.log,
      onWindows: parts.onWindows,
      onLost: parts.onLost,
      loadTokenizer: (modelPath) => loadVocabulary(modelPath, parts.log),
    });
  };
}
