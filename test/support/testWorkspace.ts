// A temporary workspace folder for the context tests: files written into it, the real grammars, a workspace index
// over it and context builders reading it (each test's own dependencies where it needs others).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContextBuilder, workspaceContext, type ContextDependencies } from '../../server/src/context/contextBuilder';
import { RecentEdits } from '../../server/src/context/recentEdits';
import { WorkspaceIndex } from '../../server/src/context/workspaceIndex';
import { DocumentTrees } from '../../server/src/syntax/documentTrees';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { repoRoot } from './paths';

export class TestWorkspace {
  readonly root: string;
  readonly grammars = new GrammarRegistry(join(repoRoot, 'grammars'));
  readonly index = new WorkspaceIndex(this.grammars);

  constructor(prefix: string) {
    this.root = mkdtempSync(join(tmpdir(), prefix));
  }

  /** Writes a file (its folders made as needed), `path` relative to the root. */
  write(path: string, text: string): void {
    mkdirSync(join(this.root, path, '..'), { recursive: true });
    writeFileSync(join(this.root, path), text);
  }

  /** A context builder over this folder: no open documents, no recent edits, files read from disk, unless overridden. */
  builder(overrides: Partial<ContextDependencies> = {}): ContextBuilder {
    return workspaceContext({
      grammars: this.grammars,
      trees: new DocumentTrees(),
      index: this.index,
      roots: () => [this.root],
      openDocuments: () => [],
      recentEdits: new RecentEdits(),
      readText: (path) => readFile(path, 'utf8'),
      ...overrides,
    });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
