// The context stage of the completion pipeline: code from elsewhere that the model should see — definitions of the
// symbols the file imports or uses (resolved through the workspace index), regions the user edited lately, and
// similar snippets of other open files. Each source is bounded, the whole within a character budget and a deadline
// (a request never waits past it: what is late is finished in the background for the next request on the line), and
// the result is reused while the cursor stays on its line, so the
// prompt's stable part — and its KV cache — does not move with each keystroke. Definitions (the most stable) come
// first, similar snippets and recent edits (the most volatile) last.
import { dirname, join } from 'node:path';
import type { DocumentTrees } from '../syntax/documentTrees';
import type { GrammarRegistry } from '../syntax/grammarRegistry';
import { grammarForLanguage } from '../../../common/languages';
import { definitionSnippet, extractDefinitions, extractImports } from '../syntax/outline';
import { resolveImport, type Workspace } from './importResolution';
import type { RecentEdits } from './recentEdits';
import { snippetTokens, type TokenBudget } from './tokenBudget';
import { findSimilarSnippets } from './similarSnippets';
import { type IndexedDefinition, toRelative, type WorkspaceIndex, workspaceRootOf } from './workspaceIndex';
import { basesOf, classLinePattern, goPackageName, hash, identifiersByDistance, importHeader, lastLines, lastLinesStart, methodsOutside, nextLinesEnd, receiverBefore, signatureOf, untilDeadline } from './contextText';

export type ContextSource = 'definitions' | 'recentEdits' | 'similar';
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

/** Share of the budget each source may take at most (of the enabled sources' shares together). */
const shareOf: Record<ContextSource, number> = { definitions: 0.6, similar: 0.2, recentEdits: 0.2 };
/** Documents whose last context is kept. */
const cachedDocuments = 16;
/** A file's or class's outline (its definitions' first lines) is cut at this length. */
const outlineMaxChars = 1200;
/** Definitions up to this many lines go into the prompt whole; longer ones by their first line. */
const wholeDefinitionLines = 6;
/** The code a similar snippet is compared with: as many lines before the cursor as a snippet has. */
const similarQueryLines = 10;
/** Lines of the code just before the cursor that decide which symbols are "in use" and what "similar" means. */
const nearbyLines = 30;
/** Classes or modules whose outline a member access gets at most (the receiver's type and its bases). */
const maxReceiverOwners = 3;
/** Lines after the cursor whose identifiers also count as used (the model sees them in the suffix). */
const linesAfter = 10;
const keywords = new Set('if else for while do return function const let var class new this true false null undefined import export from as def self None True False in is not and or fn pub use impl struct enum match mut let type interface extends implements public private protected static void int char double float long unsigned sizeof include define package func go defer chan map range string number boolean async await yield try catch finally throw switch case break continue default'.split(' '));

/**
 * How long a build that missed its request's deadline goes on in the background, so that the next request on the
 * line (which reuses it) has the whole context: on a cold or busy machine the first request's 25 ms may not be
 * enough to read one file.
 */
const backgroundLimitMs = 1000;

/** What decides a line's context besides the document: computed once per request. */
interface LineFacts {
  /** Offset where the cursor's line starts. */
  start: number;
  /** The document's import lines, as length and hash. */
  headerKey: string;
  /** The receiver of a member access being typed on the line, if any. */
  receiver: string | undefined;
}

/** Whose members an outline lists: a file, a folder (a Go package), or one type (its lines in `path`). */
interface Owner {
  path: string;
  startLine?: number;
  endLine?: number;
  typeName?: string;
  /** A folder's file left out of its outline (the document's own, for its own Go package). */
  excludeFile?: string;
}

/** One document's context for one cursor line: complete, or still being built (and then filled as it goes). */
interface ContextEntry {
  key: string;
  snippets: ContextSnippet[];
  /** Resolves when the build has ended, complete or cut at its limit. */
  done: Promise<void>;
  complete: boolean;
}

export class ContextBuilder {
  /** The last context of each document (most recently used last), reused while its cursor stays on one line. */
  private readonly cached = new Map<string, ContextEntry>();
  /** Each document's own definitions and imports, by its import lines (see definitions()). */
  private readonly outlines = new Map<string, { key: string; localNames: ReadonlySet<string>; imports: ReturnType<typeof extractImports> }>();

