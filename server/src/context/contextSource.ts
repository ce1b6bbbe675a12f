// The one shape of a context source: given the request and the facts of the cursor's line, the snippets it offers,
// best first. The builder (contextBuilder.ts) splits the budget between the sources, keeps each line's result, and
// places the sources' snippets in the prompt, the most stable first.
import type { TokenBudget } from './tokenBudget';
import { toRelative, workspaceRootOf } from './sourceFiles';

export type ContextSource = 'definitions' | 'recentEdits' | 'similar';
/** The sources in the order their snippets are placed in the prompt: the most stable first. */
export const contextSources: readonly ContextSource[] = ['definitions', 'recentEdits', 'similar'];

export interface ContextSnippet {
  /** Workspace-relative path of the file the snippet comes from. */
  path: string;
  text: string;
  source: ContextSource;
}

export interface ContextRequest {
  uri: string;
  /** File system path of the document, or undefined for untitled documents. */
  path: string | undefined;
  languageId: string;
  text: string;
  offset: number;
}

export interface ContextOptions {
  budget: TokenBudget;
  /** performance.now() after which the request takes what has been found (the build goes on for the next request). */
  deadline: number;
  sources: Readonly<Record<ContextSource, boolean>>;
}

export interface OpenDocument {
  uri: string;
  path: string | undefined;
  text: string;
}

/** What decides a line's context besides the document: computed once per request. */
export interface LineFacts {
  /** Offset where the cursor's line starts. */
  start: number;
  /** The document's import lines, as length and hash. */
  headerKey: string;
  /** The receiver of a member access being typed on the line, if any. */
  receiver: string | undefined;
}

/** One request as the sources see it. */
export interface SourceQuery {
  request: ContextRequest;
  line: LineFacts;
  /** The lines just before the cursor, through the end of its line (what "in use" and "similar" are measured on). */
  nearby: string;
  /** The lines just after the cursor's line. */
  after: string;
}

export interface SnippetSource {
  readonly name: ContextSource;
  /** Share of the budget the source may take at most (of the enabled sources' shares together). */
  readonly share: number;
  /**
   * The source that takes what the others leave (instead of its share): the others are chosen first. One source at
   * most; it is the most stable one, the definitions.
   */
  readonly takesTheRest?: boolean;
  /** Its snippets, best first; a source stops early once `expired()`. */
  snippets(query: SourceQuery, expired: () => boolean): ContextSnippet[] | Promise<ContextSnippet[]>;
  /** A shorter form of a snippet too long for what is left of the budget (a definition's signature). */
  shorten?(snippet: ContextSnippet): ContextSnippet;
  /** Drops what the source keeps for a closed document. */
  forget?(uri: string): void;
}

/** The path as the prompt names it: relative to its workspace folder; an untitled document by its untitled name. */
export function promptPath(roots: readonly string[], path: string | undefined, uri: string): string {
  if (!path) return uri.replace(/^untitled:/, '');
  const root = workspaceRootOf(roots, path);
  return root ? toRelative(root, path) : path;
}
