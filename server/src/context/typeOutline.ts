// The outline of a file, a Go package's folder or one type: the first lines of its definitions, which is what the
// model needs to name a member (`receiver.`) or use a module imported whole.
import { dirname } from 'node:path';
import type { ContextSnippet } from './contextSource';
import { methodsOutside } from './contextText';
import type { IndexedDefinition, WorkspaceIndex } from './workspaceIndex';

/** An outline is cut at this length. */
const outlineMaxChars = 1200;

/** Whose members an outline lists: a file, a folder (a Go package), or one type (its lines in `path`). */
export interface Owner {
  path: string;
  startLine?: number;
  endLine?: number;
  typeName?: string;
  /** A folder's file left out of its outline (the document's own, for its own Go package). */
  excludeFile?: string;
}

export type ReadLines = (path: string) => Promise<string[] | undefined>;

/**
 * The signature lines of the definitions in a file, a Go package's folder (its exported names), or one type: the
 * members inside its body, and its methods declared outside it (Go's `func (r *T) M(`, Rust's `impl T` blocks).
 */
export async function outlineOf(
  owner: Owner,
  index: WorkspaceIndex,
  readLines: ReadLines,
  pathInPrompt: (path: string) => string,
): Promise<ContextSnippet | undefined> {
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
  return text.length > 0 ? { path: pathInPrompt(isFolder ? files[0]! : owner.path), text: text.join('\n'), source: 'definitions' } : undefined;
}
