// The model's updated block, turned into the one edit to suggest: the lines it changed against the block as it is,
// or nothing — an answer that changes nothing, or only whitespace, is no suggestion; neither is one that rewrites the
// line the user is typing on at the cursor (that is ghost text's job) or that went stale while it was generated.
import { changedLines } from './editHistory';
import type { EditableBlock } from './nextEditPrompt';

/** A suggestion: lines `[startLine, endLine)` of the document (0-based, end exclusive) become `lines`. */
export interface LineEdit {
  startLine: number;
  endLine: number;
  lines: string[];
}

/** Whether two texts differ only in whitespace. */
function sameIgnoringWhitespace(a: readonly string[], b: readonly string[]): boolean {
  return a.join('\n').replace(/\s+/g, '') === b.join('\n').replace(/\s+/g, '');
}

/**
 * The edit the answer makes to the block: `answer` is the text the model wrote after the prompt's prefill (the rest of
 * the updated block; a trailing end of line, or an unfinished last line cut by the token limit, as it came).
 * `complete` says whether the model ended the block itself: a block cut short cannot say what it does to the lines
 * it did not reach, so only a change it had finished (the lines after it already agreeing) is taken.
 */
export function editFromAnswer(block: EditableBlock, answer: string, complete: boolean): LineEdit | null {
  const written = answer.replace(/\r\n?/g, '\n').replace(/\n$/, '');
  let updated = [...block.lines.slice(0, block.prefillLines), ...(written === '' ? [] : written.split('\n'))];
  if (!complete) {
    // The last line may be unfinished: only whole lines count. Where the last of them is a line of the block (not a
    // blank one, which could be any), the answer has come back to the block there; the lines after are kept as they are.
    const whole = answer.endsWith('\n') || written === '' ? updated : updated.slice(0, -1);
    const last = whole.at(-1);
    const at = last === undefined || last.trim() === '' ? -1 : block.lines.lastIndexOf(last);
    if (at < 0) return null;
    updated = [...whole, ...block.lines.slice(at + 1)];
  }
  const change = changedLines(block.lines, updated);
  if (!change) return null;
  const before = block.lines.slice(change.start, change.oldEnd);
  const after = updated.slice(change.start, change.newEnd);
  if (sameIgnoringWhitespace(before, after)) return null;
  return { startLine: block.start + change.start, endLine: block.start + change.oldEnd, lines: after };
}

/**
 * Whether a suggestion can still be shown: the lines it replaces hold what they held when it was asked (`expected`),
 * and it does not touch the cursor's line while the user is typing there (ghost text completes that line).
 */
export function stillApplies(edit: LineEdit, expected: readonly string[], documentLines: readonly string[], cursorLine: number): boolean {
  for (let i = edit.startLine; i < edit.endLine; i++) if (documentLines[i] !== expected[i - edit.startLine]) return false;
  const touchesCursor = edit.startLine <= cursorLine && cursorLine < Math.max(edit.endLine, edit.startLine + 1);
  return !touchesCursor;
}

/** `text` with the edit made: its lines replaced, the document's own line endings kept (CRLF where it has them). */
export function applyLineEdit(text: string, edit: LineEdit): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  return [...lines.slice(0, edit.startLine), ...edit.lines, ...lines.slice(edit.endLine)].join(eol);
}

/**
 * The edit as ghost text at the cursor, where it is one: it replaces the cursor's line (and maybe adds lines after
 * it), and what it writes there is the line's text before the cursor, something new, then the line's text after the
 * cursor — an insertion at the cursor, which ghost text shows and Tab accepts. Undefined otherwise.
 */
export function ghostTextAt(edit: LineEdit, lineText: string, cursor: { line: number; character: number }): string | undefined {
  if (edit.startLine !== cursor.line || edit.endLine !== cursor.line + 1 || edit.lines.length === 0) return undefined;
  const before = lineText.slice(0, cursor.character);
  const after = lineText.slice(cursor.character);
  const written = edit.lines.join('\n');
  if (!written.startsWith(before) || !written.endsWith(after) || written.length <= lineText.length) return undefined;
  return written.slice(before.length, written.length - after.length);
}
