// Hearth: Refactor…. The rewritten code streams into a proposal shown in a diff editor beside the original; the file
// is not touched until the user accepts. Accept applies the proposal as one edit (one Undo reverts it); Accept
// Selectively… opens VS Code's refactor preview with each change to confirm; Reject discards it. A change inside the
// original code while the proposal was being made makes accepting refuse.
import * as vscode from 'vscode';
import type { InstructHunk } from '../../../common/protocol';
import type { HearthServer } from '../serverClient';
import { proposalScheme } from './codeEditor';
import { hunkEdits, locateOriginal, offsetAt, proposedDocument, rememberInstruction, staleMessage } from './proposalEdits';

const recentKey = 'hearth.recentRefactorInstructions';
const presets = [
  'Simplify this code without changing what it does',
  'Add type annotations',
  'Extract the repeated or complex part into a well-named function',
  'Add a doc comment',
  'Convert callbacks and promise chains to async/await',
];

interface Proposal {
  documentUri: vscode.Uri;
  proposalUri: vscode.Uri;
  instruction: string;
  /** The document's text when the request started, and where the original code was in it. */
  textAtStart: string;
  originalStart: number;
  original: string;
  code: string;
  hunks: InstructHunk[];
  /** Start line of the original when the request started (hunks are numbered from the document of that time). */
  startLine: number;
  done: boolean;
  cancel: vscode.CancellationTokenSource;
}

/** What a refactor ended in, for the API and tests. */
export type ProposalOutcome = 'ready' | 'accepted' | 'rejected' | 'refused' | 'failed';

