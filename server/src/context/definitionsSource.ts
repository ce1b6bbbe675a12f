// Context source: definitions, in other files, of what the document imports and of the identifiers used near the
// cursor (resolved through the workspace index); at a member access, the outline of the receiver's type or module.
import { dirname } from 'node:path';
import { grammarForLanguage } from '../../../common/languages';
import type { DocumentTrees } from '../syntax/documentTrees';
import type { Grammar, GrammarRegistry } from '../syntax/grammarRegistry';
import { definitionSnippet, extractDefinitions, extractImports } from '../syntax/outline';
import type { ContextRequest, ContextSnippet, LineFacts, SnippetSource, SourceQuery } from './contextSource';
import { promptPath } from './contextSource';
import { goPackageName, identifiersByDistance, signatureOf } from './contextText';
import { resolveImport, type Workspace } from './importResolution';
import { receiverTypes } from './receiverTypes';
import { outlineOf } from './typeOutline';
import type { IndexedDefinition, WorkspaceIndex } from './workspaceIndex';

/** Documents whose outline is kept. */
const cachedDocuments = 16;
/** Definitions up to this many lines go into the prompt whole; longer ones by their first line. */
const wholeDefinitionLines = 6;
const keywords = new Set('if else for while do return function const let var class new this true false null undefined import export from as def self None True False in is not and or fn pub use impl struct enum match mut let type interface extends implements public private protected static void int char double float long unsigned sizeof include define package func go defer chan map range string number boolean async await yield try catch finally throw switch case break continue default'.split(' '));

export interface DefinitionsDependencies {
  grammars: GrammarRegistry;
  /** Parse trees of open documents, shared with the syntax stage. */
  trees: DocumentTrees;
  index: WorkspaceIndex;
  roots(): readonly string[];
  /** A file's text: the open document's when it is open, else from disk; undefined when unreadable. */
  readText(path: string): Promise<string | undefined>;
}

/** A document's own definitions and imports, from one parse. */
interface DocumentOutline {
  key: string;
  localNames: ReadonlySet<string>;
  imports: ReturnType<typeof extractImports>;
}

/** The names to look up, where the document's imports say to look, and what the receiver may name. */
interface Wanted {
  names: Array<{ name: string; preferPath?: string }>;
  /** Imported modules by local name (`import * as m`, `import a.b as m`, a Go package): file or folder. */
  modules: Map<string, string>;
  localNames: Set<string>;
  /** Files (or a Go package's folder) imported whole, whose outline is given. */
  includedFiles: string[];
}

export class DefinitionsSource implements SnippetSource {
  readonly name = 'definitions' as const;
  readonly share = 0.6;
  readonly takesTheRest = true;
  /** Each document's outline, by its import lines (most recently used last). */
  private readonly outlines = new Map<string, DocumentOutline>();

  constructor(private readonly deps: DefinitionsDependencies) {}

  shorten(snippet: ContextSnippet): ContextSnippet {
    return { ...snippet, text: signatureOf(snippet.text) };
  }

  forget(uri: string): void {
    this.outlines.delete(uri);
  }

  async snippets({ request, line, nearby, after }: SourceQuery, expired: () => boolean): Promise<ContextSnippet[]> {
    // The identifiers around the cursor, nearest first: its line, then the lines above and below it in turn.
    const used = identifiersByDistance(nearby, after).filter((name) => !keywords.has(name));
    const wanted = await this.wanted(request, line, used);
    const chosen = this.choose(request, wanted.names, expired);
    const snippets: ContextSnippet[] = [];
    const linesOf = new Map<string, string[] | undefined>(); // several definitions often come from one file: read it once
    const readLines = async (path: string) => {
      if (!linesOf.has(path)) linesOf.set(path, (await this.deps.readText(path))?.split('\n'));
      return linesOf.get(path);
    };
    const inPrompt = (path: string) => promptPath(this.deps.roots(), path, path);
    // A member access being typed (`receiver.`): the members of the receiver's class, its bases' for `self`/`this`,
    // or the module's — the outline (signature lines) of each, most specific first.
    const scope = { index: this.deps.index, localNames: wanted.localNames, modules: wanted.modules, readLines };
    for (const owner of await receiverTypes(request, line.receiver, scope, expired)) {
      const outline = await outlineOf(owner, this.deps.index, readLines, inPrompt);
      if (outline) snippets.push(outline);
    }
    for (const definition of chosen) {
      if (expired()) break;
      const fileLines = await readLines(definition.path);
      if (fileLines === undefined) continue;
      const lines = fileLines.slice(definition.startLine, definition.endLine + 1);
      // Short definitions (types, one-line functions) whole; longer ones by their signature, so more symbols fit.
      const snippet = lines.length <= wholeDefinitionLines ? definitionSnippet(lines.join('\n')) : signatureOf(lines.join('\n'));
      snippets.push({ path: inPrompt(definition.path), text: snippet, source: 'definitions' });
    }
    // Files imported whole (`from m import *`, `import * as m`): their outline, not a few bodies.
    for (const path of wanted.includedFiles) {
      if (expired()) break;
      const outline = await outlineOf({ path, excludeFile: request.path }, this.deps.index, readLines, inPrompt);
      if (outline) snippets.push(outline);
    }
    return snippets;
  }

