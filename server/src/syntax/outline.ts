// What the queries say about one parsed file: its definitions, its imports and the scopes around a position.
// Pure functions of a tree and a grammar's queries.
import type { Node, Tree } from 'web-tree-sitter';
import type { Grammar } from './grammarRegistry';

export interface Definition {
  name: string;
  /** function, class, method, interface, type, enum, struct, trait, variable, macro, module */
  kind: string;
  startLine: number;
  endLine: number;
  /** The definition's text, cut to its first lines: signature, type, short body. */
  snippet: string;
}

export interface ImportStatement {
  /** The module, file or package named (quotes removed), or '' when the statement names none. */
  source: string;
  /** The names the statement brings into scope. */
  names: string[];
  startLine: number;
}

export const snippetMaxLines = 12;
export const snippetMaxChars = 600;

/** The first lines of a definition: enough for its signature and, when short, its whole body. */
export function definitionSnippet(text: string): string {
  const lines = text.split('\n');
  let snippet = lines.slice(0, snippetMaxLines).join('\n');
  if (snippet.length > snippetMaxChars) snippet = snippet.slice(0, snippetMaxChars);
  return snippet.length < text.length ? `${snippet.trimEnd()}\n…` : snippet;
}

const localKinds = new Set(['variable']);

export function extractDefinitions(tree: Tree, grammar: Grammar): Definition[] {
  const definitions: Definition[] = [];
  for (const match of grammar.definitions.matches(tree.rootNode)) {
    const whole = match.captures.find((c) => c.name.startsWith('definition.'));
    const name = match.captures.find((c) => c.name === 'name');
    if (!whole || !name) continue;
    const kind = whole.name.slice('definition.'.length);
    // Variables count outside function bodies only: locals are not what other files use.
    if (localKinds.has(kind) && !isTopLevel(whole.node)) continue;
    definitions.push({
      name: name.node.text,
      kind,
      startLine: whole.node.startPosition.row,
      endLine: whole.node.endPosition.row,
      snippet: definitionSnippet(whole.node.text),
    });
  }
  return definitions;
}

/** Outside any function body: file-level, or a member of a class or namespace. */
function isTopLevel(node: Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (/function|method|lambda|closure|arrow|constructor|statement_block|^block$|compound_statement/.test(parent.type)) return false;
  }
  return true;
}

export function extractImports(tree: Tree, grammar: Grammar): ImportStatement[] {
  const statements: Array<ImportStatement & { node: Node }> = [];
  const names: Node[] = [];
  const sources: Node[] = [];
  for (const capture of grammar.imports.captures(tree.rootNode)) {
    if (capture.name === 'import') {
      if (!statements.some((s) => s.node.id === capture.node.id)) {
        statements.push({ node: capture.node, source: '', names: [], startLine: capture.node.startPosition.row });
      }
    } else if (capture.name === 'import.name') names.push(capture.node);
    else if (capture.name === 'import.source') sources.push(capture.node);
  }
  const owner = (node: Node) => statements.find((s) => s.node.startIndex <= node.startIndex && node.endIndex <= s.node.endIndex);
  for (const node of sources) {
    const statement = owner(node);
    if (statement && statement.source === '') statement.source = node.text.replace(/^["'<`]|["'>`]$/g, '');
  }
  for (const node of names) {
    const statement = owner(node);
    const name = node.text.split('.').at(-1)!;
    if (statement && !statement.names.includes(name)) statement.names.push(name);
  }
  return statements.map(({ node: _node, ...rest }) => rest);
}

/** The scopes (functions, classes, …) that contain `offset`, innermost first. */
export function enclosingScopes(tree: Tree, grammar: Grammar, offset: number): Node[] {
  const scopes = grammar.scopes
    .captures(tree.rootNode, { startIndex: offset, endIndex: offset })
    .map((c) => c.node)
    .filter((node) => node.startIndex < offset && offset <= node.endIndex);
  return scopes.sort((a, b) => a.endIndex - a.startIndex - (b.endIndex - b.startIndex));
}
