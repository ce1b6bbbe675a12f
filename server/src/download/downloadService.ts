// The server's side of getting a model: hearth/pullModel (progress as hearth/pullProgress, cancelled through the
// request) and hearth/modelInfo. The editor never waits on either: downloads run in this process, not the
// extension host, and report as they go. hearth/machine says what the machine offers a model (the recommendation).
import type { Connection } from 'vscode-languageserver/node';
import { type MachineInfo, MachineInfoRequest, ModelInfoRequest, PullModelProgressNotification, PullModelRequest } from '../../../common/protocol';
import { withCancellation } from '../cancellation';
import type { Feature } from '../feature';
import type { Logger } from '../logger';
import { describeModelInfo, readModelInfo } from './modelInfo';
import { defaultHub, PullError, pullModel } from './modelPull';

/** Model downloads and descriptions as a feature of the server (its requests are registered when built). */
export function modelsFeature(connection: Pick<Connection, 'onRequest' | 'sendNotification'>, hub: () => string, machine: () => Promise<MachineInfo>, log: Logger): Feature {
  connection.onRequest(MachineInfoRequest.type, () => machine());
  connection.onRequest(PullModelRequest.type, (params, token) =>
    withCancellation(token, async (signal) => {
      let last = 0;
      try {
        const pulled = await pullModel({
          repo: params.repo,
          file: params.file,
          dir: params.dir,
          hub: params.hub || hub() || defaultHub,
          proxy: params.proxy,
          signal,
          onProgress: (progress) => {
            const now = performance.now();
            if (now - last < 200 && progress.downloadedBytes < progress.totalBytes) return;
            last = now;
            void connection.sendNotification(PullModelProgressNotification.type, { id: params.id, ...progress });
          },
        });
        log.info(`Model ${pulled.reused ? 'already there' : 'downloaded'} and verified: ${pulled.path} (sha256 ${pulled.sha256})`);
        return { path: pulled.path, reused: pulled.reused };
      } catch (error) {
        const kind = error instanceof PullError ? error.kind : 'failed';
        (kind === 'cancelled' ? log.info : log.error).call(log, `Pulling ${params.repo}/${params.file}: ${(error as Error).message}`);
        return { error: (error as Error).message, errorKind: kind };
      }
    }),
  );
  connection.onRequest(ModelInfoRequest.type, async ({ path }) => {
    try {
      const info = await readModelInfo(path);
      return { lines: describeModelInfo(info), fim: info.fim !== undefined, fits: info.memory.fits };
    } catch (error) {
      return { error: (error as Error).message };
    }
  });
  return {};
}
