// Fetching a model file from a Hugging Face-style hub, the way `ollama pull` behaves: the hub's API states the
// file's size and LFS sha256 first; the free disk space is checked; the bytes go to a temporary name through
// node-llama-cpp's downloader (ipull: resumable, parallel connections), resumed after a cancel, a crash or a restart;
// the whole file is checked against the sha256 before it takes its real name, and a mismatch is deleted and refused;
// two pulls of one file (two windows) do one download; a disk that fills up half-way is said so, and what came is kept
// for the resume. Nothing is downloaded from anywhere but `hub`.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ProxySettings } from '../../../common/protocol';
import { processAlive, tryLockFile } from '../lockFile';
import { useProxy } from './httpProxy';

export const defaultHub = 'https://huggingface.co';

export type PullErrorKind = 'offline' | 'notFound' | 'diskFull' | 'checksum' | 'cancelled' | 'failed';

export class PullError extends Error {
  constructor(
    readonly kind: PullErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PullError';
  }
}

export interface PullProgress {
  downloadedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  secondsLeft: number;
  /** Waiting for another window's download of the same file. */
  waitingForOther?: boolean;
}

export interface PullRequest {
  /** `owner/name` on the hub. */
  repo: string;
  /** The file's path in the repository. */
  file: string;
  /** Where models are kept (VS Code's global storage for the extension). */
  dir: string;
  /** The hub (or a mirror, like HF_ENDPOINT). */
  hub?: string;
  signal?: AbortSignal;
  onProgress?: (progress: PullProgress) => void;
  /** Headers for every request (an access token). */
  headers?: Record<string, string>;
  /** The editor's proxy settings; absent: the environment's (HTTPS_PROXY, NO_PROXY). */
  proxy?: ProxySettings;
}

export interface PulledModel {
  path: string;
  sha256: string;
  bytes: number;
  /** Already there and verified: nothing was downloaded. */
  reused: boolean;
}

export interface RemoteFile {
  url: string;
  bytes: number;
  sha256: string;
}

/** Bytes kept free besides the file: a full disk breaks more than the download. */
const diskMargin = 256 * 1024 * 1024;
/** How often a pull waiting for another one's lock looks again (ms). */
const lockPollMs = 250;

/** The file's URL, size and sha256 from the hub's API (`/api/models/<repo>/tree/main`). */
export async function remoteFileInfo(hub: string, repo: string, file: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<RemoteFile> {
  const base = hub.replace(/\/+$/, '');
  const folder = file.includes('/') ? `/${file.slice(0, file.lastIndexOf('/'))}` : '';
  let response: Response;
  try {
    response = await fetch(`${base}/api/models/${repo}/tree/main${folder}`, { headers, signal });
  } catch (error) {
    if (signal?.aborted) throw new PullError('cancelled', 'The download was cancelled.');
    throw new PullError('offline', `No connection to ${base} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}). Check the network, or set hearth.modelHub to a mirror.`);
  }
  if (response.status === 404 || response.status === 401) throw new PullError('notFound', `${repo} is not on ${base} (HTTP ${response.status}).`);
  if (!response.ok) throw new PullError('failed', `${base} answered HTTP ${response.status} for ${repo}.`);
  const entries = (await response.json()) as Array<{ path?: string; size?: number; lfs?: { oid?: string; size?: number } }>;
  const entry = Array.isArray(entries) ? entries.find((e) => e.path === file) : undefined;
  if (!entry) throw new PullError('notFound', `${repo} has no file ${file}.`);
  const sha256 = entry.lfs?.oid;
  const bytes = entry.lfs?.size ?? entry.size;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || typeof bytes !== 'number') {
    throw new PullError('failed', `${base} states no sha256 for ${file}: Hearth downloads only files it can verify.`);
  }
  return { url: `${base}/${repo}/resolve/main/${file.split('/').map(encodeURIComponent).join('/')}`, bytes, sha256 };
}

