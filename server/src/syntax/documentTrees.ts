// The syntax tree of each open document, kept up to date incrementally: on a request the change since the last
// parse is found (common prefix and suffix of the two texts), applied to the old tree, and only that part re-parsed.
import { Edit, type Tree } from 'web-tree-sitter';
import { type Grammar, GrammarRegistry } from './grammarRegistry';

interface Parsed {
  grammar: Grammar;
  text: string;
  tree: Tree;
}

/**
 * Documents longer than this are not parsed: tree-sitter's first parse runs on the server's only thread, and a
 * 100 000-line file (2.5 MB) held every request for 3 s. Such files get the plain rules and no outline.
 */
export const maxParsedChars = 1_000_000;

export class DocumentTrees {
  private readonly trees = new Map<string, Parsed>();

  /** The tree for this text of the document, re-parsing only what changed since the last call; undefined for a document too long to parse. */
  treeFor(uri: string, grammar: Grammar, text: string): Tree | undefined {
    if (text.length > maxParsedChars) {
      this.forget(uri);
      return undefined;
    }
    const previous = this.trees.get(uri);
    if (previous && previous.grammar === grammar && previous.text === text) return previous.tree;
    let tree: Tree;
    if (previous && previous.grammar === grammar) {
      const old = previous.tree;
      old.edit(textEdit(previous.text, text));
      tree = GrammarRegistry.parse(grammar, text, old);
      old.delete();
    } else {
      previous?.tree.delete();
      tree = GrammarRegistry.parse(grammar, text);
    }
    this.trees.set(uri, { grammar, text, tree });
    return tree;
  }

  forget(uri: string): void {
    this.trees.get(uri)?.tree.delete();
    this.trees.delete(uri);
  }
}

/** The single edit that turns `before` into `after`: what lies between their common prefix and common suffix. */
export function textEdit(before: string, after: string) {
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return new Edit({
    startIndex: start,
    oldEndIndex: before.length - end,
    newEndIndex: after.length - end,
    startPosition: pointAt(before, start),
    oldEndPosition: pointAt(before, before.length - end),
    newEndPosition: pointAt(after, after.length - end),
  });
}

function pointAt(text: string, offset: number) {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}
