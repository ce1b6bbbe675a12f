// Evaluated windows kept on disk, so that a file worked on before gets its window back without evaluating it again —
// after reopening it, or after the server restarted. Each entry is llama.cpp's state of one sequence (node-llama-cpp's
// saveStateToFile) beside a small JSON record: which model and runtime wrote it, the tokens it holds, the state file's
// size and SHA-256. An entry is loaded only when its record names this model and runtime and the state file hashes to
// what the record says: llama.cpp may crash on a state written by another model, and would load a damaged one. The
// folder is capped in size, least recently used entries going first.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../logger';
import { commonPrefixLength } from '../model/promptPlanner';

/** Bumped when the record's layout changes: older records are then left alone and aged out. */
const recordFormat = 1;
/** The model file's bytes hashed into its identity (its header: architecture, tokenizer, tensor layout). */
const identityBytes = 1 << 20;

export interface WindowRecord {
  format: number;
  /** Model file identity (modelIdentity) and the runtime (node-llama-cpp and llama.cpp versions) that wrote the state. */
  model: string;
  runtime: string;
  tokens: number[];
  stateBytes: number;
  stateSha256: string;
  /** Last saved or restored (ms since the epoch): the least recent goes first when the folder is over its cap. */
  usedAt: number;
}

export interface StoredWindow {
  key: string;
  statePath: string;
  tokens: readonly number[];
  /** How many of the wanted tokens the stored window holds (its common prefix with them). */
  common: number;
}

/**
 * A model file's identity for the store: its name, size, modification time and the hash of its first megabyte. A
 * file replaced in place (another quantization, a newer upload) gets another identity.
 */
