// The workspace index: every definition in the workspace's source files, by name, for cross-file context. Built in
// the background in short slices (a completion request never waits behind it), kept current from file events, and
// bounded: binaries, minified and oversized files are skipped, ignored paths are never walked, and only positions are
// held (the snippet is read from the file when a completion needs it). With a cache file (in VS Code's storage for the
// workspace, never in the workspace) it outlives the session: a restart has the last session's definitions at once,
// and the walk re-reads only files whose modification time or size changed.
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger';
import { GrammarRegistry } from '../syntax/grammarRegistry';
import { grammarForPath } from '../../../common/languages';
import { extractDefinitions } from '../syntax/outline';
import { IgnoreRules } from './ignoreRules';
import { readIndexCache, writeIndexCache } from './indexCache';
import { type FileStamp, packageName, readSourceFile, type SkipReason, toRelative, workspaceRootOf } from './sourceFiles';

export { classifyFile, type SkipReason, toRelative, workspaceRootOf } from './sourceFiles';

export interface IndexedDefinition {
  name: string;
  kind: string;
  path: string;
  startLine: number;
  endLine: number;
}

export interface IndexLimits {
  maxFileBytes: number;
  maxFiles: number;
  maxDefinitions: number;
  /** Work done between two yields to the event loop. */
  sliceMs: number;
}

export const defaultIndexLimits: IndexLimits = { maxFileBytes: 512 * 1024, maxFiles: 200_000, maxDefinitions: 2_000_000, sliceMs: 8 };

export interface IndexStats {
  files: number;
  /** Files whose definitions came from the last session's cache, unchanged on disk. */
  unchanged: number;
  definitions: number;
  skipped: Record<SkipReason | 'ignored' | 'limit', number>;
  ms: number;
}

