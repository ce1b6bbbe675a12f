// The window cache as the server offers it: the store in the extension's global storage (its folder comes with the
// initialization options, its cap from hearth.windowCacheMegabytes), and the request that empties it.
import { join } from 'node:path';
import type { Connection, InitializeParams } from 'vscode-languageserver/node';
import { ClearWindowCacheRequest, type HearthInitializationOptions } from '../../../common/protocol';
import type { Logger } from '../logger';
import type { WindowKeeper } from '../model/windowWarmer';
import { SequenceWindows } from './sequenceWindows';
import { modelIdentity, WindowStore } from './windowStore';

/** Kept windows checked ahead of their use when a model loads: the files an editor reopens first are the latest. */
const checkAheadWindows = 4;

/** The store for the folder the client named (none without one: nothing is kept), and its clear request. */
export function windowCacheFeature(connection: Pick<Connection, 'onRequest'>, log: Logger, capMegabytes: () => number) {
  let store: WindowStore | undefined;
  let folder: string | undefined;
  connection.onRequest(ClearWindowCacheRequest.type, async () => {
    const removedBytes = (await store?.clear()) ?? 0;
    log.info(`Window cache: cleared (${Math.round(removedBytes / 2 ** 20)} MiB)`);
    return { removedBytes };
  });
  return {
    initialize(params: InitializeParams): void {
      const options = (params.initializationOptions ?? {}) as HearthInitializationOptions;
      if (typeof options.windowCacheDir === 'string' && options.windowCacheDir !== '') {
        folder = options.windowCacheDir;
        store = new WindowStore(join(options.windowCacheDir), () => capMegabytes() * 2 ** 20, log);
      }
    },
    /** The folder windows are kept in (the shared engine keeps them there too), if the client named one. */
    folder: (): string | undefined => folder,
    /** The kept windows of one model file and runtime, for the model loader; undefined where nothing is kept. */
    keeperFor: async (modelPath: string, runtime: string): Promise<WindowKeeper | undefined> => {
      if (!store) return undefined;
      const model = await modelIdentity(modelPath);
      void store.checkAhead(model, runtime, checkAheadWindows).catch((error: Error) => log.warn(`Window cache: checking kept windows failed (${error.message})`));
      return new SequenceWindows(store, model, runtime, log);
    },
  };
}