export class RefactorView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly outcomes = new vscode.EventEmitter<ProposalOutcome>();
  readonly onDidEnd = this.outcomes.event;
  private current: Proposal | undefined;
  private count = 0;
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly server: HearthServer,
    private readonly state: vscode.Memento,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(proposalScheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** `instruction` given (a script, a test): no picker. */
  async refactor(editor: vscode.TextEditor | undefined, instruction?: string): Promise<void> {
    if (!editor) {
      void vscode.window.showInformationMessage('Hearth: open a file and select the code to refactor.');
      return;
    }
    const chosen = instruction ?? (await this.pickInstruction());
    if (!chosen) return;
    await this.state.update(recentKey, rememberInstruction(this.state.get<string[]>(recentKey, []), chosen));
    await this.discard(); // one proposal at a time
    const { document, selection } = editor;
    const name = document.uri.path.split('/').pop() || 'code';
    const proposalUri = vscode.Uri.from({ scheme: proposalScheme, path: `/${name}`, query: `n=${++this.count}` });
    const textAtStart = document.getText();
    const proposal: Proposal = {
      documentUri: document.uri,
      proposalUri,
      instruction: chosen,
      textAtStart,
      originalStart: 0,
      original: '',
      code: '',
      hunks: [],
      startLine: 0,
      done: false,
      cancel: new vscode.CancellationTokenSource(),
    };
    this.current = proposal;
    setContext('hearth.proposalPending', true);
    this.contents.set(proposalUri.toString(), textAtStart);
    const show = (code: string) => {
      if (this.current !== proposal) return;
      proposal.code = code;
      this.contents.set(proposalUri.toString(), proposedDocument(textAtStart, { start: proposal.originalStart, end: proposal.originalStart + proposal.original.length }, code));
      this.changed.fire(proposalUri);
    };
    let opened: Thenable<unknown> | undefined;
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Hearth: writing a proposal…' }, () =>
        this.server.instruct(
          { task: 'refactor', uri: document.uri.toString(), version: document.version, selection: selection.isEmpty ? undefined : selection, position: selection.active, instruction: chosen },
          proposal.cancel.token,
          (progress) => {
            if (progress.range) {
              // The code being rewritten, as it was at the start: the proposal replaces exactly that.
              // (The document may have changed since: positions are read in its text of that time.)
              proposal.originalStart = offsetAt(textAtStart, progress.range.start);
              const end = offsetAt(textAtStart, progress.range.end);
              proposal.original = textAtStart.slice(proposal.originalStart, end);
              proposal.startLine = progress.range.start.line;
              opened = vscode.commands.executeCommand('vscode.diff', document.uri, proposalUri, `${name} ↔ Hearth: ${chosen}`, { viewColumn: vscode.ViewColumn.Beside, preview: true });
            }
            if (progress.code !== undefined) show(progress.code);
          },
        ),
      );
      await opened;
      if (this.current !== proposal) return; // discarded meanwhile
      proposal.done = true;
      if (result.error || result.code === undefined) {
        await this.discard();
        if (!result.cancelled) void vscode.window.showWarningMessage(`Hearth: ${result.error ?? 'no proposal'}`);
        this.outcomes.fire('failed');
        return;
      }
      proposal.original = result.original;
      proposal.hunks = result.hunks ?? [];
      show(result.code);
      setContext('hearth.proposalReady', true);
      this.outcomes.fire('ready');
      const choice = await vscode.window.showInformationMessage(`Hearth: proposal ready (${proposal.hunks.length} change${proposal.hunks.length === 1 ? '' : 's'}).`, 'Accept', 'Accept Selectively…', 'Reject');
      if (this.current !== proposal || !choice) return;
      if (choice === 'Accept') await this.accept();
      else if (choice === 'Reject') await this.reject();
      else await this.acceptSelectively();
    } catch (error) {
      if (this.current === proposal) await this.discard();
      void vscode.window.showErrorMessage(`Hearth: ${(error as Error).message}`);
      this.outcomes.fire('failed');
    }
  }

  /** Applies the whole proposal as one edit; refuses if the original code changed meanwhile. */
  async accept(): Promise<boolean> {
    const proposal = this.ready();
    if (!proposal) return false;
    const document = await vscode.workspace.openTextDocument(proposal.documentUri);
    const located = locateOriginal(document.getText(), proposal.original, proposal.originalStart);
    if (!located) return this.refuse();
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(located.start), document.positionAt(located.end)), proposal.code);
    const applied = await vscode.workspace.applyEdit(edit);
    await this.discard();
    this.outcomes.fire(applied ? 'accepted' : 'failed');
    return applied;
  }

  /** Each change to confirm in VS Code's refactor preview. */
  async acceptSelectively(): Promise<boolean> {
    const proposal = this.ready();
    if (!proposal) return false;
    const document = await vscode.workspace.openTextDocument(proposal.documentUri);
    const located = locateOriginal(document.getText(), proposal.original, proposal.originalStart);
    if (!located) return this.refuse();
    const shift = document.positionAt(located.start).line - proposal.startLine;
    const edit = new vscode.WorkspaceEdit();
    const edits = hunkEdits(proposal.hunks, shift, document.lineCount, document.lineAt(document.lineCount - 1).text.length);
    edits.forEach((line, i) => {
      const range = new vscode.Range(line.startLine, 0, line.endLine, line.endCharacter);
      edit.replace(document.uri, range, line.text, { needsConfirmation: true, label: `Change ${i + 1} of ${edits.length}`, description: proposal.instruction });
    });
    const applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
    await this.discard();
    this.outcomes.fire(applied ? 'accepted' : 'rejected');
    return applied;
  }

  async reject(): Promise<void> {
    if (!this.current) return;
    await this.discard();
    this.outcomes.fire('rejected');
  }

  private ready(): Proposal | undefined {
    const proposal = this.current;
    if (!proposal) void vscode.window.showInformationMessage('Hearth: there is no refactor proposal to accept.');
    else if (!proposal.done) void vscode.window.showInformationMessage('Hearth: the proposal is still being written.');
    return proposal?.done ? proposal : undefined;
  }

  private refuse(): false {
    void vscode.window.showErrorMessage(staleMessage);
    this.outcomes.fire('refused');
    return false;
  }

  /** Stops any generation, closes the diff and forgets the proposal. */
  private async discard(): Promise<void> {
    const proposal = this.current;
    if (!proposal) return;
    this.current = undefined;
    setContext('hearth.proposalPending', false);
    setContext('hearth.proposalReady', false);
    proposal.cancel.cancel();
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposal.proposalUri.toString());
    this.contents.delete(proposal.proposalUri.toString());
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  }

  private pickInstruction(): Promise<string | undefined> {
    const recent = this.state.get<string[]>(recentKey, []);
    const pick = vscode.window.createQuickPick();
    pick.title = 'Hearth: Refactor — what should change?';
    pick.placeholder = 'Type an instruction, or pick one';
    const fixed: vscode.QuickPickItem[] = [
      ...(recent.length > 0 ? [{ label: 'Recent', kind: vscode.QuickPickItemKind.Separator }, ...recent.map((label) => ({ label }))] : []),
      { label: 'Presets', kind: vscode.QuickPickItemKind.Separator },
      ...presets.filter((label) => !recent.includes(label)).map((label) => ({ label })),
    ];
    pick.items = fixed;
    pick.onDidChangeValue((value) => {
      pick.items = value.trim() === '' ? fixed : [{ label: value, description: 'your instruction' }, ...fixed];
    });
    return new Promise((resolve) => {
      pick.onDidAccept(() => {
        resolve(pick.selectedItems[0]?.label ?? (pick.value.trim() || undefined));
        pick.hide();
      });
      pick.onDidHide(() => {
        resolve(undefined);
        pick.dispose();
      });
      pick.show();
    });
  }

  dispose(): void {
    void this.discard();
    this.registration.dispose();
    this.changed.dispose();
    this.outcomes.dispose();
  }
}

function setContext(key: string, value: boolean): void {
  void vscode.commands.executeCommand('setContext', key, value);
}
