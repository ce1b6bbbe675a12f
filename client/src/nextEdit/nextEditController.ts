// Next-edit suggestions in the editor, with VS Code's stable API only (inline edits are still proposed API, which the
// Marketplace refuses): once typing pauses the server is asked for the next edit (hearth/nextEdit); a suggestion is
// drawn as decorations — the lines it replaces marked, its text beside them in ghost-text colour, a gutter mark — and,
// where it is off screen, a hint at the cursor. While one is shown the context key `hearth.nextEditShown` is set, so
// Tab (go there, then apply it as one undoable edit) and Escape (dismiss) do nothing else. The decisions are in
// nextEditSession.ts, unit-tested; this file is the glue.
import * as vscode from 'vscode';
import type { NextEditParams, NextEditResult } from '../../../common/protocol';
import { isLanguageEnabled } from '../../../common/settings';
import { readSettings } from '../config';
import { lookOf, NextEditSession, replacementFor, type Suggestion } from './nextEditSession';

export const nextEditContextKey = 'hearth.nextEditShown';

/** After the last keystroke, this long without another before the next edit is asked for (it costs a model run). */
export const askAfterMs = 750;

export interface NextEditSource {
  nextEdit(params: NextEditParams, token: vscode.CancellationToken): Promise<NextEditResult | undefined>;
}

/** The decoration types, made once. */
function decorationTypes(gutterIcon: vscode.Uri) {
  return {
    replaced: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.modifiedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      gutterIconPath: gutterIcon,
      gutterIconSize: 'contain',
    }),
    text: vscode.window.createTextEditorDecorationType({ after: { color: new vscode.ThemeColor('editorGhostText.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' } }),
    hint: vscode.window.createTextEditorDecorationType({ after: { color: new vscode.ThemeColor('editorGhostText.foreground'), margin: '0 0 0 2em' } }),
  };
}

export class NextEditController implements vscode.Disposable {
  private readonly session = new NextEditSession();
  private readonly types: ReturnType<typeof decorationTypes>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private editor: vscode.TextEditor | undefined;
  private readonly shownEmitter = new vscode.EventEmitter<Suggestion | undefined>();
  /** Fires when a suggestion is shown (undefined: hidden): for the end-to-end tests. */
  readonly onDidChangeSuggestion = this.shownEmitter.event;

