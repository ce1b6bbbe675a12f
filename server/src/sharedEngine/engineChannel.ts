// The private channel between a user's windows and their shared engine (issue: one engine for every window). On Linux
// and macOS a Unix domain socket in a directory only the user can enter (0700, owned by the user, in the user's runtime
// directory), the socket itself 0600; on Windows a named pipe named for the user. Never a TCP port.
//
// Node cannot ask a Unix socket for its peer's credentials (SO_PEERCRED needs native code), so the engine checks the
// peer another way that only the same user (or root) passes: at start it writes a random secret into a 0600 file in the
// private directory, and a window must send that secret first; a connection that does not is closed.
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ModelSpec } from '../model/modelHost';

/** What makes two windows' engines the same one: the extension's version and the settings a model is loaded with. */
export type EngineIdentity = { version: string } & Pick<ModelSpec, 'modelPath' | 'draftModelPath' | 'threads' | 'adaptiveThreads' | 'gpu' | 'fimOrder' | 'speculation'>;

/** A short stable name for an identity: the engine's files are named by it. */
export function engineKey(identity: EngineIdentity): string {
  const fields = [identity.version, identity.modelPath, identity.draftModelPath, identity.threads, identity.adaptiveThreads, identity.gpu, identity.fimOrder, identity.speculation];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

/** The user's own folder for the engine's socket, secret and lock: under $XDG_RUNTIME_DIR when set, else the temp folder. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env, uid: number = userInfo().uid): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, 'hearth') : join(tmpdir(), `hearth-${uid < 0 ? userInfo().username : uid}`);
}

export class ChannelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelError';
  }
}

/**
 * Makes `dir` (0700) or checks the one there: a real directory (not a link), owned by this user, that no one else may
 * enter or list. Anything else is refused: another user could have made it to see or impersonate the engine.
 */
export function ensurePrivateDir(dir: string, uid: number = process.getuid?.() ?? -1): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const stats = lstatSync(dir);
  if (!stats.isDirectory() || stats.isSymbolicLink()) throw new ChannelError(`${dir} is not a directory: the shared engine's channel is not safe there`);
  if (uid >= 0 && stats.uid !== uid) throw new ChannelError(`${dir} belongs to another user (uid ${stats.uid}): the shared engine's channel is not safe there`);
  if ((stats.mode & 0o077) !== 0) throw new ChannelError(`${dir} is open to other users (mode ${(stats.mode & 0o777).toString(8)}): the shared engine's channel is not safe there`);
}

export interface EngineFiles {
  /** Where the engine listens: a socket file, or a named pipe on Windows. */
  socket: string;
  /** The secret a window sends first (0600). */
  secret: string;
  /** Held by the engine that owns this key (its pid inside): only one starts. */
  lock: string;
  /** The engine's log. */
  log: string;
  /** What the model cost on this machine when an engine for this key last measured it (reused by a restart). */
  calibration: string;
}

export function engineFiles(dir: string, key: string, platform: NodeJS.Platform = process.platform): EngineFiles {
  const base = join(dir, `engine-${key}`);
  const user = createHash('sha256').update(userInfo().username).digest('hex').slice(0, 8);
  return {
    socket: platform === 'win32' ? `\\\\.\\pipe\\hearth-${user}-${key}` : `${base}.sock`,
    secret: `${base}.secret`,
    lock: `${base}.lock`,
    log: `${base}.log`,
    calibration: `${base}.calibration.json`,
  };
}

/** Writes the secret of an engine starting now (0600; a new one unless given); returns it. */
export function writeSecret(path: string, secret = randomBytes(32).toString('hex')): string {
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

/** The running engine's secret, or undefined while there is none. */
export function readSecret(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an engine answers at `socket`: 'live' (it accepts a connection), 'stale' (a socket file no one listens on:
 * left by an engine that died), or 'absent'.
 */
export function probeSocket(socket: string, timeoutMs = 1000): Promise<'live' | 'stale' | 'absent'> {
  return new Promise((resolve) => {
    const probe = connect(socket);
    const timer = setTimeout(() => {
      probe.destroy();
      resolve('stale');
    }, timeoutMs);
    probe.once('connect', () => {
      clearTimeout(timer);
      probe.destroy();
      resolve('live');
    });
    probe.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ENOENT' ? 'absent' : 'stale');
    });
  });
}
