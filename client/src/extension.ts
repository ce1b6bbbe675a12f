// Composition root of the Hearth extension: builds the log, status bar and server connection, and registers the
// commands. Inline completions themselves come from the server through the language client.
import * as vscode from 'vscode';
import type { ServerStatus } from '../../common/protocol';
import { settingsSection } from '../../common/settings';
import { isLanguageEnabled } from '../../common/settings';
import { readSettings, setEnabled, setLanguageEnabled } from './config';
import { join } from 'node:path';
import { codeEditorFor, isCodeEditor } from './instruct/codeEditor';
import { ExplainView } from './instruct/explainView';
import { registerLanguageModel } from './languageModel/languageModelProvider';
import { ModelChooser } from './models/chooseModel';
import { NextEditController } from './nextEdit/nextEditController';
import { type ProposalOutcome, RefactorView } from './instruct/refactorView';
import { HearthServer, type ProvidedCompletions } from './serverClient';
import { type ClientStatus, StatusBar } from './statusBar';
import { bundledModelFile, statusMenuItems } from './statusMenu';
import { RemoteAccessManager } from './remote/remoteAccess';

/** What Hearth offers other extensions (and its own end-to-end tests). */
export interface HearthApi {
  status(): ClientStatus;
  readonly onDidChangeStatus: vscode.Event<ClientStatus>;
  readonly onDidProvideInlineCompletions: vscode.Event<ProvidedCompletions>;
  /** The newest explanation's text so far. */
  latestExplanation(): string | undefined;
  /** The last few explanations' texts, oldest first. */
  explanations(): readonly string[];
  /** Fires when a refactor proposal is ready, accepted, rejected, refused (stale) or failed. */
  readonly onDidEndRefactor: vscode.Event<ProposalOutcome>;
}

export async function activate(context: vscode.ExtensionContext): Promise<HearthApi> {
  const log = vscode.window.createOutputChannel('Hearth', { log: true });
  const statusBar = new StatusBar();
  const notifiedErrors = new Set<string>();
  let serverStatus: ClientStatus = { state: 'loading', message: 'Starting…' };

  const render = (): void => {
    const enabled = readSettings().enable;
    const healthy = serverStatus.state === 'ready' || serverStatus.state === 'generating';
    statusBar.setStatus(!enabled && healthy ? { state: 'disabled', message: 'Inline completions are off' } : serverStatus);
  };

  const statusEmitter = new vscode.EventEmitter<ClientStatus>();
  // Other extensions (and chat, where it lists providers' models) are told when the ready model changes.
  const modelChanged = new vscode.EventEmitter<void>();
  let lastModel: string | undefined;
  const onStatus = (status: ClientStatus): void => {
    serverStatus = status;
    render();
    statusEmitter.fire(status);
    const model = status.state === 'ready' ? status.model : undefined;
    if (model !== lastModel) {
      lastModel = model;
      modelChanged.fire();
    }
    if (status.state === 'error') notifyOnce(status, notifiedErrors);
  };

  const server = new HearthServer(context.asAbsolutePath('dist/server.js'), log, onStatus, context.storageUri?.fsPath, join(context.globalStorageUri.fsPath, 'windows'));
  running = server;
  const explainView = new ExplainView(server);
  const refactorView = new RefactorView(server, context.globalState);
  // Explain and Refactor work on the code the user was last in when the explanation or the diff has the focus.
  let lastCodeEditor = vscode.window.activeTextEditor && isCodeEditor(vscode.window.activeTextEditor) ? vscode.window.activeTextEditor : undefined;
  const codeEditor = () => codeEditorFor(vscode.window.activeTextEditor, lastCodeEditor, vscode.window.visibleTextEditors);
  const models = new ModelChooser(server, join(context.globalStorageUri.fsPath, 'models'));
  const prompts = new PromptDocuments();
  const remoteAccess = new RemoteAccessManager(context, server);
  const languageModel = registerLanguageModel(server, modelChanged.event);
  const nextEdits = new NextEditController(server, vscode.Uri.file(context.asAbsolutePath('media/next-edit.svg')), log);
  server.nextEditAt = (uri, version, position) => nextEdits.atCursor(uri, version, position);

  context.subscriptions.push(
    log,
    statusBar,
    statusEmitter,
    server,
    explainView,
    refactorView,
    remoteAccess,
    nextEdits,
    modelChanged,
    ...(languageModel ? [languageModel] : []),
    vscode.commands.registerCommand('hearth.setRemoteApiKey', () => remoteAccess.setApiKey()),
    // A chat model loaded, failed or cleared: the language model list changes.
    server.onDidChangeChatModel(() => modelChanged.fire()),
    vscode.window.onDidChangeActiveTextEditor((active) => {
      if (active && isCodeEditor(active)) lastCodeEditor = active;
    }),
    vscode.commands.registerCommand('hearth.explain', () => explainView.explain(codeEditor())),
    vscode.commands.registerCommand('hearth.refactor', (instruction?: unknown) => refactorView.refactor(codeEditor(), typeof instruction === 'string' ? instruction : undefined)),
    vscode.commands.registerCommand('hearth.acceptProposal', () => refactorView.accept()),
    vscode.commands.registerCommand('hearth.acceptProposalSelectively', () => refactorView.acceptSelectively()),
    vscode.commands.registerCommand('hearth.rejectProposal', () => refactorView.reject()),
    vscode.commands.registerCommand('hearth.enable', () => setEnabled(true)),
    vscode.commands.registerCommand('hearth.disable', () => setEnabled(false)),
    vscode.commands.registerCommand('hearth.toggle', () => setEnabled(!readSettings().enable)),
    vscode.commands.registerCommand('hearth.restartServer', () => server.restart()),
    vscode.commands.registerCommand('hearth.showLog', async () => {
      log.show();
      // The model's own lines are in the shared engine's log, when it runs there: opened beside this window's.
      const engine = 'sharedEngine' in serverStatus ? serverStatus.sharedEngine : undefined;
      if (engine) await vscode.window.showTextDocument(vscode.Uri.file(engine.log), { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
    }),
    vscode.commands.registerCommand('hearth.selectModel', (file?: unknown) => models.sideload(file instanceof vscode.Uri ? file : undefined)),
    // A catalogue id (a script, a test, the walkthrough): that model, without the picker.
    vscode.commands.registerCommand('hearth.chooseModel', (id?: unknown) => (typeof id === 'string' ? models.downloadById(id) : models.choose())),
    vscode.commands.registerCommand('hearth.statusMenu', () => showStatusMenu(serverStatus)),
    vscode.commands.registerCommand('hearth.setLanguageEnabled', (languageId: string, enabled: boolean) => setLanguageEnabled(languageId, enabled)),
    vscode.commands.registerCommand('hearth.showLastPrompt', () => showLastPrompt(server, prompts)),
    vscode.commands.registerCommand('hearth.clearWindowCache', async () => {
      const removed = await server.clearWindowCache();
      void vscode.window.showInformationMessage(removed === undefined ? 'Hearth: the server is not running.' : `Hearth: window cache cleared (${Math.round(removed / 2 ** 20)} MiB).`);
      return removed;
    }),
    vscode.workspace.registerTextDocumentContentProvider(promptScheme, prompts),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(settingsSection)) render();
    }),
  );

  await server.start();
  return {
    status: () => serverStatus,
    onDidChangeStatus: statusEmitter.event,
    onDidProvideInlineCompletions: server.onDidProvideInlineCompletions,
    latestExplanation: () => explainView.latest(),
    explanations: () => explainView.all(),
    onDidEndRefactor: refactorView.onDidEnd,
  };
}

