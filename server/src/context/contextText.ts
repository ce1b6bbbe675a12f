// The context builder's text helpers: where lines start and end, what a line names (identifiers by distance, a
// member access's receiver, a class line's bases), import headers, Go package names and methods declared outside
// their type (Go receivers, Rust impl blocks). Pure functions of text, each with unit tests (contextText.test.ts).
import type { IndexedDefinition } from './workspaceIndex';

/** A class's first line, with its bases: `class X(A, B):`, `class X extends A implements B`. */
export const classLinePattern = /^[ \t]*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+\w+\s*(?:\(([^)]*)\)|(?:<[^>]*>)?\s*extends\s+([\w$.]+)(?:<[^{]*?>)?(?:\s+implements\s+([\w$.,\s]+))?)?/m;

/** The first line of a definition, marked as cut. */
export function signatureOf(text: string): string {
  const first = text.split('\n')[0]!;
  return first === text ? text : `${first}\n…`;
}

/** The receiver of a member access being typed at the end of `lineBefore` (`self.pe` → `self`), if any. */
export function receiverBefore(lineBefore: string): string | undefined {
  return /([A-Za-z_$][\w$]*)\s*\.\s*[A-Za-z_$]?[\w$]*$/.exec(lineBefore)?.[1];
}

/** Waits for `done`, or until performance.now() reaches `deadline`, whichever comes first. */
export async function untilDeadline(done: Promise<void>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))));
  await Promise.race([done, late]);
  clearTimeout(timer);
}

export function lastLines(text: string, count: number): string {
  return text.split('\n').slice(-count).join('\n');
}

export function lastLinesStart(text: string, lineStart: number, count: number): number {
  let at = lineStart;
  for (let i = 0; i < count && at > 0; i++) at = text.lastIndexOf('\n', at - 2) + 1;
  return at;
}

/** The lines that look like imports: what the definitions source depends on besides the cursor's line. */
export function importHeader(text: string): string {
  // One regular-expression pass over the document (this runs on every keystroke): lines that start with an import
  // keyword, or call require().
  return (text.match(/^[^\S\n]*(?:import|from|use|#include|require|package)\b.*$|^.*require\(.*$/gm) ?? []).join('\n');
}

export function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/** A Go import's default local name: its last segment, less a major-version suffix (`…/yaml.v3` → yaml, `…/v2` → the one before). */
export function goPackageName(importPath: string): string {
  const segments = importPath.split('/');
  const last = /^v\d+$/.test(segments.at(-1)!) && segments.length > 1 ? segments.at(-2)! : segments.at(-1)!;
  return last.replace(/\.v\d+$/, '').replace(/^go-/, '').replace(/[^\w].*$/, '');
}

/**
 * Which of a file's definitions are methods of `typeName` declared outside its body: Go's `func (r *T) M(`, and the
 * functions inside Rust's `impl T` / `impl Trait for T` blocks.
 */
export function methodsOutside(path: string, lines: readonly string[], typeName: string): (definition: IndexedDefinition) => boolean {
  if (path.endsWith('.go')) {
    const receiver = new RegExp(`^func\\s*\\(\\s*\\w*\\s*\\*?${typeName}\\b`);
    return (d) => receiver.test(lines[d.startLine] ?? '');
  }
  if (path.endsWith('.rs')) {
    const implLine = new RegExp(`^impl\\b.*?\\b${typeName}\\b[^{]*\\{?\\s*$`);
    const blocks: Array<[number, number]> = [];
    for (let i = 0; i < lines.length; i++) {
      if (!implLine.test(lines[i]!) || (/ for /.test(lines[i]!) && !new RegExp(` for\\s+(?:[\\w:]+::)?${typeName}\\b`).test(lines[i]!))) continue;
      let end = i + 1;
      while (end < lines.length && !/^}/.test(lines[end]!)) end++;
      blocks.push([i, end]);
    }
    return (d) => blocks.some(([start, end]) => d.startLine > start && d.startLine < end);
  }
  return () => false;
}

/** The identifiers of the cursor's line (the last of `before`), then of the lines above and below it in turn, nearest first. */
export function identifiersByDistance(before: string, after: string): string[] {
  const above = before.split('\n').reverse();
  const below = after === '' ? [] : after.split('\n');
  const ordered = new Set<string>();
  for (let distance = 0; distance < Math.max(above.length, below.length + 1); distance++) {
    for (const name of above[distance]?.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) ordered.add(name);
    if (distance > 0) for (const name of below[distance - 1]?.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) ordered.add(name);
  }
  return [...ordered];
}

/** Where the `count` lines after the line ending at `lineEnd` end. */
export function nextLinesEnd(text: string, lineEnd: number, count: number): number {
  if (lineEnd < 0) return text.length;
  let at = lineEnd;
  for (let i = 0; i < count; i++) {
    const next = text.indexOf('\n', at + 1);
    if (next < 0) return text.length;
    at = next;
  }
  return at;
}

/** The bases a class line names (the last segment of dotted names, without type arguments). */
export function basesOf(classLine: string): string[] {
  const match = classLinePattern.exec(classLine);
  return [match?.[1], match?.[2], match?.[3]]
    .flatMap((list) => (list ?? '').split(','))
    .filter((name) => !name.includes('=')) // a keyword argument (`metaclass=ABCMeta`) names no base
    .map((name) => name.trim().split('.').at(-1)!.replace(/[^\w$].*$/, ''))
    .filter((name) => name !== '' && name !== 'object');
}
