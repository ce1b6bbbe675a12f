// A lock file shared by processes (a model download, the shared engine): it appears with its holder's pid already in
// it — written to a file of the taker's own, then hard-linked under the lock's name, which fails if it exists — so no
// one reads a lock still empty and takes it for a dead process's. A lock whose holder is gone is taken over.
import { readFileSync } from 'node:fs';
import { link, readFile, rm, writeFile } from 'node:fs/promises';

/** Whether a process with this pid is alive (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in the lock file at `path`, or undefined where there is no lock or it names no process. */
export function lockHolder(path: string): number | undefined {
  try {
    return parseHolder(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Takes the lock at `path` for this process; false where its holder still holds it (`holds(pid)` says so). A lock
 * naming no process, or one whose holder `holds` declines, is removed and taken.
 */
export async function tryLockFile(path: string, holds: (pid: number) => boolean): Promise<boolean> {
  const mine = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(mine, String(process.pid), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(mine, path);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = parseHolder(await readFile(path, 'utf8').catch(() => ''));
      if (holder !== undefined && holds(holder)) return false;
      await rm(path, { force: true }); // left by a process that is gone
    }
    return false;
  } finally {
    await rm(mine, { force: true });
  }
}