export async function modelIdentity(modelPath: string): Promise<string> {
  const info = await stat(modelPath);
  const handle = await open(modelPath, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(identityBytes, info.size));
    await handle.read(buffer, 0, buffer.length, 0);
    const hash = createHash('sha256').update(buffer).digest('hex').slice(0, 16);
    return `${basename(modelPath)}:${info.size}:${Math.round(info.mtimeMs)}:${hash}`;
  } finally {
    await handle.close();
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function keyOf(model: string, runtime: string, tokens: readonly number[]): string {
  return createHash('sha256').update(`${model}\n${runtime}\n${tokens.join(',')}`).digest('hex').slice(0, 32);
}


export class WindowStore {
  /** Records read from the folder, by key (read once, then kept up to date by this store). */
  private records: Map<string, WindowRecord> | undefined;
  /** Checksums compared in this process, by key: what is wrong with the state, or undefined when it matches. */
  private readonly checks = new Map<string, Promise<string | undefined>>();

  constructor(
    readonly dir: string,
    /** The folder's cap in bytes (read at each save: the setting may change); 0 keeps nothing. */
    private readonly maxBytes: () => number,
    private readonly log: Logger,
  ) {}

  private statePath(key: string): string {
    return join(this.dir, `${key}.state`);
  }

  private recordPath(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** Every well-formed record in the folder; a record that cannot be read is reported and removed with its state. */
  private async load(): Promise<Map<string, WindowRecord>> {
    if (this.records) return this.records;
    const records = new Map<string, WindowRecord>();
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      // No folder yet: nothing kept.
    }
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const key = name.slice(0, -'.json'.length);
      try {
        const record = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as WindowRecord;
        if (record.format !== recordFormat || !Array.isArray(record.tokens) || typeof record.stateSha256 !== 'string') throw new Error('not a window record of this version');
        records.set(key, record);
      } catch (error) {
        this.log.warn(`Window cache: ${name} is damaged (${(error as Error).message}); removed, nothing loaded from it`);
        await this.remove(key);
      }
    }
    this.records = records;
    return records;
  }

  private async remove(key: string): Promise<void> {
    this.records?.delete(key);
    this.checks.delete(key);
    await rm(this.statePath(key), { force: true });
    await rm(this.recordPath(key), { force: true });
  }

  /**
   * The stored window of this model and runtime that shares the longest prefix with `tokens`, when that prefix is at
   * least `minTokens` long; undefined otherwise. Not yet checked against its hash: see `verified`.
   */
  async longestPrefix(model: string, runtime: string, tokens: readonly number[], minTokens: number): Promise<StoredWindow | undefined> {
    let best: StoredWindow | undefined;
    let bestUsedAt = 0;
    for (const [key, record] of await this.load()) {
      if (record.model !== model || record.runtime !== runtime) continue;
      const common = commonPrefixLength(record.tokens, tokens);
      if (common < minTokens) continue;
      // Of windows sharing as much, the latest: kept from the same anchor as the user typed on, it holds the most of
      // what was typed (the lines after the prefix shared here, which the caller may then take as the middle).
      if (best && (common < best.common || (common === best.common && record.usedAt <= bestUsedAt))) continue;
      best = { key, statePath: this.statePath(key), tokens: record.tokens, common };
      bestUsedAt = record.usedAt;
    }
    return best;
  }

  /**
   * Whether the entry's state file is the one its record describes (size and SHA-256); a damaged entry is reported in
   * the log and removed. A verified entry counts as used now.
   */
  async verified(window: StoredWindow): Promise<boolean> {
    const record = (await this.load()).get(window.key);
    if (!record) return false;
    let problem: string | undefined;
    try {
      // The size at every use; the checksum once per process (checked ahead, or at first use).
      const size = (await stat(window.statePath)).size;
      problem = size !== record.stateBytes ? `its state is ${size} bytes where ${record.stateBytes} were written` : await this.checksum(window.key, record);
    } catch (error) {
      problem = `its state cannot be read (${(error as Error).message})`;
    }
    if (problem) {
      await this.refuse(window.key, problem);
      return false;
    }
    record.usedAt = Date.now();
    await this.writeRecord(window.key, record);
    return true;
  }

  /** Whether the state's bytes match its record's checksum (undefined) or what is wrong: hashed once per process. */
  private checksum(key: string, record: WindowRecord): Promise<string | undefined> {
    let check = this.checks.get(key);
    if (!check) {
      check = sha256File(this.statePath(key)).then(
        (sha) => (sha === record.stateSha256 ? undefined : 'its state does not match its checksum'),
        (error: Error) => `its state cannot be read (${error.message})`,
      );
      this.checks.set(key, check);
    }
    return check;
  }

  /**
   * Checks the `count` most recently used windows of this model and runtime ahead of their use, in the background (an
   * editor reopened after a restart opens the files it had open): their first request then loads without hashing tens
   * of MB first. A damaged one is reported and removed now.
   */
  async checkAhead(model: string, runtime: string, count: number): Promise<void> {
    const recent = [...(await this.load())]
      .filter(([, record]) => record.model === model && record.runtime === runtime)
      .sort((a, b) => b[1].usedAt - a[1].usedAt)
      .slice(0, count);
    for (const [key, record] of recent) {
      const problem = await this.checksum(key, record);
      if (problem) await this.refuse(key, problem);
    }
  }

  /** A damaged entry: reported in the log and removed. */
  private async refuse(key: string, problem: string): Promise<void> {
    this.log.warn(`Window cache: ${key} is damaged: ${problem}; removed, nothing loaded from it`);
    await this.remove(key);
  }

  /**
   * Keeps a window: `write` writes the sequence's state to the path it is given (a temporary name, renamed once
   * complete, so a crash mid-write leaves no entry); then the folder is brought under its cap.
   */
  async save(model: string, runtime: string, tokens: readonly number[], write: (statePath: string) => Promise<void>): Promise<void> {
    if (this.maxBytes() <= 0 || tokens.length === 0) return;
    const records = await this.load();
    const key = keyOf(model, runtime, tokens);
    const existing = records.get(key);
    if (existing) {
      existing.usedAt = Date.now();
      await this.writeRecord(key, existing);
      return;
    }
    await mkdir(this.dir, { recursive: true });
    const partial = `${this.statePath(key)}.partial`;
    try {
      await write(partial);
      const stateBytes = (await stat(partial)).size;
      const record: WindowRecord = { format: recordFormat, model, runtime, tokens: [...tokens], stateBytes, stateSha256: await sha256File(partial), usedAt: Date.now() };
      await rename(partial, this.statePath(key));
      this.checks.set(key, Promise.resolve(undefined)); // hashed as written
      await this.writeRecord(key, record);
      records.set(key, record);
    } finally {
      await rm(partial, { force: true });
    }
    await this.evict();
  }

  private async writeRecord(key: string, record: WindowRecord): Promise<void> {
    const partial = `${this.recordPath(key)}.partial`;
    await writeFile(partial, JSON.stringify(record));
    await rename(partial, this.recordPath(key));
  }

  /** Removes the least recently used entries until the folder's states fit the cap. */
  private async evict(): Promise<void> {
    const records = await this.load();
    const cap = this.maxBytes();
    let total = [...records.values()].reduce((sum, record) => sum + record.stateBytes, 0);
    const oldestFirst = [...records.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [key, record] of oldestFirst) {
      if (total <= cap) break;
      total -= record.stateBytes;
      await this.remove(key);
      this.log.debug(`Window cache: ${key} removed (least recently used; the cache is capped at ${Math.round(cap / 2 ** 20)} MiB)`);
    }
  }

  /** Removes every kept window (and what a crash left half-written); returns the bytes the states took. */
  async clear(): Promise<number> {
    const removed = await this.size();
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    for (const name of names.filter((n) => /^[0-9a-f]{32}\.(?:state|json)(?:\.partial)?$/.test(n))) await rm(join(this.dir, name), { force: true });
    this.records = new Map();
    this.checks.clear();
    return removed;
  }

  /** Bytes the kept states take. */
  async size(): Promise<number> {
    return [...(await this.load()).values()].reduce((sum, record) => sum + record.stateBytes, 0);
  }
}