export class WorkspaceIndex {
  private readonly byName = new Map<string, IndexedDefinition[]>();
  private readonly byFile = new Map<string, IndexedDefinition[]>();
  /** The indexed files of each folder (a Go package is its folder's files). */
  private readonly byDirectory = new Map<string, Set<string>>();
  /** The workspace's own npm packages and Go modules: name or module path → folder (they import each other by it). */
  private packages = new Map<string, string>();
  private definitionCount = 0;
  private rules = new IgnoreRules();
  private roots: string[] = [];
  private generation = 0;
  /** Each indexed file's modification time and size when it was read. */
  private readonly stamps = new Map<string, FileStamp>();
  private cacheLoaded = false;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly grammars: GrammarRegistry,
    private readonly log?: Logger,
    private readonly limits: IndexLimits = defaultIndexLimits,
  ) {}

  /** Where the index is kept between sessions (set before the first build); none: it is not. */
  private cacheFile: string | undefined;

  keepIn(cacheFile: string | undefined): void {
    this.cacheFile = cacheFile;
  }

  get fileCount(): number {
    return this.byFile.size;
  }

  /** Definitions named `name`, anywhere in the workspace. */
  lookup(name: string): readonly IndexedDefinition[] {
    return this.byName.get(name) ?? [];
  }

  definitionsIn(path: string): readonly IndexedDefinition[] {
    return this.byFile.get(path) ?? [];
  }

  has(path: string): boolean {
    return this.byFile.has(path);
  }

  /** The folder of the workspace's npm package named `name`, or of its Go module with that module path. */
  packageFolder(name: string): string | undefined {
    return this.packages.get(name);
  }

  /** The indexed files directly in `directory`, sorted. */
  filesIn(directory: string): string[] {
    return [...(this.byDirectory.get(directory) ?? [])].sort();
  }

  /**
   * Indexes the folders, replacing what was there: files unchanged since they were read (this session, or the last
   * one through the cache file) are kept, changed ones read again, ignored and vanished ones forgotten. A later call
   * supersedes a running one. Also the way a files.exclude change is applied.
   */
  async build(roots: string[], filesExclude: Record<string, unknown>): Promise<IndexStats> {
    const generation = ++this.generation;
    const started = performance.now();
    if (!this.cacheLoaded) await this.loadCache(roots);
    this.roots = roots;
    this.rules = new IgnoreRules();
    this.rules.addFilesExclude(filesExclude);
    const seen = new Set<string>();
    const packages = new Map<string, string>();
    const stats: IndexStats = { files: 0, unchanged: 0, definitions: 0, skipped: { binary: 0, minified: 0, oversized: 0, ignored: 0, limit: 0 }, ms: 0 };
    let sliceStart = performance.now();
    const pause = async () => {
      if (performance.now() - sliceStart < this.limits.sliceMs) return;
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    };
    for (const root of roots) {
      const pending: string[] = [root];
      while (pending.length > 0) {
        if (generation !== this.generation) return stats; // superseded
        const dir = pending.pop()!;
        const relativeDir = toRelative(root, dir);
        let entries: Dirent[];
        try {
          // By name: the same index, and the same order of definitions, on every filesystem (readdir's is the disk's).
          entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        } catch {
          continue;
        }
        const gitignore = entries.find((e) => e.name === '.gitignore' && e.isFile());
        // A package of a monorepo, a Go module: imports by its name (`@scope/core`, `example.com/tool/…`) are imports
        // of this folder's files.
        for (const manifest of ['package.json', 'go.mod']) {
          if (!entries.some((e) => e.name === manifest && e.isFile())) continue;
          const name = await packageName(join(dir, manifest));
          if (name) packages.set(name, dir);
        }
        if (gitignore) this.rules.addGitignore(relativeDir, await readFile(join(dir, '.gitignore'), 'utf8').catch(() => ''));
        for (const entry of entries) {
          const path = join(dir, entry.name);
          const relativePath = toRelative(root, path);
          if (entry.isDirectory()) {
            if (entry.name === '.git' || this.rules.ignores(relativePath, true)) stats.skipped.ignored++;
            else pending.push(path);
          } else if (entry.isFile() && grammarForPath(entry.name)) {
            if (this.rules.ignores(relativePath, false)) {
              stats.skipped.ignored++;
              continue;
            }
            if (!this.byFile.has(path) && (this.byFile.size >= this.limits.maxFiles || this.definitionCount >= this.limits.maxDefinitions)) {
              stats.skipped.limit++;
              continue;
            }
            seen.add(path);
            const outcome = await this.indexFile(path, true);
            if (outcome === 'unchanged') {
              stats.unchanged++;
              stats.files++;
            } else if (typeof outcome === 'string') stats.skipped[outcome]++;
            else stats.files++;
            await pause();
          }
        }
      }
    }
    this.packages = packages;
    // What the walk did not reach is gone, ignored now, or beyond the limits.
    for (const path of [...this.byFile.keys()]) if (!seen.has(path)) this.forget(path);
    stats.definitions = this.definitionCount;
    stats.ms = performance.now() - started;
    this.log?.info(
      `Indexed ${stats.files} files (${stats.unchanged} unchanged since they were last read), ${stats.definitions} definitions in ${Math.round(stats.ms)} ms ` +
        `(skipped: ${Object.entries(stats.skipped).map(([k, v]) => `${v} ${k}`).join(', ')})`,
    );
    await this.saveCache();
    return stats;
  }

  /** A file was created or changed on disk (or saved): index it again, unless ignored. */
  async updateFile(path: string): Promise<void> {
    const root = workspaceRootOf(this.roots, path);
    if (!root || !grammarForPath(path) || this.rules.ignores(toRelative(root, path), false)) return;
    await this.indexFile(path);
    this.scheduleSave();
  }

  removeFile(path: string): void {
    this.forget(path);
    this.scheduleSave();
  }

  /** Writes the cache now (the server's shutdown); pending writes are folded into this one. */
  async flush(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.saveCache();
  }

  private scheduleSave(): void {
    if (!this.cacheFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.saveCache();
    }, 5000);
    this.saveTimer.unref();
  }

  /** The last session's index, for the files under `roots`; a missing or unreadable cache is no cache. */
  private async loadCache(roots: readonly string[]): Promise<void> {
    this.cacheLoaded = true;
    if (!this.cacheFile) return;
    const cached = await readIndexCache(this.cacheFile, (path) => workspaceRootOf(roots, path) !== undefined, this.log);
    for (const [path, { stamp, definitions }] of cached) {
      this.store(path, definitions.map((d) => ({ ...d, path })));
      this.stamps.set(path, stamp);
    }
    if (cached.size > 0) this.log?.info(`The workspace index of the last session: ${this.byFile.size} files, ${this.definitionCount} definitions (checked against the disk next)`);
  }

  private async saveCache(): Promise<void> {
    if (!this.cacheFile) return;
    const entries = [...this.byFile].flatMap(([path, definitions]) => {
      const stamp = this.stamps.get(path);
      return stamp ? [[path, { stamp, definitions }] as [string, { stamp: FileStamp; definitions: IndexedDefinition[] }]] : [];
    });
    await writeIndexCache(this.cacheFile, entries, this.log);
  }

  /** Parses one file and replaces its definitions; returns why it was skipped, or the number of definitions. */
  private async indexFile(path: string, keepUnchanged = false): Promise<SkipReason | 'unchanged' | number> {
    const grammarName = grammarForPath(path);
    const grammar = grammarName && (await this.grammars.get(grammarName));
    if (!grammar) return 0;
    const known = keepUnchanged && this.byFile.has(path) ? this.stamps.get(path) : undefined;
    const read = await readSourceFile(path, this.limits.maxFileBytes, known);
    if (read === 'unchanged') return read;
    if (read === undefined || typeof read === 'string') {
      this.forget(path);
      return read ?? 0;
    }
    const { text, stamp } = read;
    const tree = GrammarRegistry.parse(grammar, text);
    try {
      const definitions = extractDefinitions(tree, grammar).map(({ name, kind, startLine, endLine }) => ({ name, kind, path, startLine, endLine }));
      this.store(path, definitions);
      this.stamps.set(path, stamp);
      return definitions.length;
    } finally {
      tree.delete();
    }
  }

  private store(path: string, definitions: IndexedDefinition[]): void {
    this.forget(path);
    this.byFile.set(path, definitions);
    const directory = dirname(path);
    this.byDirectory.set(directory, (this.byDirectory.get(directory) ?? new Set()).add(path));
    for (const definition of definitions) {
      let list = this.byName.get(definition.name);
      if (!list) this.byName.set(definition.name, (list = []));
      list.push(definition);
    }
    this.definitionCount += definitions.length;
  }

  private forget(path: string): void {
    this.stamps.delete(path);
    const old = this.byFile.get(path);
    if (!old) return;
    this.byFile.delete(path);
    const siblings = this.byDirectory.get(dirname(path));
    siblings?.delete(path);
    if (siblings?.size === 0) this.byDirectory.delete(dirname(path));
    this.definitionCount -= old.length;
    for (const definition of old) {
      const list = this.byName.get(definition.name);
      if (!list) continue;
      const kept = list.filter((d) => d.path !== path);
      if (kept.length === 0) this.byName.delete(definition.name);
      else this.byName.set(definition.name, kept);
    }
  }
}
