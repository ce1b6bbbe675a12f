// Syntax-aware shape of a completion: whether it should be one line or may be several, decided from the syntax node
// at the cursor, and a stop rule that ends generation once a block the completion opened has closed, found by parsing
// the prefix with the generated text as it streams in.
import type { Node, Tree } from 'web-tree-sitter';

/**
 * One line inside a comment or a string, and when the cursor's line already holds code that does not open a body
 * (completing an expression or a statement); several on a blank line or after an opener (`{`, `:`, `(`, `=>`).
 */
export function multiLineAllowed(tree: Tree, text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  for (let node: Node | null = tree.rootNode.descendantForIndex(Math.max(0, offset - 1)); node; node = node.parent) {
    if (node.startIndex < offset && offset < node.endIndex && /comment|string|template/.test(node.type)) return false;
    // A line comment goes on to the end of its line: a cursor at its end is still writing it.
    if (node.startIndex < offset && offset === node.endIndex && /comment/.test(node.type) && !text.slice(node.startIndex, node.endIndex).endsWith('*/')) return false;
  }
  if (before.trim() === '') return true;
  return /[{:([]\s*$|=>\s*$/.test(before);
}

/** Block-bearing nodes: they have a body (or an if's consequence). */
function opensBlock(node: Node): boolean {
  return node.childForFieldName('body') !== null || node.childForFieldName('consequence') !== null;
}

/**
 * Stops at the end of the first block-bearing construct the completion started (a function, class, if, loop…) once
 * it parses complete and the completion has gone on to a line that is not part of it. Checked when a line ends.
 * The result is a stop rule in completion/'s terms (the length to keep, or undefined to go on), declared by its shape
 * so that syntax/ does not depend on the layer above it.
 */
export function stopWhenOpenedBlockEnds(prefix: string, parse: (text: string) => Tree): (generated: string) => number | undefined {
  return (generated) => {
    if (!generated.endsWith('\n')) return undefined;
    const lastLineStart = generated.lastIndexOf('\n', generated.length - 2) + 1;
    if (generated.slice(lastLineStart).trim() === '') return undefined; // the new line must hold code
    const firstCode = generated.search(/\S/);
    if (firstCode < 0) return undefined;
    const tree = parse(prefix + generated);
    try {
      const start = prefix.length + firstCode;
      let node: Node | null = tree.rootNode.descendantForIndex(start);
      // The outermost node that the completion itself started.
      while (node?.parent && node.parent.startIndex >= start && node.parent.type !== tree.rootNode.type) node = node.parent;
      if (!node || node.startIndex < start || !opensBlock(node) || node.hasError) return undefined;
      const end = node.endIndex - prefix.length;
      if (end > lastLineStart) return undefined; // the last line is still part of it
      const lineEnd = generated.indexOf('\n', end);
      return lineEnd < 0 ? end : lineEnd;
    } finally {
      tree.delete();
    }
  };
}
