// The workspace's source files as the index reads them: which are worth indexing (not binary, minified or oversized),
// their paths relative to the workspace folder, and the package names that other folders import them by.
import { open, readFile, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';

export type SkipReason = 'binary' | 'minified' | 'oversized';

/** A file's modification time and size when it was read: unchanged ones need not be read again. */
export interface FileStamp {
  mtimeMs: number;
  size: number;
}

/** Why a file is not worth indexing, from its size and first bytes; undefined when it is. */
export function classifyFile(size: number, head: Buffer, maxBytes: number): SkipReason | undefined {
  if (size > maxBytes) return 'oversized';
  if (head.includes(0)) return 'binary';
  const text = head.toString('utf8');
  const lines = text.split('\n');
  const longest = Math.max(...lines.map((line) => line.length));
  // Minified or generated: a very long line, or long lines on average.
  if (longest > 2_000 || (lines.length > 1 && text.length / lines.length > 300)) return 'minified';
  return undefined;
}

/**
 * A source file's text and stamp; or why it is skipped; 'unchanged' where its stamp equals `known` (it is not read);
 * undefined when it cannot be read.
 */
export async function readSourceFile(path: string, maxBytes: number, known?: FileStamp): Promise<{ text: string; stamp: FileStamp } | SkipReason | 'unchanged' | undefined> {
  try {
    const info = await stat(path);
    const stamp = { mtimeMs: info.mtimeMs, size: info.size };
    if (known && known.mtimeMs === stamp.mtimeMs && known.size === stamp.size) return 'unchanged';
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(Math.min(info.size, 8192));
      await handle.read(head, 0, head.length, 0);
      const skip = classifyFile(info.size, head, maxBytes);
      if (skip) return skip;
      return { text: info.size <= head.length ? head.toString('utf8') : await readFile(path, 'utf8'), stamp };
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/** `path` relative to `root`, with forward slashes. */
export function toRelative(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** The workspace folder that contains `path`, if any. */
export function workspaceRootOf(roots: readonly string[], path: string): string | undefined {
  return roots.find((root) => path.startsWith(root + sep) || path.startsWith(`${root}/`));
}

/** The `name` of a package.json, the module path of a go.mod; undefined when it has none or cannot be read. */
export async function packageName(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    if (path.endsWith('go.mod')) return /^module\s+"?([^\s"]+)"?/m.exec(text)?.[1];
    const name: unknown = JSON.parse(text).name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}