export async function sha256Of(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where a pulled file lives: the repository's folder under `dir`, so that files of the same name do not meet. */
export function pulledPath(dir: string, repo: string, file: string): string {
  return join(dir, repo.replace(/[^\w.-]+/g, '--'), basename(file));
}

export async function pullModel(request: PullRequest): Promise<PulledModel> {
  const hub = request.hub ?? defaultHub;
  try {
    useProxy(request.proxy);
  } catch (error) {
    throw new PullError('failed', (error as Error).message);
  }
  const headers = request.headers ?? {};
  const remote = await remoteFileInfo(hub, request.repo, request.file, headers, request.signal);
  const path = pulledPath(request.dir, request.repo, request.file);
  await mkdir(join(path, '..'), { recursive: true });
  const verified = `${path}.sha256`;
  if (await alreadyThere(path, verified, remote)) return { path, sha256: remote.sha256, bytes: remote.bytes, reused: true };

  const release = await lock(`${path}.lock`, request);
  try {
    // Another window may have finished it while this one waited for the lock.
    if (await alreadyThere(path, verified, remote)) return { path, sha256: remote.sha256, bytes: remote.bytes, reused: true };
    const temporary = `${path}.download`;
    await checkDiskSpace(join(path, '..'), remote.bytes - (await partialBytes(temporary)));
    await download(remote, temporary, headers, request);
    const actual = await sha256Of(temporary, request.signal);
    if (actual !== remote.sha256) {
      await rm(temporary, { force: true });
      await rm(`${temporary}.ipull`, { force: true });
      throw new PullError('checksum', `${basename(request.file)} does not match the sha256 the hub states (${remote.sha256.slice(0, 12)}…, got ${actual.slice(0, 12)}…): it was deleted and not used.`);
    }
    await rename(temporary, path);
    await writeFile(verified, `${remote.sha256}  ${remote.bytes}\n`);
    return { path, sha256: remote.sha256, bytes: remote.bytes, reused: false };
  } finally {
    await release();
  }
}

/** The file is there with the stated size and was verified against this sha256 (the marker written after the check). */
async function alreadyThere(path: string, marker: string, remote: RemoteFile): Promise<boolean> {
  try {
    const [info, written] = await Promise.all([stat(path), readFile(marker, 'utf8')]);
    return info.size === remote.bytes && written.startsWith(remote.sha256);
  } catch {
    return false;
  }
}

async function partialBytes(temporary: string): Promise<number> {
  for (const candidate of [`${temporary}.ipull`, temporary]) {
    try {
      return (await stat(candidate)).size;
    } catch {
      // not there
    }
  }
  return 0;
}

async function checkDiskSpace(dir: string, needed: number): Promise<void> {
  const info = await statfs(dir);
  const free = info.bavail * info.bsize;
  if (free < needed + diskMargin) {
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
    throw new PullError('diskFull', `Not enough free disk space for the model: ${gib(needed)} needed (and ${gib(diskMargin)} to spare), ${gib(free)} free in ${dir}.`);
  }
}

async function download(remote: RemoteFile, temporary: string, headers: Record<string, string>, request: PullRequest): Promise<void> {
  const { createModelDownloader } = await import('node-llama-cpp');
  const started = performance.now();
  let downloader: Awaited<ReturnType<typeof createModelDownloader>>;
  try {
    downloader = await createModelDownloader({
      modelUri: remote.url,
      dirPath: join(temporary, '..'),
      fileName: basename(temporary),
      headers,
      skipExisting: false,
      deleteTempFileOnCancel: false, // what came stays, so the next pull resumes
      onProgress: ({ downloadedSize, totalSize, averageSpeed, estimatedTimeLeft }) =>
        request.onProgress?.({ downloadedBytes: downloadedSize, totalBytes: totalSize || remote.bytes, bytesPerSecond: averageSpeed, secondsLeft: estimatedTimeLeft / 1000 }),
    });
  } catch (error) {
    throw new PullError('offline', `Could not start downloading ${remote.url}: ${(error as Error).message}`);
  }
  const detached = catchDetachedWriteErrors();
  try {
    await downloader.download({ signal: request.signal });
  } catch (error) {
    if (request.signal?.aborted) throw new PullError('cancelled', 'The download was cancelled; what came is kept, and the next pull resumes it.');
    const code = (error as NodeJS.ErrnoException).code ?? detached.first()?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      const dir = join(temporary, '..');
      const free = await statfs(dir).then((info) => info.bavail * info.bsize, () => 0);
      const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
      throw new PullError(
        'diskFull',
        `The disk filled up while downloading ${basename(remote.url)} (${mib(free)} free in ${dir}). What came (${mib(await partialBytes(temporary))}) is kept: free some space and pull again to resume, or delete ${temporary}.`,
      );
    }
    throw new PullError('failed', `The download of ${basename(remote.url)} stopped: ${(error as Error).message}. Pull again to resume it.`);
  } finally {
    detached.dispose();
  }
  if (request.signal?.aborted) throw new PullError('cancelled', 'The download was cancelled; what came is kept, and the next pull resumes it.');
  if (!existsSync(temporary)) throw new PullError('failed', `The download of ${basename(remote.url)} ended without a file (${Math.round(performance.now() - started)} ms).`);
}

/**
 * ipull's write stream rejects a failed write (a full disk) where nothing awaits it, as well as failing the download:
 * while a download runs, such file-system errors are kept as its cause instead of ending the process (the headless
 * command has no other handler). Other unhandled rejections are left to the process's own handlers, or rethrown
 * where it has none.
 */
function catchDetachedWriteErrors(): { first(): NodeJS.ErrnoException | undefined; dispose(): void } {
  let first: NodeJS.ErrnoException | undefined;
  const handler = (reason: unknown): void => {
    const error = reason as NodeJS.ErrnoException | undefined;
    if (error && typeof error.code === 'string' && typeof error.syscall === 'string') {
      first ??= error;
      return;
    }
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  };
  process.on('unhandledRejection', handler);
  return { first: () => first, dispose: () => void process.off('unhandledRejection', handler) };
}

/**
 * An exclusive lock file (server/src/lockFile.ts: it appears with its holder's pid in it). A pull that finds it waits
 * for the other to finish; a lock whose process is gone (a crash) is taken over.
 */
async function lock(path: string, request: PullRequest): Promise<() => Promise<void>> {
  // Two pulls in this process wait for each other too: a lock naming this process is held.
  while (!(await tryLockFile(path, (pid) => pid === process.pid || processAlive(pid)))) {
    request.onProgress?.({ downloadedBytes: 0, totalBytes: 0, bytesPerSecond: 0, secondsLeft: Number.NaN, waitingForOther: true });
    if (request.signal?.aborted) throw new PullError('cancelled', 'The download was cancelled.');
    await new Promise((resolve) => setTimeout(resolve, lockPollMs));
  }
  return () => rm(path, { force: true });
}
