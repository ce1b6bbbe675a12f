// The context stage of the completion pipeline: code from elsewhere that the model should see, from its sources
// (definitions of the symbols the file imports or uses, regions the user edited lately, similar snippets of other open
// files: one module each, one shape, contextSource.ts). The builder splits the budget between them, keeps the whole
// within a deadline (a request never waits past it: what is late is finished in the background for the next request
// on the line), and reuses the result while the cursor stays on its line, so the prompt's stable part — and its KV
// cache — does not move with each keystroke. Definitions (the most stable) come first, similar snippets and recent
// edits (the most volatile) last.
import type { DocumentTrees } from '../syntax/documentTrees';
import type { GrammarRegistry } from '../syntax/grammarRegistry';
import type { ContextOptions, ContextRequest, ContextSnippet, LineFacts, OpenDocument, SnippetSource, SourceQuery } from './contextSource';
import { contextSources, promptPath } from './contextSource';
import { hash, importHeader, lastLinesStart, nextLinesEnd, receiverBefore, untilDeadline } from './contextText';
import { DefinitionsSource } from './definitionsSource';
import type { RecentEdits } from './recentEdits';
import { recentEditsSource } from './recentEditsSource';
import { similarSource } from './similarSource';
import { snippetTokens } from './tokenBudget';
import type { WorkspaceIndex } from './workspaceIndex';

export type { ContextOptions, ContextRequest, ContextSnippet, ContextSource, OpenDocument } from './contextSource';
export { contextSources } from './contextSource';

export interface ContextDependencies {
  grammars: GrammarRegistry;
  /** Parse trees of open documents, shared with the syntax stage. */
  trees: DocumentTrees;
  index: WorkspaceIndex;
  roots(): readonly string[];
  openDocuments(): readonly OpenDocument[];
  recentEdits: RecentEdits;
  /** A file's text: the open document's when it is open, else from disk; undefined when unreadable. */
  readText(path: string): Promise<string | undefined>;
}

/** Documents whose last context is kept. */
const cachedDocuments = 16;
/** Lines of the code just before the cursor that decide which symbols are "in use" and what "similar" means. */
const nearbyLines = 30;
/** Lines after the cursor whose identifiers also count as used (the model sees them in the suffix). */
const linesAfter = 10;
/**
 * How long a build that missed its request's deadline goes on in the background, so that the next request on the
 * line (which reuses it) has the whole context: on a cold or busy machine the first request's 25 ms may not be
 * enough to read one file.
 */
const backgroundLimitMs = 1000;

/** One document's context for one cursor line: complete, or still being built (and then filled as it goes). */
interface ContextEntry {
  key: string;
  snippets: ContextSnippet[];
  /** Resolves when the build has ended, complete or cut at its limit. */
  done: Promise<void>;
  complete: boolean;
}

/** The context of a workspace: its definitions, recent edits and similar snippets. */
export function workspaceContext(deps: ContextDependencies): ContextBuilder {
  return new ContextBuilder(deps.roots, [new DefinitionsSource(deps), recentEditsSource(deps), similarSource(deps)]);
}

export class ContextBuilder {
  /** The last context of each document (most recently used last), reused while its cursor stays on one line. */
  private readonly cached = new Map<string, ContextEntry>();
  /** In the order their snippets are placed (contextSources). */
  private readonly sources: readonly SnippetSource[];

  constructor(
    private readonly roots: () => readonly string[],
    sources: readonly SnippetSource[],
  ) {
    const order = (source: SnippetSource) => contextSources.indexOf(source.name);
    this.sources = [...sources].sort((a, b) => order(a) - order(b));
    if (this.sources.filter((s) => s.takesTheRest).length > 1) throw new Error('At most one context source takes the rest of the budget');
  }

