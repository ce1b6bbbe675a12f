// What the editor does with next-edit suggestions, without VS Code in it (the controller beside it is the glue): one
// suggestion at a time, asked once the typing pauses, dropped the moment its document changes (a later pause asks
// again); Tab goes to it, Tab again applies it, Escape dismisses it.
import type { NextEditResult } from '../../../common/protocol';

export type Suggestion = NonNullable<NextEditResult['suggestion']>;

/** What Tab does: go to the suggestion, apply it (the cursor is there), or nothing (no suggestion: Tab is Tab). */
export type TabAction = 'jump' | 'apply' | 'none';

/** How the suggestion is drawn: the lines it replaces marked, the text it puts there shown after them. */
export interface SuggestionLook {
  /** Lines marked as replaced (0-based, end exclusive); empty for an insertion. */
  replaced: { startLine: number; endLine: number };
  /** The line the new text is shown after, and the text (its lines joined with ⏎). */
  shownAfterLine: number;
  text: string;
}

export class NextEditSession {
  private shown: Suggestion | undefined;
  /** An answer that inserts at the cursor: ghost text, until the document changes. */
  private ghost: Suggestion | undefined;
  private jumped = false;
  private asking: { version: number; cancel(): void; at?: { line: number; character: number } } | undefined;
  /** Where the cursor was when the ghost text's request was made: it is shown there only. */
  private ghostAt: { line: number; character: number } | undefined;

  /** The suggestion shown, if any. */
  get current(): Suggestion | undefined {
    return this.shown;
  }

  /** A request went out for this document version (the cursor at `at`); an older one still running is cancelled. */
  asked(version: number, cancel: () => void, at?: { line: number; character: number }): void {
    this.asking?.cancel();
    this.asking = { version, cancel, at };
  }

  /** The document changed: the request running and the suggestion shown are stale. Returns whether one was shown. */
  changed(): boolean {
    this.asking?.cancel();
    this.asking = undefined;
    this.ghost = undefined;
    return this.dismiss();
  }

  /** Whether an answer that inserts at the cursor waits to be shown as ghost text. */
  get hasGhost(): boolean {
    return this.ghost !== undefined;
  }

  /**
   * An answer came for `version`: shown when it is a suggestion for the document as it is now (`currentVersion`) and the
   * answer to the latest request. Returns whether it is shown.
   */
  answered(version: number, result: NextEditResult, currentVersion: number): boolean {
    if (this.asking?.version !== version) return false;
    const at = this.asking.at;
    this.asking = undefined;
    if (!result.suggestion || result.suggestion.version !== currentVersion) return false;
    // At the cursor it is ghost text: kept for the inline completion asked next (atCursor), not drawn.
    if (result.suggestion.atCursor !== undefined) {
      this.ghost = at && result.suggestion;
      this.ghostAt = at;
      return false;
    }
    this.shown = result.suggestion;
    this.jumped = false;
    return true;
  }

  /** The text a next edit inserts at this cursor, where the last answer was one for this document version and place. */
  atCursor(uri: string, version: number, position: { line: number; character: number }): string | undefined {
    const ghost = this.ghost;
    const at = this.ghostAt;
    if (!ghost || !at || ghost.uri !== uri || ghost.version !== version || at.line !== position.line || at.character !== position.character) return undefined;
    return ghost.atCursor;
  }

  /** Tab: to the suggestion first (unless the cursor is already on its lines), then applying it. */
  tab(cursorLine: number): TabAction {
    const shown = this.shown;
    if (!shown) return 'none';
    const onIt = cursorLine >= shown.startLine && cursorLine <= Math.max(shown.startLine, shown.endLine - 1);
    if (!this.jumped && !onIt) {
      this.jumped = true;
      return 'jump';
    }
    return 'apply';
  }

  /** Escape, or the suggestion applied: nothing shown. Returns whether one was. */
  dismiss(): boolean {
    const had = this.shown !== undefined;
    this.shown = undefined;
    this.jumped = false;
    return had;
  }
}

/** How `suggestion` is drawn: the replaced lines marked, the new text after the last of them (or above an insertion). */
export function lookOf(suggestion: Suggestion): SuggestionLook {
  const text = suggestion.lines.join(' ⏎ ');
  const insertion = suggestion.endLine === suggestion.startLine;
  return {
    replaced: { startLine: suggestion.startLine, endLine: suggestion.endLine },
    shownAfterLine: insertion ? Math.max(0, suggestion.startLine - 1) : suggestion.endLine - 1,
    text: insertion ? `+ ${text}` : `→ ${text}`,
  };
}

/** The text edit that applies `suggestion` to a document of `lineCount` lines (`lineLength(i)`: line i's length). */
export function replacementFor(
  suggestion: Pick<Suggestion, 'startLine' | 'endLine' | 'lines'>,
  lineCount: number,
  lineLength: (line: number) => number,
  eol: string,
): { start: { line: number; character: number }; end: { line: number; character: number }; text: string } {
  const { startLine, endLine, lines } = suggestion;
  const start = { line: startLine, character: 0 };
  // Lines inserted before `startLine`: the new lines and a line break, nothing replaced.
  if (endLine === startLine) return { start, end: start, text: `${lines.join(eol)}${eol}` };
  // Lines removed: up to the start of the line after them (to the end of the last line, where they end the document).
  if (lines.length === 0) {
    return endLine < lineCount ? { start, end: { line: endLine, character: 0 }, text: '' } : { start, end: { line: lineCount - 1, character: lineLength(lineCount - 1) }, text: '' };
  }
  return { start, end: { line: endLine - 1, character: lineLength(endLine - 1) }, text: lines.join(eol) };
}
