// Whose members the cursor is about to name: the line before the cursor ends with `receiver.` (and the member typed so
// far), and the receiver is `self`/`this` (the enclosing class's bases, defined elsewhere), an imported class or
// module, or a variable assigned or annotated with one in the code above.
import { dirname, join } from 'node:path';
import type { ContextRequest } from './contextSource';
import { basesOf, classLinePattern } from './contextText';
import type { Owner, ReadLines } from './typeOutline';
import type { WorkspaceIndex } from './workspaceIndex';

/** Classes or modules whose outline a member access gets at most (the receiver's type and its bases). */
const maxReceiverOwners = 3;
const typeKinds = ['class', 'interface', 'struct', 'type', 'trait', 'enum'];
const isSelf = (receiver: string) => receiver === 'self' || receiver === 'this' || receiver === 'cls';

export interface ReceiverScope {
  index: WorkspaceIndex;
  /** Names the document defines itself (the model sees them in the file). */
  localNames: ReadonlySet<string>;
  /** Imported modules by their local names, as file or folder paths. */
  modules: ReadonlyMap<string, string>;
  readLines: ReadLines;
}

/** The owners (most specific first, at most three) whose members follow `receiver.`. */
export async function receiverTypes(request: ContextRequest, receiver: string | undefined, scope: ReceiverScope, expired: () => boolean): Promise<Owner[]> {
  if (!receiver || expired()) return [];
  // An imported module or package by its local name.
  const module = scope.modules.get(receiver);
  if (module) return [{ path: module }];
  const classesNamed = (name: string) => scope.index.lookup(name).filter((d) => d.path !== request.path && typeKinds.includes(d.kind));
  const above = request.text.slice(0, request.offset);
  const typeNames = isSelf(receiver) ? enclosingTypes(above, request.path) : [...typeOfVariable(above, receiver), receiver];
  const here = dirname(request.path ?? '');
  const owners: Owner[] = [];
  for (const name of typeNames) {
    if (scope.localNames.has(name) && name !== receiver) continue;
    const found = classesNamed(name).sort((a, b) => Number(dirname(b.path) === here) - Number(dirname(a.path) === here))[0];
    if (found) owners.push({ path: found.path, startLine: found.startLine, endLine: found.endLine, typeName: name });
    else if (name === receiver) {
      // A module used by name (`import email.utils`, `from . import errors`): its file.
      const file = moduleFile(request, name, scope.index);
      if (file) owners.push({ path: file });
    }
  }
  // A base's own bases in turn (`class MIMEText(MIMENonMultipart)` reaches Message's methods), breadth first.
  if (isSelf(receiver)) {
    for (let i = 0; i < owners.length && owners.length < maxReceiverOwners; i++) {
      const owner = owners[i]!;
      const line = owner.startLine === undefined ? undefined : (await scope.readLines(owner.path))?.[owner.startLine];
      for (const base of line && classLinePattern.test(line) ? basesOf(line) : []) {
        const found = classesNamed(base)[0];
        if (found && !owners.some((o) => o.path === found.path && o.startLine === found.startLine)) owners.push({ path: found.path, startLine: found.startLine, endLine: found.endLine, typeName: base });
      }
    }
  }
  return owners.slice(0, maxReceiverOwners);
}

/**
 * The types `self`/`this`/`cls` stands for: the enclosing class's bases (`class X(A, B):`, `class X extends A
 * implements B`), or in Rust the type of the `impl` block it is in (which may be in another file than the type).
 */
function enclosingTypes(above: string, path: string | undefined): string[] {
  const classLine = [...above.matchAll(new RegExp(classLinePattern.source, 'gm'))].at(-1)?.[0];
  const implType = /\.rs$/.test(path ?? '') ? [...above.matchAll(/^impl(?:<[^>]*>)?\s+(?:[\w:]+(?:<[^>]*>)?\s+for\s+)?([A-Za-z_]\w*)/gm)].at(-1)?.[1] : undefined;
  return implType ? [implType] : classLine ? basesOf(classLine) : [];
}

/**
 * A variable's type from the last line above that gives it: `receiver = Type(` / `new Type(` / `receiver: Type`; Go's
 * `receiver Type` (parameters, method receivers, `var`) and `receiver := Type{` / `&Type{`; Rust's
 * `receiver = Type::new(`. Empty when none does.
 */
function typeOfVariable(above: string, receiver: string): string[] {
  const escaped = receiver.replace(/\$/g, '\\$');
  const pattern = new RegExp(
    `\\b${escaped}\\s*(?::\\s*&?(?:mut\\s+)?([A-Za-z_$][\\w$.]*)|:?=\\s*(?:new\\s+|await\\s+|&)?([A-Za-z_$][\\w$.]*?)(?:\\s*\\(|\\{|::\\w+\\s*\\())|(?:[(,]|\\bvar)\\s*${escaped}\\s+\\*?([A-Za-z_][\\w.]*)`,
    'g',
  );
  const assigned = [...above.matchAll(pattern)].at(-1);
  const typeName = (assigned?.[1] ?? assigned?.[2] ?? assigned?.[3])?.split('.').at(-1);
  return typeName ? [typeName] : [];
}

/** A workspace file named like a module the document imports (`name.py`, `name.ts`, `name/__init__.py`) near it. */
function moduleFile(request: ContextRequest, name: string, index: WorkspaceIndex): string | undefined {
  if (!request.path) return undefined;
  const dir = dirname(request.path);
  const candidates = [`${name}.py`, join(name, '__init__.py'), `${name}.ts`, join(name, 'index.ts'), `${name}.js`].map((file) => join(dir, file));
  return candidates.find((path) => index.has(path));
}
