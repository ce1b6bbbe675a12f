// Tells the server where the cursor rests — a file opened, a click, a jump — once it has stayed put a moment, so the
// server can evaluate that spot's prompt in the background before the first keystroke there.
import type * as vscode from 'vscode';
import { type CursorRest, cursorRestMs } from '../../common/protocol';

/** What to report for the active editor: only a plain cursor in a file or untitled document the server completes in. */
export function cursorRestFor(
  editor: { document: Pick<vscode.TextDocument, 'uri' | 'version' | 'languageId'>; selection: Pick<vscode.Selection, 'isEmpty' | 'active'> } | undefined,
  completesIn: (languageId: string) => boolean,
): CursorRest | undefined {
  if (!editor || !editor.selection.isEmpty) return undefined;
  const { document } = editor;
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return undefined;
  if (!completesIn(document.languageId)) return undefined;
  return { uri: document.uri.toString(), version: document.version, position: { line: editor.selection.active.line, character: editor.selection.active.character } };
}

/** Calls `send` once the cursor has rested `cursorRestMs`; the same spot twice in a row is sent once. */
export class CursorRestDebounce {
  private timer: NodeJS.Timeout | undefined;
  private lastSent: string | undefined;

  constructor(private readonly send: (rest: CursorRest) => void, private readonly delayMs = cursorRestMs) {}

  moved(rest: CursorRest | undefined): void {
    clearTimeout(this.timer);
    if (!rest) return;
    this.timer = setTimeout(() => {
      const key = JSON.stringify(rest);
      if (key === this.lastSent) return;
      this.lastSent = key;
      this.send(rest);
    }, this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