  /**
   * The context for the request: what is found by `options.deadline`. A build that is still running then goes on in
   * the background, and a later request on the same line gets its result (or what it has by then).
   */
  async build(request: ContextRequest, options: ContextOptions): Promise<ContextSnippet[]> {
    const lineStart = request.text.lastIndexOf('\n', request.offset - 1) + 1;
    // The cursor's line by where it starts: typing on it keeps this, an edit above it moves it (as a new line would).
    const header = importHeader(request.text);
    // A member access on the line (`receiver.` and the member typed so far) shapes the context: it is part of the key,
    // so typing the member's name keeps the context, and the dot that starts it changes it once.
    const line: LineFacts = { start: lineStart, headerKey: `${header.length}:${hash(header)}`, receiver: receiverBefore(request.text.slice(lineStart, request.offset)) };
    const key = JSON.stringify([request.uri, line.start, line.headerKey, line.receiver, options.budget.tokens, options.sources]);
    let entry = this.cached.get(request.uri);
    if (entry?.key !== key) {
      entry = { key, snippets: [], done: Promise.resolve(), complete: false };
      this.cached.set(request.uri, entry); // before the build starts: it stops once the document has a newer one
      const limit = Math.max(options.deadline, performance.now() + backgroundLimitMs);
      const mine = entry;
      // A newer build for the document (another line) makes this one stop at its next step.
      const expired = () => performance.now() > limit || this.cached.get(request.uri) !== mine;
      entry.done = this.fill(entry, this.query(request, line), options, expired).then(
        () => void (mine.complete = !expired()),
        () => undefined,
      );
    }
    this.cached.delete(request.uri);
    this.cached.set(request.uri, entry);
    if (this.cached.size > cachedDocuments) this.cached.delete(this.cached.keys().next().value!);
    // A request already past its deadline takes what there is without waiting a turn (the build goes on).
    if (!entry.complete && options.deadline > performance.now()) await untilDeadline(entry.done, options.deadline);
    // A build still running gives a copy of what it has: the entry's list keeps growing.
    return entry.complete ? entry.snippets : [...entry.snippets];
  }

  forget(uri: string): void {
    this.cached.delete(uri);
    for (const source of this.sources) source.forget?.(uri);
  }

  /** The path as the prompt names it: relative to its workspace folder. */
  relativePath(path: string | undefined, uri: string): string {
    return promptPath(this.roots(), path, uri);
  }

  private query(request: ContextRequest, line: LineFacts): SourceQuery {
    const lineEnd = request.text.indexOf('\n', request.offset);
    const nearby = request.text.slice(lastLinesStart(request.text, line.start, nearbyLines), lineEnd < 0 ? undefined : lineEnd);
    const after = request.text.slice(lineEnd < 0 ? request.text.length : lineEnd + 1, nextLinesEnd(request.text, lineEnd, linesAfter));
    return { request, line, nearby, after };
  }

  /**
   * Adds the sources' snippets to the entry until `expired()`. Each source takes at most its share of the budget; the
   * volatile ones are cheap and chosen first, so that what they leave goes to the source that takes the rest (a file
   * with no recent edits elsewhere gives the definitions their room). Placed in the sources' order, stable first.
   */
  private async fill(entry: ContextEntry, query: SourceQuery, options: ContextOptions, expired: () => boolean): Promise<void> {
    const enabled = this.sources.filter((source) => options.sources[source.name]);
    const enabledShares = enabled.reduce((sum, source) => sum + source.share, 0);
    const chosen = new Map<SnippetSource, ContextSnippet[]>();
    let spent = 0;
    for (const source of [...enabled.filter((s) => !s.takesTheRest), ...enabled.filter((s) => s.takesTheRest)]) {
      if (expired()) continue;
      let budget = source.takesTheRest ? options.budget.tokens - spent : Math.floor((options.budget.tokens * source.share) / enabledShares);
      const taken: ContextSnippet[] = [];
      for (const snippet of await source.snippets(query, expired)) {
        // A snippet too long for what is left may still give its shorter form (a definition's signature).
        for (const candidate of source.shorten ? [snippet, source.shorten(snippet)] : [snippet]) {
          const tokens = snippetTokens(options.budget, candidate);
          if (tokens > budget) continue;
          taken.push(candidate);
          budget -= tokens;
          spent += tokens;
          break;
        }
      }
      chosen.set(source, taken);
    }
    for (const source of enabled) entry.snippets.push(...(chosen.get(source) ?? []));
  }
}