/** Errors are shown once per distinct message and session, without a modal; the status bar keeps showing them. */
function notifyOnce(status: ServerStatus, seen: Set<string>): void {
  if (seen.has(status.message)) return;
  seen.add(status.message);
  const fix = status.action === 'hearth.selectModel' ? 'Choose Model…' : status.action === 'hearth.restartServer' ? 'Restart' : 'Show Log';
  void vscode.window.showWarningMessage(`Hearth: ${status.message}`, fix).then((choice) => {
    if (choice && status.action) void vscode.commands.executeCommand(status.action);
  });
}

/** The status item's menu: what Hearth can do from here, this language's switch first. */
async function showStatusMenu(status: ClientStatus): Promise<void> {
  const settings = readSettings();
  const languageId = vscode.window.activeTextEditor?.document.languageId;
  const items = statusMenuItems({
    enabled: settings.enable,
    languageId,
    languageEnabled: languageId !== undefined && isLanguageEnabled(settings, languageId),
    demoModel: 'model' in status && status.model === bundledModelFile,
  });
  const picked = await vscode.window.showQuickPick(items, { title: `Hearth — ${status.message}` });
  if (picked) await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
}

/** The running server, stopped (and waited for) at deactivation. */
let running: HearthServer | undefined;

export function deactivate(): Promise<void> | undefined {
  // The server's shutdown keeps its windows on disk: waited for, where disposing would only send it.
  return running?.stop();
}

/** Opens the last prompt (context from other files included) in an editor: what the model saw, for debugging. */
const promptScheme = 'hearth-prompt';

/** Read-only documents for what Hearth shows (nothing asks to be saved). */
class PromptDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private count = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  add(text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: promptScheme, path: '/Last prompt.txt', query: `n=${++this.count}` });
    this.texts.set(uri.toString(), text);
    return uri;
  }
}

async function showLastPrompt(server: HearthServer, documents: PromptDocuments): Promise<string | undefined> {
  const prompt = await server.lastPrompt();
  if (prompt === undefined) {
    void vscode.window.showInformationMessage('Hearth has not prompted the model yet.');
    return undefined;
  }
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(documents.add(prompt)), { preview: true });
  return prompt;
}
