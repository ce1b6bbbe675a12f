// The workspace index kept between sessions: one JSON file (in VS Code's storage for the workspace, never in the
// workspace) holding each file's stamp and its definitions' positions. A missing, unreadable or other-version cache
// is no cache; a write goes through a temporary file, so a crash never leaves half a cache.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logger';
import type { FileStamp } from './sourceFiles';

/** The cache file's format; another version is not read. */
const cacheVersion = 1;

/** A definition as the index holds it, without its path (the file's key gives it). */
export interface CachedDefinition {
  name: string;
  kind: string;
  startLine: number;
  endLine: number;
}

export interface CachedFile {
  stamp: FileStamp;
  definitions: CachedDefinition[];
}

type StoredFile = FileStamp & { definitions: Array<[string, string, number, number]> };

/** The cached files for which `wanted(path)` holds; empty when there is no usable cache. */
export async function readIndexCache(file: string, wanted: (path: string) => boolean, log?: Logger): Promise<Map<string, CachedFile>> {
  const files = new Map<string, CachedFile>();
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as { version: number; files: Record<string, StoredFile> };
    if (cached.version !== cacheVersion) return files;
    for (const [path, { mtimeMs, size, definitions }] of Object.entries(cached.files)) {
      if (!wanted(path)) continue;
      files.set(path, { stamp: { mtimeMs, size }, definitions: definitions.map(([name, kind, startLine, endLine]) => ({ name, kind, startLine, endLine })) });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log?.warn(`The workspace index cache could not be read (${(error as Error).message}): indexing from scratch.`);
  }
  return files;
}

export async function writeIndexCache(file: string, entries: Iterable<[string, CachedFile]>, log?: Logger): Promise<void> {
  const files: Record<string, StoredFile> = {};
  for (const [path, { stamp, definitions }] of entries) files[path] = { ...stamp, definitions: definitions.map((d) => [d.name, d.kind, d.startLine, d.endLine]) };
  try {
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ version: cacheVersion, files }));
    await rename(temporary, file);
  } catch (error) {
    log?.warn(`The workspace index cache could not be written: ${(error as Error).message}`);
  }
}
