// Decisions about a refactor proposal that need no editor, so that tests reach them: where the original code is now
// (edits elsewhere may have moved it), whether accepting is still safe, and the text of the proposal document.

export interface Located {
  start: number;
  end: number;
}

/**
 * Where `original` is in `documentText` now: at `expectedStart` if it is still there, else its only occurrence (edits
 * above it moved it), else — an edit inside it, or ambiguity — undefined: accepting must refuse.
 */
export function locateOriginal(documentText: string, original: string, expectedStart: number): Located | undefined {
  if (documentText.startsWith(original, expectedStart)) return { start: expectedStart, end: expectedStart + original.length };
  const first = documentText.indexOf(original);
  if (first < 0 || documentText.indexOf(original, first + 1) >= 0) return undefined;
  return { start: first, end: first + original.length };
}

/** The offset of a (line, character) position in `text`, clamped to it. */
export function offsetAt(text: string, position: { line: number; character: number }): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const newline = text.indexOf('\n', offset);
    if (newline < 0) return text.length;
    offset = newline + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  return Math.min(offset + position.character, lineEnd < 0 ? text.length : lineEnd);
}

/** The whole document as it would read with the proposal in place of the original range (the diff's right side). */
export function proposedDocument(documentText: string, range: Located, proposal: string): string {
  return documentText.slice(0, range.start) + proposal + documentText.slice(range.end);
}

/** The most recent instructions first, each once, at most `limit`. */
export function rememberInstruction(recent: readonly string[], instruction: string, limit = 5): string[] {
  const trimmed = instruction.trim();
  if (trimmed === '') return [...recent];
  return [trimmed, ...recent.filter((item) => item !== trimmed)].slice(0, limit);
}

export interface LineEdit {
  /** Replace from (startLine, 0) to (endLine, endCharacter) with `text`. */
  startLine: number;
  endLine: number;
  endCharacter: number;
  text: string;
}

/**
 * The hunks as edits of the document now: moved by `shift` lines (edits above the code since the request), each
 * replacing whole lines; a hunk that reaches past the last line (a file without a final newline) ends at that line's
 * end and adds no newline.
 */
export function hunkEdits(hunks: ReadonlyArray<{ startLine: number; endLine: number; newText: string }>, shift: number, lineCount: number, lastLineLength: number): LineEdit[] {
  return hunks.map((hunk) => {
    const pastEnd = hunk.endLine + shift > lineCount - 1;
    return pastEnd
      ? { startLine: hunk.startLine + shift, endLine: lineCount - 1, endCharacter: lastLineLength, text: hunk.newText.replace(/\n$/, '') }
      : { startLine: hunk.startLine + shift, endLine: hunk.endLine + shift, endCharacter: 0, text: hunk.newText };
  });
}

export const staleMessage = 'Hearth: the code changed while the proposal was being made, so it was not applied. Run Refactor again on the current code.';
