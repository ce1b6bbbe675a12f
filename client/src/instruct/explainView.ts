// Hearth: Explain. The explanation streams into a read-only virtual Markdown document shown rendered beside the code;
// running the command again, or closing the explanation, stops the generation.
import * as vscode from 'vscode';
import type { HearthServer } from '../serverClient';
import { explanationFileName, explanationScheme, labelShows } from './codeEditor';

/**
 * The rendered view is refreshed at most this often while the explanation streams. (VS Code drops a virtual
 * document's update that a newer one overtakes before it is applied, so a busy editor shows fewer steps; the last
 * one, the whole explanation, always shows.)
 */
const refreshMs = 100;
/** Explanations whose text is kept. */
const keptExplanations = 10;

interface Running {
  uri: vscode.Uri;
  cancel: vscode.CancellationTokenSource;
}

export class ExplainView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private running: Running | undefined;
  private count = 0;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly server: HearthServer) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(explanationScheme, this),
      // Closing the explanation (its preview or its text tab) stops the generation. (Not onDidCloseTextDocument:
      // setting the document's language to Markdown closes and reopens it.)
      vscode.window.tabGroups.onDidChangeTabs((event) => {
        const running = this.running;
        if (running && event.closed.some((tab) => isTabOf(tab, running.uri))) this.stop();
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** The text of the newest explanation so far (for tests and the API). */
  latest(): string | undefined {
    return this.all().at(-1);
  }

  /** The explanations kept (the last few), oldest first. */
  all(): string[] {
    return [...this.texts.values()];
  }

  stop(): void {
    this.running?.cancel.cancel();
    this.running = undefined;
  }

  async explain(editor: vscode.TextEditor | undefined): Promise<void> {
    if (!editor) {
      void vscode.window.showInformationMessage('Hearth: open a file and put the cursor in the code to explain.');
      return;
    }
    this.stop(); // running the command again stops the previous explanation
    const { document, selection } = editor;
    const name = document.uri.path.split('/').pop() || 'code';
    const uri = vscode.Uri.from({ scheme: explanationScheme, path: `/${explanationFileName(name, selection, openTabLabels())}`, query: `n=${++this.count}` });
    const cancel = new vscode.CancellationTokenSource();
    this.running = { uri, cancel };
    const header = `*Hearth is explaining ${selection.isEmpty ? 'the code around the cursor' : 'the selection'} in ${name}…*\n\n`;
    let body = '';
    this.texts.set(uri.toString(), header);
    // The last few are kept for their tabs (a reopened tab asks for its text again); older ones are dropped.
    for (const old of [...this.texts.keys()].slice(0, -keptExplanations)) this.texts.delete(old);
    await this.show(uri);

    let timer: NodeJS.Timeout | undefined;
    const refresh = () => {
      timer = undefined;
      this.texts.set(uri.toString(), header + body);
      this.changed.fire(uri);
    };
    const diagnostics = selection.isEmpty ? vscode.languages.getDiagnostics(document.uri).filter((d) => d.range.contains(selection.active)).map((d) => d.message) : [];
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Hearth: explaining…' }, () =>
        this.server.instruct(
          {
            task: 'explain',
            uri: document.uri.toString(),
            version: document.version,
            selection: selection.isEmpty ? undefined : selection,
            position: selection.active,
            diagnostics,
          },
          cancel.token,
          (progress) => {
            body += progress.delta;
            timer ??= setTimeout(refresh, refreshMs);
          },
        ),
      );
      clearTimeout(timer);
      const lines = result.range.end.line - result.range.start.line + 1;
      const footer = result.error ? `\n\n> ${result.cancelled ? 'Stopped.' : `Hearth: ${result.error}`}` : `\n\n---\n*Lines ${result.range.start.line + 1}–${result.range.end.line + 1} (${lines}) of ${name}, explained by the local model.*`;
      this.settle(uri, `${body === '' ? header : ''}${body}${footer}`);
    } catch (error) {
      clearTimeout(timer);
      this.settle(uri, `${header}${body}\n\n> Hearth: ${(error as Error).message}`);
    } finally {
      if (this.running?.uri === uri) this.running = undefined;
      cancel.dispose();
    }
  }

  /**
   * The final text, and the same again twice later (with a trailing newline toggled, so that it is a change): a
   * Markdown preview that was still starting when a short explanation finished misses the updates before it
   * listened, and kept showing the first lines (seen in code-server).
   */
  private settle(uri: vscode.Uri, text: string): void {
    const set = (value: string) => {
      if (!this.texts.has(uri.toString())) return;
      this.texts.set(uri.toString(), value);
      this.changed.fire(uri);
    };
    set(text);
    setTimeout(() => set(`${text}\n`), 500);
    setTimeout(() => set(text), 2000);
  }

  /** Shown rendered beside the code (Markdown preview); as text where the preview is not available. */
  private async show(uri: vscode.Uri): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'markdown');
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
    }
  }

  dispose(): void {
    this.stop();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * Whether a tab shows `uri`: as text, or as its Markdown preview (a webview tab labelled "Preview <file name>"; the
 * names are unique among open tabs, see explanationFileName).
 */
function isTabOf(tab: vscode.Tab, uri: vscode.Uri): boolean {
  if (tab.input instanceof vscode.TabInputText) return tab.input.uri.toString() === uri.toString();
  return tab.input instanceof vscode.TabInputWebview && labelShows(tab.label, uri.path.split('/').pop() ?? '');
}

function openTabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}