  constructor(private readonly deps: ContextDependencies) {}

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
      entry.done = this.fill(entry, request, line, options, expired).then(
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

  /** Adds the sources' snippets to the entry, stable ones first, until `expired()`. */
  private async fill(entry: ContextEntry, request: ContextRequest, line: LineFacts, options: ContextOptions, expired: () => boolean): Promise<void> {
    const cost = (snippet: ContextSnippet) => snippetTokens(options.budget, snippet);
    const lineEnd = request.text.indexOf('\n', request.offset);
    const nearby = request.text.slice(lastLinesStart(request.text, line.start, nearbyLines), lineEnd < 0 ? undefined : lineEnd);
    const enabledShares = contextSources.filter((source) => options.sources[source]).reduce((sum, source) => sum + shareOf[source], 0);
    // The volatile sources are cheap and bounded by their shares: they are chosen first, so that what they leave of
    // the budget goes to the definitions (a file with no recent edits elsewhere gives the definitions their room).
    const volatile: ContextSnippet[] = [];
    let volatileCost = 0;
    for (const source of contextSources) {
      if (source === 'definitions' || !options.sources[source] || expired()) continue;
      let budget = Math.floor((options.budget.tokens * shareOf[source]) / enabledShares);
      const candidates = source === 'similar' ? this.similar(request, lastLines(nearby, similarQueryLines), expired) : this.recentEdits(request);
      for (const snippet of candidates) {
        const tokens = cost(snippet);
        if (tokens > budget) continue;
        volatile.push(snippet);
        budget -= tokens;
        volatileCost += tokens;
      }
    }
    // Stable first: definitions, then recent edits, then similar snippets (the order of contextSources).
    if (options.sources.definitions && !expired()) {
      let budget = options.budget.tokens - volatileCost;
      const after = request.text.slice(lineEnd < 0 ? request.text.length : lineEnd + 1, nextLinesEnd(request.text, lineEnd, linesAfter));
      for (const snippet of await this.definitions(request, line, nearby, after, expired)) {
        // A definition too long for what is left still gives its signature.
        for (const candidate of [snippet, { ...snippet, text: signatureOf(snippet.text) }]) {
          const tokens = cost(candidate);
          if (tokens > budget) continue;
          entry.snippets.push(candidate);
          budget -= tokens;
          break;
        }
      }
    }
    entry.snippets.push(...volatile);
  }

  forget(uri: string): void {
    this.cached.delete(uri);
    this.outlines.delete(uri);
  }

  /** The path as the prompt names it: relative to its workspace folder. */
  relativePath(path: string | undefined, uri: string): string {
    if (!path) return uri.replace(/^untitled:/, '');
    const root = workspaceRootOf(this.deps.roots(), path);
    return root ? toRelative(root, path) : path;
  }

  /** Definitions, in other files, of what this file imports and of the identifiers used near the cursor. */
  private async definitions(request: ContextRequest, line: LineFacts, nearby: string, after: string, expired: () => boolean): Promise<ContextSnippet[]> {
    const grammarName = grammarForLanguage(request.languageId);
    const grammar = grammarName && (await this.deps.grammars.get(grammarName));
    // The identifiers around the cursor, nearest first: its line, then the lines above and below it in turn.
    const used = identifiersByDistance(nearby, after).filter((name) => !keywords.has(name));
    const wanted: Array<{ name: string; preferPath?: string }> = [];
    const modules = new Map<string, string>();
    const localNames = new Set<string>();
    const includedFiles: string[] = [];
    // Languages without a grammar skip this: their context comes from the identifiers near the cursor alone.
    if (grammar && grammarName) {
      // The file's own definitions and its imports, from one parse, kept while its import lines stay the same (running
      // the queries over a long file costs more than the rest of the stage): a definition added since is missed for
      // a while, which only means its name may also be looked up elsewhere.
      let outline = this.outlines.get(request.uri);
      if (outline?.key !== line.headerKey) {
        const tree = this.deps.trees.treeFor(request.uri, grammar, request.text);
        // A document too long to parse has no outline: its context comes from the identifiers near the cursor.
        outline = tree ? { key: line.headerKey, localNames: new Set(extractDefinitions(tree, grammar).map((d) => d.name)), imports: extractImports(tree, grammar) } : { key: line.headerKey, localNames: new Set(), imports: [] };
        this.outlines.set(request.uri, outline);
        if (this.outlines.size > cachedDocuments) this.outlines.delete(this.outlines.keys().next().value!);
      }
      for (const name of outline.localNames) localNames.add(name);
      const usedSet = new Set(used);
      const imports = outline.imports;
      const index = this.deps.index;
      const workspace: Workspace = {
        roots: this.deps.roots(),
        exists: (p) => index.has(p) || (grammarName === 'go' && index.filesIn(p).length > 0),
        packageFolder: (name) => index.packageFolder(name),
      };
      const resolved = imports.map((statement) => ({
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
          modules.set(name, submodule ?? path);
        }
      }
      // Imported names used near the cursor first, then the other imported names, in import order.
      for (const pass of [true, false]) {
        for (const { statement, path } of resolved) {
          for (const name of statement.names) if (usedSet.has(name) === pass) wanted.push({ name, preferPath: path });
        }
      }
      // Go's imports name packages, whose members are reached through the package's name (the receiver, above); what
      // Go names without a qualifier is its own package's: the types of the folder's other files.
      if (grammarName !== 'go') {
        for (const { statement, path } of resolved) if (path && statement.names.length === 0) includedFiles.push(path);
      } else if (request.path) includedFiles.push(dirname(request.path));
    }
    for (const name of used) if (!localNames.has(name)) wanted.push({ name });

    const seen = new Set<string>();
    const chosen: IndexedDefinition[] = [];
    const here = request.path && dirname(request.path);
    for (const { name, preferPath } of wanted) {
      if (seen.has(name) || expired()) continue;
      seen.add(name);
      const candidates = this.deps.index.lookup(name).filter((d) => d.path !== request.path);
      // The imported file's, else the nearest: the document's folder (a Go package, a Python package) before others.
      const best = candidates.find((d) => d.path === preferPath) ?? candidates.find((d) => dirname(d.path) === here) ?? candidates[0];
      if (best) chosen.push(best);
    }
    const snippets: ContextSnippet[] = [];
    const linesOf = new Map<string, string[] | undefined>(); // several definitions often come from one file: read it once
    const readLines = async (path: string) => {
      if (!linesOf.has(path)) linesOf.set(path, (await this.deps.readText(path))?.split('\n'));
      return linesOf.get(path);
    };
    // A member access being typed (`receiver.`): the members of the receiver's class, its bases' for `self`/`this`,
    // or the module's — the outline (signature lines) of each, most specific first.
    for (const owner of await this.receiverTypes(request, line.receiver, localNames, modules, readLines, expired)) {
      const outline = await this.outline(owner, readLines);
      if (outline) snippets.push(outline);
    }
    for (const definition of chosen) {
      if (expired()) break;
      const fileLines = await readLines(definition.path);
      if (fileLines === undefined) continue;
      const lines = fileLines.slice(definition.startLine, definition.endLine + 1);
      // Short definitions (types, one-line functions) whole; longer ones by their signature, so more symbols fit.
      const snippet = lines.length <= wholeDefinitionLines ? definitionSnippet(lines.join('\n')) : signatureOf(lines.join('\n'));
      snippets.push({ path: this.relativePath(definition.path, definition.path), text: snippet, source: 'definitions' });
    }
    // Files imported whole (`from m import *`, `import * as m`): their outline, not a few bodies.
    for (const path of includedFiles) {
      if (expired()) break;
      const outline = await this.outline({ path, excludeFile: request.path }, readLines);
      if (outline) snippets.push(outline);
    }
    return snippets;
  }

  /**
   * The classes or modules whose members the cursor is naming: the line before the cursor ends with `receiver.` (and
   * the member typed so far), and the receiver is `self`/`this` (the enclosing class's bases, defined elsewhere), an imported class
   * or module, or a variable assigned or annotated with one in the code above.
   */
  private async receiverTypes(
    request: ContextRequest,
    receiver: string | undefined,
    localNames: ReadonlySet<string>,
    modules: ReadonlyMap<string, string>,
    readLines: (path: string) => Promise<string[] | undefined>,
    expired: () => boolean,
  ): Promise<Owner[]> {
    if (!receiver || expired()) return [];
    // An imported module or package by its local name.
    const module = modules.get(receiver);
    if (module) return [{ path: module }];
    const index = this.deps.index;
    const classesNamed = (name: string) => index.lookup(name).filter((d) => d.path !== request.path && ['class', 'interface', 'struct', 'type', 'trait', 'enum'].includes(d.kind));
    const above = request.text.slice(0, request.offset);
    let typeNames: string[] = [];
    if (receiver === 'self' || receiver === 'this' || receiver === 'cls') {
      // The enclosing class's bases: `class X(A, B):` or `class X extends A implements B`.
      // Rust's `self` is the type of the `impl` block it is in (which may be in another file than the type).
      const classLine = [...above.matchAll(new RegExp(classLinePattern.source, 'gm'))].at(-1)?.[0];
      const implType = /\.rs$/.test(request.path ?? '') ? [...above.matchAll(/^impl(?:<[^>]*>)?\s+(?:[\w:]+(?:<[^>]*>)?\s+for\s+)?([A-Za-z_]\w*)/gm)].at(-1)?.[1] : undefined;
      typeNames = implType ? [implType] : classLine ? basesOf(classLine) : [];
    } else {
      typeNames = [receiver];
      // A variable: `receiver = Type(` / `new Type(`, or `receiver: Type`, the last one above the cursor.
      const escaped = receiver.replace(/\$/g, '\\$');
      // Also Go's `receiver Type` (parameters, method receivers, `var`) and `receiver := Type{` / `&Type{`, and Rust's
      // `receiver = Type::new(`.
      const assigned = [
        ...above.matchAll(
          new RegExp(
            `\\b${escaped}\\s*(?::\\s*&?(?:mut\\s+)?([A-Za-z_$][\\w$.]*)|:?=\\s*(?:new\\s+|await\\s+|&)?([A-Za-z_$][\\w$.]*?)(?:\\s*\\(|\\{|::\\w+\\s*\\())|(?:[(,]|\\bvar)\\s*${escaped}\\s+\\*?([A-Za-z_][\\w.]*)`,
            'g',
          ),
        ),
      ].at(-1);
      const typeName = (assigned?.[1] ?? assigned?.[2] ?? assigned?.[3])?.split('.').at(-1);
      if (typeName) typeNames.unshift(typeName);
    }
    const owners: Owner[] = [];
    for (const name of typeNames) {
      if (localNames.has(name) && name !== receiver) continue;
      const found = classesNamed(name).sort((a, b) => Number(dirname(b.path) === dirname(request.path ?? '')) - Number(dirname(a.path) === dirname(request.path ?? '')))[0];
      if (found) owners.push({ path: found.path, startLine: found.startLine, endLine: found.endLine, typeName: name });
      else if (name === receiver) {
        // A module used by name (`import email.utils`, `from . import errors`): its file.
        const module = this.moduleFile(request, name);
        if (module) owners.push({ path: module });
      }
    }
    // A base's own bases in turn (`class MIMEText(MIMENonMultipart)` reaches Message's methods), breadth first.
    if (receiver === 'self' || receiver === 'this' || receiver === 'cls') {
      for (let i = 0; i < owners.length && owners.length < maxReceiverOwners; i++) {
        const owner = owners[i]!;
        const line = owner.startLine === undefined ? undefined : (await readLines(owner.path))?.[owner.startLine];
        for (const base of line && classLinePattern.test(line) ? basesOf(line) : []) {
          const found = classesNamed(base)[0];
          if (found && !owners.some((o) => o.path === found.path && o.startLine === found.startLine)) owners.push({ path: found.path, startLine: found.startLine, endLine: found.endLine, typeName: base });
        }
      }
    }
    return owners.slice(0, maxReceiverOwners);
  }

  /** A workspace file named like a module the document imports (`name.py`, `name.ts`, `name/__init__.py`) near it. */
  private moduleFile(request: ContextRequest, name: string): string | undefined {
    if (!request.path) return undefined;
    const dir = dirname(request.path);
    const candidates = [`${name}.py`, join(name, '__init__.py'), `${name}.ts`, join(name, 'index.ts'), `${name}.js`].map((file) => join(dir, file));
    return candidates.find((path) => this.deps.index.has(path));
  }

  /**
   * The signature lines of the definitions in a file, a Go package's folder (its exported names), or one type: the
   * members inside its body, and its methods declared outside it (Go's `func (r *T) M(`, Rust's `impl T` blocks).
   */
  private async outline(owner: Owner, readLines: (path: string) => Promise<string[] | undefined>): Promise<ContextSnippet | undefined> {
    const index = this.deps.index;
    const isFolder = !index.has(owner.path);
    const ownPackage = isFolder && owner.path === dirname(owner.excludeFile ?? '');
    const files = isFolder ? index.filesIn(owner.path).filter((path) => path !== owner.excludeFile) : [owner.path];
    const text: string[] = [];
    let chars = 0;
    const add = (line: string | undefined): boolean => {
      if (!line || text.includes(line)) return true;
      if (chars + line.length + 1 > outlineMaxChars) return false;
      text.push(line);
      chars += line.length + 1;
      return true;
    };
    for (const path of files) {
      const lines = await readLines(path);
      if (!lines) continue;
      let members = [...index.definitionsIn(path)].sort((a, b) => a.startLine - b.startLine);
      if (ownPackage) members = members.filter((d) => d.kind === 'type');
      else if (isFolder) members = members.filter((d) => /^[A-Z]/.test(d.name)); // what another package can reach
      else if (owner.startLine !== undefined) {
        const inBody = (d: IndexedDefinition) => d.startLine >= owner.startLine! && d.endLine <= owner.endLine!;
        const declaredOutside = owner.typeName ? methodsOutside(path, lines, owner.typeName) : () => false;
        members = members.filter((d) => inBody(d) || declaredOutside(d));
      }
      for (const definition of members) if (!add(lines[definition.startLine]?.trimEnd())) break;
      // A Go type's methods may be in any file of its package, a Rust type's `impl` blocks in any module (its folder's).
      if (owner.typeName && /\.(go|rs)$/.test(path) && !isFolder) {
        for (const sibling of index.filesIn(dirname(path))) {
          if (sibling === path) continue;
          const siblingLines = await readLines(sibling);
          if (!siblingLines) continue;
          const isMethod = methodsOutside(sibling, siblingLines, owner.typeName);
          for (const definition of index.definitionsIn(sibling)) if (isMethod(definition) && !add(siblingLines[definition.startLine]?.trimEnd())) break;
        }
      }
    }
    return text.length > 0 ? { path: this.relativePath(isFolder ? files[0] : owner.path, owner.path), text: text.join('\n'), source: 'definitions' } : undefined;
  }

  private similar(request: ContextRequest, nearby: string, expired: () => boolean): ContextSnippet[] {
    const others = this.deps.openDocuments().filter((d) => d.uri !== request.uri);
    return findSimilarSnippets(nearby, others.map((d) => ({ path: this.relativePath(d.path, d.uri), text: d.text })), undefined, expired).map((s) => ({
      path: s.path,
      text: s.text,
      source: 'similar' as const,
    }));
  }

  private recentEdits(request: ContextRequest): ContextSnippet[] {
    const open = new Map(this.deps.openDocuments().map((d) => [d.uri, d]));
    const snippets: ContextSnippet[] = [];
    for (const region of this.deps.recentEdits.recent()) {
      const document = open.get(region.uri);
      if (!document || region.uri === request.uri) continue; // the current file is in the prompt already
      const lines = document.text.split('\n');
      const text = lines.slice(Math.max(0, region.startLine - 3), region.endLine + 4).join('\n');
      snippets.push({ path: this.relativePath(document.path, document.uri), text, source: 'recentEdits' });
      if (snippets.length >= 3) break;
    }
    return snippets;
  }
}