  constructor(
    private readonly source: NextEditSource,
    gutterIcon: vscode.Uri,
    private readonly log: Pick<vscode.LogOutputChannel, 'debug'>,
  ) {
    this.types = decorationTypes(gutterIcon);
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length === 0 || event.document !== vscode.window.activeTextEditor?.document) return;
        if (this.session.changed()) this.render();
        this.schedule(vscode.window.activeTextEditor);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => {
        clearTimeout(this.timer);
        if (this.session.changed()) this.render();
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges((event) => {
        if (event.textEditor === this.editor && this.session.current) this.render();
      }),
      vscode.commands.registerCommand('hearth.nextEdit.tab', () => this.tab()),
      vscode.commands.registerCommand('hearth.nextEdit.dismiss', () => {
        if (this.session.dismiss()) this.render();
      }),
    );
  }

  /** The text a next edit inserts at this cursor, if the last answer was one (the inline middleware shows it). */
  atCursor(uri: string, version: number, position: { line: number; character: number }): string | undefined {
    return this.session.atCursor(uri, version, position);
  }

  /** The suggestion shown, if any (for tests). */
  get current(): Suggestion | undefined {
    return this.session.current;
  }

  private schedule(editor: vscode.TextEditor | undefined): void {
    clearTimeout(this.timer);
    if (!editor || !wanted(editor.document)) return;
    this.timer = setTimeout(() => void this.ask(editor), askAfterMs);
  }

  private async ask(editor: vscode.TextEditor): Promise<void> {
    const { document } = editor;
    if (vscode.window.activeTextEditor !== editor || !editor.selection.isEmpty) return;
    const version = document.version;
    const source = new vscode.CancellationTokenSource();
    const position = { line: editor.selection.active.line, character: editor.selection.active.character };
    this.session.asked(version, () => source.cancel(), position);
    try {
      const result = await this.source.nextEdit({ uri: document.uri.toString(), version, position }, source.token);
      this.log.debug(`Next edit for ${document.uri.toString()} v${version}: ${result?.suggestion ? `lines ${result.suggestion.startLine + 1}-${result.suggestion.endLine}` : (result?.reason ?? 'no server')}`);
      if (result && this.session.answered(version, result, document.version)) {
        this.editor = editor;
        this.render();
      } else if (this.session.hasGhost) {
        // An insertion at the cursor: ghost text, which the inline completion asked now shows (atCursor), in place of
        // any shown there (VS Code keeps a suggestion it shows when asked again).
        await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
        await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      }
    } catch {
      // Cancelled by the next keystroke, or the server restarting: nothing to show.
    } finally {
      source.dispose();
    }
  }

  private async tab(): Promise<void> {
    const editor = this.editor;
    const shown = this.session.current;
    if (!editor || !shown || editor.document.version !== shown.version) {
      if (this.session.dismiss()) this.render();
      return;
    }
    const action = this.session.tab(editor.selection.active.line);
    if (action === 'jump') {
      const line = Math.min(shown.startLine, editor.document.lineCount - 1);
      const at = new vscode.Position(line, editor.document.lineAt(line).firstNonWhitespaceCharacterIndex);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      this.render();
    } else if (action === 'apply') {
      const document = editor.document;
      const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
      const edit = replacementFor(shown, document.lineCount, (line) => document.lineAt(line).text.length, eol);
      this.session.dismiss();
      this.render();
      // One edit: one Undo reverts it.
      await editor.edit((builder) => builder.replace(new vscode.Range(edit.start.line, edit.start.character, edit.end.line, edit.end.character), edit.text));
    }
  }

  private render(): void {
    const editor = this.editor;
    const shown = this.session.current;
    void vscode.commands.executeCommand('setContext', nextEditContextKey, shown !== undefined);
    this.shownEmitter.fire(shown);
    if (!editor) return;
    if (!shown) {
      for (const type of Object.values(this.types)) editor.setDecorations(type, []);
      return;
    }
    const look = lookOf(shown);
    const lastLine = editor.document.lineCount - 1;
    const replaced = [];
    for (let line = look.replaced.startLine; line < look.replaced.endLine && line <= lastLine; line++) replaced.push(new vscode.Range(line, 0, line, 0));
    editor.setDecorations(this.types.replaced, replaced);
    const after = Math.min(look.shownAfterLine, lastLine);
    const end = editor.document.lineAt(after).range.end;
    editor.setDecorations(this.types.text, [{ range: new vscode.Range(end, end), renderOptions: { after: { contentText: look.text } } }]);
    // Off screen: a hint at the cursor says where, and that Tab goes there.
    const visible = editor.visibleRanges.some((range) => range.start.line <= look.replaced.startLine && look.replaced.startLine <= range.end.line);
    const cursor = editor.document.lineAt(editor.selection.active.line).range.end;
    editor.setDecorations(this.types.hint, visible ? [] : [{ range: new vscode.Range(cursor, cursor), renderOptions: { after: { contentText: `⇥ Tab: next edit at line ${shown.startLine + 1}` } } }]);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.session.changed();
    for (const type of Object.values(this.types)) type.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.shownEmitter.dispose();
  }
}

/**
 * Whether next edits are asked for in this document: a next-edit model set, next edits on (their own switch: ghost
 * text's `hearth.enable` does not turn them off), its language one Hearth works in.
 */
function wanted(document: vscode.TextDocument): boolean {
  const settings = readSettings();
  if (!settings.nextEdits || settings.nextEditModelPath === '') return false;
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return false;
  // The language's switch (hearth.enabledLanguages), whether or not ghost text is on.
  return isLanguageEnabled({ ...settings, enable: true }, document.languageId);
}
