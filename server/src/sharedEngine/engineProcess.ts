// The shared engine process (dist/engine.js, server/src/engine.ts), started detached by the first window that needs it: takes the lock for
// its key (a second engine started at the same moment ends at once), loads the model, listens on the private socket and
// ends once no window has used it for the idle time. Its log is one file beside the socket.
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-languageserver/node';
import type { LogLevel } from '../../../common/settings';
import { describeError } from '../errors';
import { Logger } from '../logger';
import type { Calibration } from '../model/calibration';
import { defaultPromptLatencyMs } from '../model/llamaCompletionModel';
import { loadLlamaCompletionModel } from '../model/llamaLoader';
import type { ModelSpec } from '../model/modelHost';
import { WindowStore, modelIdentity } from '../windowCache/windowStore';
import { SequenceWindows } from '../windowCache/sequenceWindows';
import { processAlive, tryLockFile } from '../lockFile';
import { engineFiles, probeSocket, writeSecret } from './engineChannel';
import { EngineHost } from './engineHost';

export interface EngineArguments {
  dir: string;
  key: string;
  version: string;
  spec: ModelSpec;
  idleMs: number;
  logLevel: LogLevel;
  windowCacheDir?: string;
  windowCacheMegabytes: number;
}

const maxContextSize = 4096;

/**
 * Takes the key's lock (server/src/lockFile.ts); false where a live engine holds it. A lock naming this very process
 * was left by a dead one whose pid came round again: taken over.
 */
export function takeLock(path: string): Promise<boolean> {
  return tryLockFile(path, (pid) => pid !== process.pid && processAlive(pid));
}

function fileLogger(path: string, level: LogLevel): Logger {
  const write = (kind: string) => (message: string) => {
    try {
      appendFileSync(path, `${new Date().toISOString()} ${kind}${message}\n`, { mode: 0o600 });
    } catch {
      // A log that cannot be written loses lines, never the engine.
    }
  };
  const log = new Logger({ error: write('[error] '), warn: write('[warn] '), info: write(''), log: write('') });
  log.setLevel(level);
  return log;
}

/** A calibration is reused for a day at most: the machine's load and its thermal state change. */
export const calibrationMaxAgeMs = 24 * 3600_000;

/**
 * The calibration an engine for this key measured, kept beside its socket: an engine restarted after a crash, or
 * started again the same day, is ready without measuring again. Refused when older than a day, made for another model
 * file (its size and time changed) or unreadable.
 */
export function keptCalibration(path: string, modelPath: string, now = () => Date.now()) {
  const modelStamp = () => {
    try {
      const stats = statSync(modelPath);
      return `${stats.size}:${stats.mtimeMs}`;
    } catch {
      return '';
    }
  };
  return {
    read(): Calibration | undefined {
      try {
        const kept = JSON.parse(readFileSync(path, 'utf8')) as { at: number; model: string; calibration: Calibration };
        if (now() - kept.at > calibrationMaxAgeMs || kept.model !== modelStamp() || !Array.isArray(kept.calibration?.prefillCurve) || kept.calibration.prefillCurve.length === 0) return undefined;
        return kept.calibration;
      } catch {
        return undefined;
      }
    },
    write(calibration: Calibration): void {
      try {
        writeFileSync(path, JSON.stringify({ at: now(), model: modelStamp(), calibration }), { mode: 0o600 });
      } catch {
        // Not kept: the next start measures again.
      }
    },
  };
}

/** An engine whose model failed to load ends this long after: the windows waiting get the reason first. */
const failedModelExitMs = 2000;

export async function runEngine(args: EngineArguments): Promise<void> {
  const files = engineFiles(args.dir, args.key);
  const log = fileLogger(files.log, args.logLevel);
  if (!(await takeLock(files.lock))) return; // another engine for this key is up or starting: the windows find it
  const removeFiles = () => {
    for (const path of [files.socket, files.secret, files.lock]) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
  process.on('uncaughtException', (error) => log.error(`Uncaught: ${describeError(error)}`));
  process.on('unhandledRejection', (error) => log.error(`Unhandled rejection: ${describeError(error)}`));
  if (process.platform !== 'win32' && (await probeSocket(files.socket)) === 'stale') {
    log.info(`Engine: a stale socket was left at ${files.socket} (its engine died): replaced`);
    unlinkSync(files.socket);
  }
  log.info(`Engine ${args.version} (pid ${process.pid}) for ${args.spec.modelPath}, ${args.spec.threads} thread(s)`);
  const store = args.windowCacheDir ? new WindowStore(args.windowCacheDir, () => args.windowCacheMegabytes * 2 ** 20, log) : undefined;
  const model = loadLlamaCompletionModel(
    {
      ...args.spec,
      maxContextSize,
      reuseKvPrefix: true,
      anchorPrompt: true,
      latencyBudget: true,
      promptLatencyMs: defaultPromptLatencyMs,
      keepWindows: store ? async (modelPath, runtime) => new SequenceWindows(store, await modelIdentity(modelPath), runtime, log) : undefined,
      calibrationCache: keptCalibration(files.calibration, args.spec.modelPath),
    },
    log,
  );
  model.then(
    (loaded) => log.info(`Engine: ${loaded.name} ready`),
    (error: Error) => {
      // The windows waiting are answered with the reason; the next window to connect starts a new engine (the file
      // may have been fixed or the memory freed meanwhile), so this one takes no more and ends.
      log.error(`Engine: the model did not load: ${error.message}; ending`);
      server?.close();
      removeFiles();
      setTimeout(() => process.exit(1), failedModelExitMs).unref();
    },
  );
  // Written once this engine listens: an engine that loses the race for the socket (EADDRINUSE) must not replace the
  // winner's secret, or the windows would be refused by the engine they reach.
  const secret = randomBytes(32).toString('hex');
  let server: ReturnType<typeof createServer> | undefined;
  const host = new EngineHost({
    model,
    modelPath: args.spec.modelPath,
    secret,
    version: args.version,
    idleMs: args.idleMs,
    log,
    onIdle: () => {
      log.info(`Engine: no window for ${Math.round(args.idleMs / 1000)} s: ending`);
      server?.close();
      removeFiles();
      void model
        .then((loaded) => loaded.dispose())
        .catch(() => undefined)
        .finally(() => process.exit(0));
    },
  });
  server = createServer((socket) => host.attach(createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket)), () => socket.end()));
  const previousMask = process.umask(0o177); // the socket is made 0600: only its user may connect
  try {
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(files.socket, () => resolve());
    });
  } finally {
    process.umask(previousMask);
  }
  writeSecret(files.secret, secret);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      removeFiles();
      process.exit(0);
    });
  }
  log.info(`Engine: listening at ${files.socket}`);
}