  /** What to look up: imported names used near the cursor, the other imported names, then other names used nearby. */
  private async wanted(request: ContextRequest, line: LineFacts, used: readonly string[]): Promise<Wanted> {
    const wanted: Wanted = { names: [], modules: new Map(), localNames: new Set(), includedFiles: [] };
    const grammarName = grammarForLanguage(request.languageId);
    const grammar = grammarName && (await this.deps.grammars.get(grammarName));
    // Languages without a grammar skip this: their context comes from the identifiers near the cursor alone.
    if (grammar && grammarName) {
      const outline = this.outlineOf(request, line, grammar);
      for (const name of outline.localNames) wanted.localNames.add(name);
      const usedSet = new Set(used);
      const index = this.deps.index;
      const workspace: Workspace = {
        roots: this.deps.roots(),
        exists: (p) => index.has(p) || (grammarName === 'go' && index.filesIn(p).length > 0),
        packageFolder: (name) => index.packageFolder(name),
      };
      const resolved = outline.imports.map((statement) => ({
        statement,
        path: request.path ? resolveImport(request.path, statement.source, grammarName, workspace) : undefined,
      }));
      // The names a receiver may have to reach an imported module (`import * as m`, `import a.b as m`, a Go package).
      for (const { statement, path } of resolved) {
        if (!path) continue;
        const names = statement.names.length > 0 ? statement.names : grammarName === 'go' ? [goPackageName(statement.source)] : [];
        for (const name of names) {
          if (index.lookup(name).length) continue;
          // `from package import module`: the module's own file, where there is one.
          const submodule = grammarName === 'python' && request.path ? resolveImport(request.path, `${statement.source}${statement.source.endsWith('.') ? '' : '.'}${name}`, grammarName, workspace) : undefined;
          wanted.modules.set(name, submodule ?? path);
        }
      }
      // Imported names used near the cursor first, then the other imported names, in import order.
      for (const pass of [true, false]) {
        for (const { statement, path } of resolved) {
          for (const name of statement.names) if (usedSet.has(name) === pass) wanted.names.push({ name, preferPath: path });
        }
      }
      // Go's imports name packages, whose members are reached through the package's name (the receiver, above); what
      // Go names without a qualifier is its own package's: the types of the folder's other files.
      if (grammarName !== 'go') {
        for (const { statement, path } of resolved) if (path && statement.names.length === 0) wanted.includedFiles.push(path);
      } else if (request.path) wanted.includedFiles.push(dirname(request.path));
    }
    for (const name of used) if (!wanted.localNames.has(name)) wanted.names.push({ name });
    return wanted;
  }

  /**
   * The document's own definitions and its imports, from one parse, kept while its import lines stay the same
   * (running the queries over a long file costs more than the rest of the stage): a definition added since is missed
   * for a while, which only means its name may also be looked up elsewhere.
   */
  private outlineOf(request: ContextRequest, line: LineFacts, grammar: Grammar): DocumentOutline {
    let outline = this.outlines.get(request.uri);
    if (outline?.key !== line.headerKey) {
      const tree = this.deps.trees.treeFor(request.uri, grammar, request.text);
      // A document too long to parse has no outline: its context comes from the identifiers near the cursor.
      outline = tree ? { key: line.headerKey, localNames: new Set(extractDefinitions(tree, grammar).map((d) => d.name)), imports: extractImports(tree, grammar) } : { key: line.headerKey, localNames: new Set(), imports: [] };
      this.outlines.set(request.uri, outline);
      if (this.outlines.size > cachedDocuments) this.outlines.delete(this.outlines.keys().next().value!);
    }
    return outline;
  }

  /** One definition per name, in the order wanted: the imported file's, else the document's folder's, else the first. */
  private choose(request: ContextRequest, names: Wanted['names'], expired: () => boolean): IndexedDefinition[] {
    const seen = new Set<string>();
    const chosen: IndexedDefinition[] = [];
    const here = request.path && dirname(request.path);
    for (const { name, preferPath } of names) {
      if (seen.has(name) || expired()) continue;
      seen.add(name);
      const candidates = this.deps.index.lookup(name).filter((d) => d.path !== request.path);
      const best = candidates.find((d) => d.path === preferPath) ?? candidates.find((d) => dirname(d.path) === here) ?? candidates[0];
      if (best) chosen.push(best);
    }
    return chosen;
  }
}
