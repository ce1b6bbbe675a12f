// Starts, stops and restarts the Hearth language server. A server that dies is restarted with backoff; its
// status notifications are passed on to whoever shows them.
import * as vscode from 'vscode';
import {
  CloseAction,
  type CloseHandlerResult,
  ErrorAction,
  type ErrorHandlerResult,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import {
  ChatModelChangedNotification,
  type ChatModelInfo,
  ChatModelInfoRequest,
  type ChatParams,
  ChatRequest,
  type ChatResult,
  CountTokensRequest,
  type CursorRest,
  CursorRestNotification,
  WindowFocusNotification,
  ClearWindowCacheRequest,
  FirstLineNotification,
  type InstructParams,
  type InstructProgress,
  InstructProgressNotification,
  InstructRequest,
  type NextEditParams,
  NextEditRequest,
  type NextEditResult,
  type InstructResult,
  LastPromptRequest,
  type RemoteAccess,
  RemoteAccessNotification,
  ModelInfoRequest,
  type ModelInfoResult,
  type HearthInitializationOptions,
  type MachineInfo,
  MachineInfoRequest,
  type PullModelParams,
  type PullModelProgress,
  PullModelProgressNotification,
  PullModelRequest,
  type PullModelResult,
  type ServerStatus,
  ServerStatusNotification,
} from '../../common/protocol';
import { serverExecArgv } from '../../common/serverProcess';
import { requestFailure } from './requestFailure';
import { indexedExtensions } from '../../common/languages';
import { ProgressRoutes } from '../../common/progressRoutes';
import { isLanguageEnabled } from '../../common/settings';
import { readSettings } from './config';
import { CursorRestDebounce, cursorRestFor } from './cursorRest';
import { FirstLineStream } from './firstLineStream';
import { retriggerForWhole } from './inlineDecisions';
import { inlineMiddleware, type ProvidedCompletions } from './inlineMiddleware';

export type { ProvidedCompletions } from './inlineMiddleware';
import { RestartBackoff } from './restartBackoff';
import type { ClientStatus } from './statusBar';

export class HearthServer implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly providedEmitter = new vscode.EventEmitter<ProvidedCompletions>();
  private readonly firstLines = new FirstLineStream();
  readonly onDidProvideInlineCompletions = this.providedEmitter.event;
  private readonly chatModelEmitter = new vscode.EventEmitter<void>();
  /** The model conversations go to has changed (a chat model loaded, failed or was cleared). */
  readonly onDidChangeChatModel = this.chatModelEmitter.event;
  private readonly backoff = new RestartBackoff();
  private restartTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly cursorRests = new CursorRestDebounce((rest) => this.sendCursorRest(rest));
  private readonly progress = new ProgressRoutes();
  private readonly editorListeners: vscode.Disposable[];

  constructor(
    serverModule: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly onStatus: (status: ClientStatus) => void,
    /** VS Code's storage for this workspace (context.storageUri): where the server keeps its workspace index. */
    storageDir?: string,
    /** The extension's global storage: where the server keeps evaluated windows (shared by all workspaces). */
    windowCacheDir?: string,
  ) {
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...serverExecArgv] } },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...serverExecArgv, '--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      outputChannel: log,
      initializationOptions: { indexCacheDir: storageDir, windowCacheDir } satisfies HearthInitializationOptions,
      // The server's workspace index follows source files created, changed and deleted outside the editor.
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher(`**/*.{${indexedExtensions.join(',')}}`) },
      middleware: {
        provideInlineCompletionItems: inlineMiddleware<vscode.TextDocument, vscode.Position, vscode.InlineCompletionContext, vscode.InlineCompletionItem[] | vscode.InlineCompletionList, vscode.CancellationToken>({
          uriOf: (document) => document.uri.toString(),
          languageEnabled: (languageId) => isLanguageEnabled(readSettings(), languageId),
          newCancellation: () => new vscode.CancellationTokenSource(),
          firstLine: (uri, version, position, token) => this.firstLines.wait(uri, version, position, token),
          onEdit: (document, listener) => vscode.workspace.onDidChangeTextDocument((change) => listener(change.document === document, change.contentChanges.length)),
          retriggerIfUnchanged: (document, position, version, token) => this.retriggerIfUnchanged(document, position, version, token),
          nextEditAt: (uri, version, position) => this.nextEditAt?.(uri, version, position),
          firstLineResult: (text, position) => [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))],
          textsOf: (result) => (Array.isArray(result) ? result : (result?.items ?? [])).map((item) => (typeof item.insertText === 'string' ? item.insertText : item.insertText.value)),
          provided: (event) => this.providedEmitter.fire(event),
        }),
      },
      errorHandler: {
        error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue, handled: true }),
        closed: (): CloseHandlerResult => this.onServerClosed(),
      },
    };
    this.client = new LanguageClient('hearth', 'Hearth', serverOptions, clientOptions);
    this.client.onNotification(ServerStatusNotification.type, (status: ServerStatus) => this.onStatus(status));
    this.client.onNotification(FirstLineNotification.type, (message) => this.firstLines.deliver(message));
    this.client.onNotification(InstructProgressNotification.type, (progress) => this.progress.deliver(progress));
    this.client.onNotification(PullModelProgressNotification.type, (progress) => this.progress.deliver(progress));
    this.client.onNotification(ChatModelChangedNotification.type, () => this.chatModelEmitter.fire());
    // Where the cursor rests, the server prepares the prompt before the first keystroke (see cursorRest.ts).
    this.editorListeners = [
      vscode.window.onDidChangeTextEditorSelection((event) => this.cursorMoved(event.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.cursorMoved(editor)),
      // The window the user is in goes first on an engine shared by several windows.
      vscode.window.onDidChangeWindowState((state) => this.sendWindowFocus(state.focused)),
    ];
    this.onDidStart(() => this.sendWindowFocus(vscode.window.state.focused));
  }

  private cursorMoved(editor: vscode.TextEditor | undefined): void {
    const settings = readSettings();
    this.cursorRests.moved(cursorRestFor(editor, (languageId) => isLanguageEnabled(settings, languageId)));
  }

  private sendCursorRest(rest: CursorRest): void {
    if (this.client.state === State.Running) void this.client.sendNotification(CursorRestNotification.type, rest).catch(() => undefined);
  }

  private readonly startedEmitter = new vscode.EventEmitter<void>();
  /** Fires after each start of the server (a restarted server knows nothing of what it was told before). */
  readonly onDidStart = this.startedEmitter.event;

  private sendWindowFocus(focused: boolean): void {
    if (this.client.state === State.Running) void this.client.sendNotification(WindowFocusNotification.type, { focused }).catch(() => undefined);
  }

  /** The remote engine's access (agreement, API key): sent after every start and every change. */
  sendRemoteAccess(access: RemoteAccess): void {
    if (this.client.state === State.Running) void this.client.sendNotification(RemoteAccessNotification.type, access).catch(() => undefined);
  }

  async start(): Promise<void> {
    this.onStatus({ state: 'loading', message: 'Starting the server…' });
    this.backoff.started();
    try {
      await this.client.start();
      this.startedEmitter.fire();
    } catch (error) {
      this.log.error(`The Hearth server did not start: ${String(error)}`);
      this.onStatus({ state: 'stopped', message: 'The Hearth server did not start. See the log.', action: 'hearth.showLog' });
    }
  }

  /** Empties the server's window cache; the bytes removed, or undefined without a running server. */
  async clearWindowCache(): Promise<number | undefined> {
    if (this.client.state !== State.Running) return undefined;
    return (await this.client.sendRequest(ClearWindowCacheRequest.type)).removedBytes;
  }

  /** The last prompt the server's model was given, or undefined when there is none (or no running server). */
  async lastPrompt(): Promise<string | undefined> {
    if (this.client.state !== State.Running) return undefined;
    return (await this.client.sendRequest(LastPromptRequest.type)) ?? undefined;
  }

  /** Where a next edit that inserts at the cursor is found, to be shown as ghost text (the next-edit controller). */
  nextEditAt: ((uri: string, version: number, position: vscode.Position) => string | undefined) | undefined;

  /** The next edit the server's next-edit model predicts; undefined without a running server. */
  async nextEdit(params: NextEditParams, token: vscode.CancellationToken): Promise<NextEditResult | undefined> {
    if (this.client.state !== State.Running) return undefined;
    return this.client.sendRequest(NextEditRequest.type, params, token);
  }

  /** Explain or refactor on the server's model; `onProgress` receives the answer as it streams. */
  async instruct(params: Omit<InstructParams, 'id'>, token: vscode.CancellationToken, onProgress: (progress: InstructProgress) => void): Promise<InstructResult> {
    if (this.client.state !== State.Running) throw new Error('The Hearth server is not running.');
    try {
      return await this.progress.request('instruct', onProgress, (id) => this.client.sendRequest(InstructRequest.type, { ...params, id }, token));
    } catch (error) {
      this.log.warn(`${params.task} failed: ${String(error)} (code ${String((error as { code?: unknown }).code)})`);
      throw requestFailure(error);
    }
  }

  /** A conversation's next answer (the language model other extensions use); `onDelta` receives it as it streams. */
  async chat(params: Omit<ChatParams, 'id'>, token: vscode.CancellationToken, onDelta: (delta: string) => void): Promise<ChatResult> {
    if (this.client.state !== State.Running) throw new Error('The Hearth server is not running.');
    try {
      return await this.progress.request<InstructProgress, ChatResult>('chat', (progress) => onDelta(progress.delta), (id) => this.client.sendRequest(ChatRequest.type, { ...params, id }, token));
    } catch (error) {
      throw requestFailure(error);
    }
  }

  /** The model conversations go to; null while there is none (or no server). */
  async chatModelInfo(): Promise<ChatModelInfo | null> {
    if (this.client.state !== State.Running) return null;
    return this.client.sendRequest(ChatModelInfoRequest.type);
  }

  async countTokens(text: string, token?: vscode.CancellationToken): Promise<number> {
    if (this.client.state !== State.Running) return 0;
    return this.client.sendRequest(CountTokensRequest.type, { text }, token);
  }

  /** Downloads a model in the server process (the editor never waits on it); `onProgress` as it comes. */
  async pullModel(params: Omit<PullModelParams, 'id'>, token: vscode.CancellationToken, onProgress: (progress: PullModelProgress) => void): Promise<PullModelResult> {
    if (this.client.state !== State.Running) throw new Error('The Hearth server is not running.');
    try {
      return await this.progress.request('pull', onProgress, (id) => this.client.sendRequest(PullModelRequest.type, { ...params, id }, token));
    } catch (error) {
      throw requestFailure(error);
    }
  }

  async modelInfo(path: string): Promise<ModelInfoResult> {
    if (this.client.state !== State.Running) throw new Error('The Hearth server is not running.');
    return this.client.sendRequest(ModelInfoRequest.type, { path });
  }

  /** What the machine offers a model, as the server sees it (GPU included); undefined when the server is not running. */
  async machine(): Promise<MachineInfo | undefined> {
    if (this.client.state !== State.Running) return undefined;
    return this.client.sendRequest(MachineInfoRequest.type);
  }

  async restart(): Promise<void> {
    clearTimeout(this.restartTimer);
    if (this.client.state === State.Running) await this.client.stop();
    await this.start();
  }

  private retriggerIfUnchanged(document: vscode.TextDocument, position: vscode.Position, version: number, token: vscode.CancellationToken): void {
    const editor = vscode.window.activeTextEditor;
    const unchanged = retriggerForWhole({
      cancelled: token.isCancellationRequested,
      versionAtRequest: version,
      versionNow: document.version,
      active: editor?.document === document,
      cursorAtRequest: editor !== undefined && editor.selection.isEmpty && editor.selection.active.isEqual(position),
    });
    this.log.debug(`whole completion in for ${document.uri.toString()}: ${unchanged ? 'asking VS Code to show it' : 'not shown, the editor moved on'}`);
    // VS Code does not ask again while it shows a suggestion for this very spot: hide it first (the first line
    // comes straight back from the server's cache, now with the rest).
    if (unchanged) void vscode.commands.executeCommand('editor.action.inlineSuggest.hide').then(() => vscode.commands.executeCommand('editor.action.inlineSuggest.trigger'));
  }

  private onServerClosed(): CloseHandlerResult {
    if (this.disposed) return { action: CloseAction.DoNotRestart, handled: true };
    const delay = this.backoff.nextDelay();
    const seconds = Math.round(delay / 1000);
    this.log.warn(`The Hearth server stopped unexpectedly; restarting in ${seconds} s.`);
    this.onStatus({ state: 'stopped', message: `The server stopped unexpectedly; restarting in ${seconds} s.`, action: 'hearth.restartServer' });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.start(), delay);
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  /**
   * Stops the server and waits for it (VS Code waits for deactivate): its shutdown keeps the windows it evaluated on
   * disk, so the files reopen warm next time.
   */
  async stop(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    if (this.client.state === State.Running) await this.client.stop(3000).catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.cursorRests.dispose();
    for (const listener of this.editorListeners) listener.dispose();
    this.providedEmitter.dispose();
    this.chatModelEmitter.dispose();
    this.startedEmitter.dispose();
    clearTimeout(this.restartTimer);
    void this.client.stop().catch(() => undefined);
  }
}
