// The workspace as context for the model: the index of the folders' definitions (built in the background, kept up to
// date from saves, watched files and files.exclude), the user's recent edits, and the context builder that draws on
// them for completions and for explain/refactor.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type Connection, FileChangeType, type InitializeParams, type TextDocuments } from 'vscode-languageserver/node';
import type { HearthInitializationOptions } from '../../../common/protocol';
import { describeError } from '../errors';
import type { Feature } from '../feature';
import type { Logger } from '../logger';
import type { ServerSettings } from '../serverSettings';
import type { DocumentTrees } from '../syntax/documentTrees';
import type { GrammarRegistry } from '../syntax/grammarRegistry';
import { workspaceContext, type ContextSnippet, type ContextSource, contextSources } from './contextBuilder';
import { RecentEdits } from './recentEdits';
import type { TokenBudget } from './tokenBudget';
import { WorkspaceIndex } from './workspaceIndex';

/** The context stage's own deadline, inside the completion pipeline's limit for advisory stages (advisoryDeadlineMs). */
const completionDeadlineMs = 25;
/** Explain/refactor wait seconds for the model anyway: their context may take longer to gather. */
const instructDeadlineMs = 200;
const excludeSection = 'files.exclude';

export interface ContextAt {
  uri: string;
  languageId: string;
  text: string;
  offset: number;
}

/** Code from other files for a spot in a document, and the document's workspace-relative path. */
export type ContextFor = (at: ContextAt, budget: TokenBudget) => Promise<{ filePath: string; snippets: ContextSnippet[] }>;

export interface WorkspaceContext extends Feature {
  /** For completions: every source, within the completion's short deadline. */
  forCompletion: ContextFor;
  /** For explain/refactor: definitions only, with a longer deadline. */
  forInstruct: ContextFor;
}

export interface WorkspaceContextParts {
  connection: Pick<Connection, 'onDidChangeWatchedFiles'>;
  documents: Pick<TextDocuments<TextDocument>, 'all' | 'onDidOpen' | 'onDidChangeContent' | 'onDidSave' | 'onDidClose'>;
  settings: Pick<ServerSettings, 'onChange' | 'section' | 'watchSection'>;
  grammars: GrammarRegistry;
  trees: DocumentTrees;
  log: Logger;
  /** HEARTH_DISABLE=context: no index is built and no code from other files is offered. */
  enabled: boolean;
}

const pathOf = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : undefined);

export function workspaceContextFeature({ connection, documents, settings, grammars, trees, log, enabled }: WorkspaceContextParts): WorkspaceContext {
  const index = new WorkspaceIndex(grammars, log);
  const recentEdits = new RecentEdits();
  const previousTexts = new Map<string, string>();
  let roots: string[] = [];
  const builder = workspaceContext({
    grammars,
    trees,
    index,
    roots: () => roots,
    openDocuments: () => documents.all().map((d) => ({ uri: d.uri, path: pathOf(d.uri), text: d.getText() })),
    recentEdits,
    readText: async (path) => documents.all().find((d) => pathOf(d.uri) === path)?.getText() ?? (await readFile(path, 'utf8').catch(() => undefined)),
  });
  const allSources = Object.fromEntries(contextSources.map((source) => [source, true])) as Record<ContextSource, boolean>;

  // The index is built in the background, in slices that let completion requests through.
  let excludeApplied: string | undefined;
  const buildIndex = async (): Promise<void> => {
    try {
      const exclude = await settings.section(excludeSection);
      excludeApplied = JSON.stringify(exclude);
      await index.build(roots, exclude);
    } catch (error) {
      log.error(`Indexing the workspace failed: ${describeError(error)}`);
    }
  };
  if (enabled) {
    settings.watchSection(excludeSection);
    // A files.exclude change applies without a restart: the index is built again (unchanged files are kept).
    settings.onChange(async () => {
      if (excludeApplied === undefined) return; // not built yet: the first build reads it
      if (JSON.stringify(await settings.section(excludeSection)) === excludeApplied) return;
      log.info('files.exclude changed: indexing the workspace again');
      void buildIndex();
    });
  }

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const change of changes) {
      const path = pathOf(change.uri);
      if (!path) continue;
      if (change.type === FileChangeType.Deleted) index.removeFile(path);
      else void index.updateFile(path);
    }
  });
  documents.onDidOpen(({ document }) => previousTexts.set(document.uri, document.getText()));
  documents.onDidChangeContent(({ document }) => {
    const before = previousTexts.get(document.uri);
    const after = document.getText();
    if (before !== undefined) recentEdits.record(document.uri, before, after);
    previousTexts.set(document.uri, after);
  });
  documents.onDidSave(({ document }) => {
    const path = pathOf(document.uri);
    if (path) void index.updateFile(path);
  });
  documents.onDidClose(({ document }) => {
    previousTexts.delete(document.uri);
    recentEdits.forget(document.uri);
    builder.forget(document.uri);
    trees.forget(document.uri);
  });

  const contextFor =
    (deadlineMs: number, sources: Record<ContextSource, boolean>): ContextFor =>
    async (at, budget) => {
      const path = pathOf(at.uri);
      const snippets = enabled ? await builder.build({ ...at, path }, { budget, deadline: performance.now() + deadlineMs, sources }) : [];
      return { filePath: builder.relativePath(path, at.uri), snippets };
    };

  return {
    initialize(params: InitializeParams): void {
      const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
      roots = folders.flatMap((uri) => pathOf(uri) ?? []);
      const options = (params.initializationOptions ?? {}) as HearthInitializationOptions;
      if (typeof options.indexCacheDir === 'string' && options.indexCacheDir !== '') index.keepIn(join(options.indexCacheDir, 'workspace-index.json'));
    },
    initialized(): void {
      if (enabled) void buildIndex();
    },
    shutdown: () => index.flush(),
    forCompletion: contextFor(completionDeadlineMs, allSources),
    forInstruct: contextFor(instructDeadlineMs, { definitions: true, similar: false, recentEdits: false }),
  };
}
