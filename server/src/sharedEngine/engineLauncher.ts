// Finds the user's shared engine for this model, or starts it: connects to the socket its key names; where no engine
// answers, starts one detached (closing this window does not end it) and connects once it listens; then introduces
// the window with the engine's secret and waits for the model. The window holds no part of the model: it checks the
// file as the loader would (a missing or damaged file is the loader's message, and no engine starts for it), and counts
// tokens by the engine's measure (tokenEstimate.ts).
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createMessageConnection, ErrorCodes, type MessageConnection, ResponseError, SocketMessageReader, SocketMessageWriter } from 'vscode-languageserver/node';
import type { LogLevel } from '../../../common/settings';
import type { Logger } from '../logger';
import type { ModelSpec } from '../model/modelHost';
import type { ExclusiveLock } from '../model/exclusiveLock';
import { lockHolder, processAlive } from '../lockFile';
import { type EngineFiles, engineFiles, engineKey, ensurePrivateDir, readSecret, runtimeDir } from './engineChannel';
import { EngineFocusNotification, EngineWindowsNotification, HelloRequest, type HelloResult, refusedCode } from './engineProtocol';
import { type SharedCompletionModel, sharedModel } from './sharedCompletionModel';

export interface LaunchOptions {
  /** dist/engine.js */
  enginePath: string;
  /** The window's lock, which completions on the engine hold while they run (sharedCompletionModel.ts). */
  windowLock?: ExclusiveLock;
  version: string;
  /** The user's runtime folder (runtimeDir() unless a test says otherwise). */
  dir?: string;
  idleMs: number;
  logLevel: LogLevel;
  windowCacheDir?: string;
  windowCacheMegabytes: number;
  /** How long to wait for a started engine to listen (a cold start loads and calibrates the model). */
  startTimeoutMs?: number;
  log: Logger;
  /** How many windows share the engine, and its log file, whenever that changes. */
  onEngine?(engine: { windows: number; log: string }): void;
  /** The connection to the engine was lost (it ended or was killed) while the window used it: the caller connects again. */
  onLost?(): void;
  /** Whether the user is in this window: told to the engine at once and on each change. */
  focus?: { readonly focused: boolean; onChange(listener: (focused: boolean) => void): () => void };
  /** Checks the model file as the loader does (ggufValidation.ts); throws its ModelError. */
  validateModel(modelPath: string): Promise<void>;
}

export interface EngineConnection {
  connection: MessageConnection;
  hello: HelloResult;
  files: EngineFiles;
  /** Whether this window started the engine (false: it found one running). */
  started: boolean;
}

const connectSocket = (path: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How often a window looks for the engine it is waiting for (starting takes a few seconds; a connect attempt costs nothing). */
const startPollMs = 50;

/** Connects to the engine for `spec`, starting it where none runs; rejects with the engine's reason when its model cannot load. */
export async function connectEngine(spec: ModelSpec, options: LaunchOptions): Promise<EngineConnection> {
  const dir = options.dir ?? runtimeDir();
  ensurePrivateDir(dir);
  const key = engineKey({ version: options.version, ...spec });
  const files = engineFiles(dir, key);
  let started = false;
  const deadline = performance.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (performance.now() > deadline) throw new Error(`The shared engine did not start within ${Math.round((options.startTimeoutMs ?? 60_000) / 1000)} s (its log: ${files.log})`);
    let socket: Socket | undefined;
    try {
      socket = await connectSocket(files.socket);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') throw error; // not this user's socket: nothing to wait for
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED') {
        // A socket being replaced or an engine ending under the connect (ECONNRESET, EAGAIN…): try again.
        await delay(startPollMs);
        continue;
      }
      // An engine that holds the lock is starting (another window started it): wait for it rather than start another.
      const holder = lockHolder(files.lock);
      if (!started && !(holder !== undefined && processAlive(holder))) {
        startEngine(spec, key, dir, options);
        started = true;
        options.log.info(`Shared engine: none running for ${spec.modelPath}; started one (${files.log})`);
      }
      await delay(startPollMs);
      continue;
    }
    const secret = readSecret(files.secret);
    if (!secret) {
      socket.destroy();
      await delay(100);
      continue;
    }
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    connection.onNotification(EngineWindowsNotification, ({ windows }) => options.onEngine?.({ windows, log: files.log }));
    // A connection that closes before the engine answers (it ended meanwhile) fails the hello, which a closed
    // connection alone would leave waiting for ever: the window then connects again.
    const closed = connection.onClose(() => connection.dispose());
    connection.listen();
    let hello: HelloResult;
    try {
      hello = await connection.sendRequest(HelloRequest, { secret, version: options.version, pid: process.pid });
      closed.dispose();
    } catch (error) {
      connection.dispose();
      // The engine's own answer that its model failed is the reason to give; anything else — the secret read was a
      // dead engine's (the new one writes its own once it listens), or the engine ended while introducing this window
      // (the connection closed before it answered) — is tried again until the deadline.
      const gone = !(error instanceof ResponseError) || [refusedCode, ErrorCodes.PendingResponseRejected, ErrorCodes.ConnectionInactive].includes(error.code);
      if (!gone) throw error;
      await delay(100);
      continue;
    }
    options.onEngine?.({ windows: hello.engine.windows, log: files.log });
    return { connection, hello, files, started };
  }
}

/** Starts the engine process detached: it outlives this window and ends on its own once idle. */
function startEngine(spec: ModelSpec, key: string, dir: string, options: LaunchOptions): void {
  const args = [
    options.enginePath,
    '--dir', dir,
    '--key', key,
    '--version', options.version,
    '--spec', JSON.stringify(spec),
    '--idle-ms', String(options.idleMs),
    '--log-level', options.logLevel,
    '--window-cache-megabytes', String(options.windowCacheMegabytes),
    ...(options.windowCacheDir ? ['--window-cache', options.windowCacheDir] : []),
  ];
  // VS Code runs this server on its own Node (Electron as Node): the engine runs on the same one.
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  child.unref();
}

/** The window's completion model on the shared engine. */
export async function loadSharedCompletionModel(spec: ModelSpec, options: LaunchOptions): Promise<SharedCompletionModel> {
  // A model file that cannot be used fails here, with the loader's message, before any engine starts.
  await options.validateModel(spec.modelPath);
  const { connection, hello, started } = await connectEngine(spec, options);
  options.log.info(`Shared engine: ${started ? 'started' : 'found'} pid ${hello.engine.pid}, ${hello.engine.windows} window(s) on it`);
  let released = false;
  // The engine went away (killed, crashed, ended): unless this window let go of it, the caller connects again.
  connection.onClose(() => {
    if (!released) options.onLost?.();
  });
  const tellFocus = (focused: boolean) => void connection.sendNotification(EngineFocusNotification, { focused }).catch(() => undefined);
  if (options.focus) tellFocus(options.focus.focused);
  const stopFocus = options.focus?.onChange(tellFocus);
  return sharedModel(
    connection,
    hello,
    async () => {
      released = true;
      stopFocus?.();
      connection.dispose();
    },
    options.windowLock,
  );
}
