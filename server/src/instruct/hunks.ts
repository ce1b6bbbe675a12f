// A refactor proposal as changes the user can take one by one: line hunks between the original code and the
// proposal (jsdiff), each a replacement of whole original lines; and the unified diff the headless command prints.
import { createTwoFilesPatch, diffLines } from 'diff';

/** Replace original lines [startLine, endLine) (relative to the original text) with `newText` (whole lines). */
export interface Hunk {
  startLine: number;
  endLine: number;
  newText: string;
}

/** The changed runs of lines between `original` and `proposal`; adjacent removals and additions form one hunk. */
export function buildHunks(original: string, proposal: string): Hunk[] {
  const withNewline = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  const hunks: Hunk[] = [];
  let line = 0;
  let open: Hunk | undefined;
  for (const part of diffLines(withNewline(original), withNewline(proposal))) {
    const count = part.count ?? part.value.split('\n').length - 1;
    if (!part.added && !part.removed) {
      if (open) hunks.push(open);
      open = undefined;
      line += count;
      continue;
    }
    open ??= { startLine: line, endLine: line, newText: '' };
    if (part.removed) {
      open.endLine += count;
      line += count;
    } else {
      open.newText += part.value;
    }
  }
  if (open) hunks.push(open);
  return hunks;
}

/** `original` with the hunks applied (all of them, or those chosen): the inverse of buildHunks. */
export function applyHunks(original: string, hunks: readonly Hunk[]): string {
  const lines = (original.endsWith('\n') ? original : `${original}\n`).split('\n').slice(0, -1).map((l) => `${l}\n`);
  let result = '';
  let at = 0;
  for (const hunk of [...hunks].sort((a, b) => a.startLine - b.startLine)) {
    result += lines.slice(at, hunk.startLine).join('') + hunk.newText;
    at = hunk.endLine;
  }
  result += lines.slice(at).join('');
  return original.endsWith('\n') ? result : result.replace(/\n$/, '');
}

/** A unified diff of a whole file before and after the proposal, as `git diff` would print it. */
export function unifiedDiff(path: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 });
}
