// Drives the real Hearth server over LSP (stdio), the way the VS Code client does. Used by the headless
// completion CLI, the integration tests and the benchmarks. Every wait is bounded.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  LogMessageNotification,
  type Position,
  type ProtocolConnection,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import {
  type CompletionMetrics,
  CompletionMetricsNotification,
  type RemoteAccess,
  RemoteAccessNotification,
  CursorRestNotification,
  WindowFocusNotification,
  type FirstLine,
  FirstLineNotification,
  ChatModelChangedNotification,
  type ChatModelInfo,
  ChatModelInfoRequest,
  type ChatParams,
  ChatRequest,
  type ChatResult,
  CountTokensRequest,
  type InstructParams,
  LastInstructPromptRequest,
  type InstructProgress,
  InstructProgressNotification,
  InstructRequest,
  type InstructResult,
  ModelInfoRequest,
  type ModelInfoResult,
  type PullModelProgress,
  PullModelProgressNotification,
  PullModelRequest,
  type MachineInfo,
  MachineInfoRequest,
  type PullModelParams,
  type PullModelResult,
  type ServerStatus,
  ServerStatusNotification,
  LastPromptRequest,
  ClearWindowCacheRequest,
  type NextEditParams,
  NextEditRequest,
  type NextEditResult,
} from '../../common/protocol';
import { serverExecArgv } from '../../common/serverProcess';
import { ProgressRoutes } from '../../common/progressRoutes';
import { processStatusMiB } from './processMemory';

export interface LspSessionOptions {
  serverPath: string;
  /** Raw `hearth` settings section the session answers workspace/configuration with. */
  settings: Record<string, unknown>;
  onLog?: (line: string) => void;
  /** Node executable for the server; defaults to the one running this process. */
  nodePath?: string;
  /** The workspace folder the server indexes; none by default. */
  workspaceFolder?: string;
  /** Extra environment for the server process (e.g. HEARTH_DISABLE, see server/src/features.ts). */
  env?: Record<string, string>;
  /** Where the server keeps its workspace index between sessions (VS Code's workspace storage in the extension). */
  indexCacheDir?: string;
  /** Where the server keeps evaluated windows between sessions (the extension's global storage); none by default. */
  windowCacheDir?: string;
}

export interface PendingCompletion {
  result: Promise<string[]>;
  cancel(): void;
}

export interface PendingInstruct {
  result: Promise<InstructResult>;
  cancel(): void;
}

export class LspSession {
  private readonly statusListeners = new Set<(status: ServerStatus) => void>();
  private readonly metricsQueue: CompletionMetrics[] = [];
  private readonly metricsWaiters: Array<{ wanted: MetricsFor; resolve: (metrics: CompletionMetrics) => void }> = [];
  private lastStatus: ServerStatus | undefined;
  private configurationPulled: Array<() => void> = [];
  private readonly progress = new ProgressRoutes();
  /** The last instruction's or conversation's prompt (hearth/lastInstructPrompt). */
  lastInstructPrompt(): Promise<string | null> {
    return this.connection.sendRequest(LastInstructPromptRequest.type);
  }

  /** The last prompt the server's model was given (hearth/lastPrompt). */
  clearWindowCache(): Promise<{ removedBytes: number }> {
    return this.connection.sendRequest(ClearWindowCacheRequest.type);
  }

  lastPrompt(): Promise<string | null> {
    return this.connection.sendRequest(LastPromptRequest.type);
  }

  /** Called with each streamed first line (hearth/firstLine). */
  onFirstLine: (message: FirstLine) => void = () => undefined;
  private exited = false;

  private constructor(
    private readonly process: ChildProcess,
    private readonly connection: ProtocolConnection,
    private settings: Record<string, unknown>,
  ) {}

  static async start(options: LspSessionOptions): Promise<LspSession> {
    const child = spawn(options.nodePath ?? process.execPath, [...serverExecArgv, options.serverPath, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    child.stderr!.on('data', (chunk: Buffer) => options.onLog?.(`[stderr] ${chunk.toString().trimEnd()}`));
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const session = new LspSession(child, connection, options.settings);
    child.on('exit', () => {
      session.exited = true;
    });
    connection.onRequest(ConfigurationRequest.type, (params) => {
      // VS Code's defaults for files.exclude; everything else asked for is Hearth's own section. A session is one
      // window whose server holds the model itself unless it says `sharedEngine: true`: a test's engine is its own, and
      // no engine outlives the test (the shared engine has its own tests, and the end-to-end suite runs the default).
      const answer = params.items.map((item) => (item.section === 'files.exclude' ? session.filesExclude : { sharedEngine: false, ...session.settings }));
      // The server applies the answer as soon as it arrives; tell those waiting once it is on its way.
      setImmediate(() => session.configurationPulled.splice(0).forEach((notify) => notify()));
      return answer;
    });
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.onNotification(LogMessageNotification.type, (message) => options.onLog?.(message.message));
    connection.onNotification(ServerStatusNotification.type, (status) => {
      session.lastStatus = status;
      for (const listener of session.statusListeners) listener(status);
    });
    connection.onNotification(FirstLineNotification.type, (message) => session.onFirstLine(message));
    connection.onNotification(InstructProgressNotification.type, (progress) => session.progress.deliver(progress));
    connection.onNotification(ChatModelChangedNotification.type, () => {
      session.chatModelChanges++;
    });
    connection.onNotification(PullModelProgressNotification.type, (progress) => session.progress.deliver(progress));
    connection.onNotification(CompletionMetricsNotification.type, (metrics) => {
      const at = session.metricsWaiters.findIndex((waiter) => metricsMatch(metrics, waiter.wanted));
      if (at >= 0) session.metricsWaiters.splice(at, 1)[0]!.resolve(metrics);
      else session.metricsQueue.push(metrics);
    });
    connection.listen();
    await withTimeout(
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: options.workspaceFolder ? pathToFileURL(options.workspaceFolder).href : null,
        workspaceFolders: options.workspaceFolder ? [{ uri: pathToFileURL(options.workspaceFolder).href, name: 'workspace' }] : null,
        capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
        initializationOptions: { indexCacheDir: options.indexCacheDir, windowCacheDir: options.windowCacheDir },
      }),
      30_000,
      'initialize',
    );
    await connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  /** The state of the last status the server sent. */
  lastStatusState(): ServerStatus['state'] | undefined {
    return this.lastStatus?.state;
  }

  /** Peak resident memory of the server process in MiB (Linux), or undefined. */
  peakRssMiB(): number | undefined {
    return this.statusField('VmHWM');
  }

  /** Resident memory of the server process now, in MiB (Linux), or undefined. */
  rssMiB(): number | undefined {
    return this.statusField('VmRSS');
  }

  /**
   * Resident memory of the server process in MiB (Linux): all of it, and its proportional share (PSS: pages shared
   * with other processes, such as a model file both map, counted once across them).
   */
  memoryMiB(): { rss: number; pss: number } | undefined {
    try {
      const rollup = readFileSync(`/proc/${this.process.pid}/smaps_rollup`, 'utf8');
      const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
      return { rss: field('Rss'), pss: field('Pss') };
    } catch {
      return undefined;
    }
  }

  private statusField(name: 'VmRSS' | 'VmHWM'): number | undefined {
    return processStatusMiB(this.process.pid, name);
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** Resolves with the first status (the current one included) that satisfies the predicate. */
  waitForStatus(predicate: (status: ServerStatus) => boolean, timeoutMs = 60_000): Promise<ServerStatus> {
    if (this.lastStatus && predicate(this.lastStatus)) return Promise.resolve(this.lastStatus);
    let listener!: (status: ServerStatus) => void;
    const found = new Promise<ServerStatus>((resolve) => {
      listener = (status) => {
        if (predicate(status)) resolve(status);
      };
      this.statusListeners.add(listener);
    });
    return withTimeout(found, timeoutMs, 'server status').finally(() => this.statusListeners.delete(listener));
  }

  /** Whether metrics have arrived that nextMetrics() would return at once. */
  hasMetrics(): boolean {
    return this.metricsQueue.length > 0;
  }

  /**
   * The metrics of the next finished request, in the order the server sent them; with `wanted`, of the next one for
   * that document (and version): where requests for several documents or versions are in flight, a test matches
   * the figures to the request it made instead of trusting the order.
   */
  nextMetrics(timeoutMs = 60_000, wanted: MetricsFor = {}): Promise<CompletionMetrics> {
    const at = this.metricsQueue.findIndex((metrics) => metricsMatch(metrics, wanted));
    if (at >= 0) return Promise.resolve(this.metricsQueue.splice(at, 1)[0]!);
    let waiter!: { wanted: MetricsFor; resolve: (metrics: CompletionMetrics) => void };
    const arrived = new Promise<CompletionMetrics>((resolve) => this.metricsWaiters.push((waiter = { wanted, resolve })));
    return withTimeout(arrived, timeoutMs, `completion metrics${wanted.uri ? ` for ${wanted.uri}` : ''}${wanted.version !== undefined ? ` v${wanted.version}` : ''}`).catch((error: unknown) => {
      this.metricsWaiters.splice(this.metricsWaiters.indexOf(waiter), 1); // a late notification must not go to a waiter that gave up
      throw error;
    });
  }

  /** files.exclude as the session answers it: VS Code's defaults until changed. */
  filesExclude: Record<string, unknown> = { '**/.git': true, '**/node_modules': true };

  /** Changes files.exclude (as a user editing the setting) and tells the server. */
  async updateFilesExclude(exclude: Record<string, unknown>): Promise<void> {
    this.filesExclude = exclude;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** Calls `listener` with every status the server sends from now on; returns the function that stops it. */
  onStatus(listener: (status: ServerStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** What the client tells the server about the remote engine: the user's agreement for a URL, and the API key. */
  async remoteAccess(access: RemoteAccess): Promise<void> {
    await this.connection.sendNotification(RemoteAccessNotification.type, access);
  }

  /** Changes the settings and resolves once the server has pulled them. */
  async updateSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    const pulled = new Promise<void>((resolve) => this.configurationPulled.push(resolve));
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await withTimeout(pulled, 10_000, 'the server to pull its settings');
  }

  async open(uri: string, languageId: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  async replaceText(uri: string, version: number, text: string): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** The client's hearth/cursorRest: the cursor has rested at `position`. */
  async cursorRest(uri: string, version: number, position: Position): Promise<void> {
    await this.connection.sendNotification(CursorRestNotification.type, { uri, version, position });
  }

  /** The client's hearth/windowFocus: whether the user is in this window. */
  async windowFocus(focused: boolean): Promise<void> {
    await this.connection.sendNotification(WindowFocusNotification.type, { focused });
  }

  /** The server process's id (for tools that watch its memory). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  requestCompletion(uri: string, position: Position): PendingCompletion {
    const source = new CancellationTokenSource();
    const result = this.connection
      .sendRequest(
        InlineCompletionRequest.type,
        { textDocument: { uri }, position, context: { triggerKind: InlineCompletionTriggerKind.Automatic } },
        source.token,
      )
      .then((items) => {
        const list = Array.isArray(items) ? items : (items?.items ?? []);
        return list.map((item) => (typeof item.insertText === 'string' ? item.insertText : item.insertText.value));
      });
    return { result: withTimeout(result, 120_000, 'inline completion'), cancel: () => source.cancel() };
  }

  /** hearth/instruct (explain, refactor); `onProgress` receives the streamed parts. */
  instruct(params: Omit<InstructParams, 'id'>, onProgress: (progress: InstructProgress) => void = () => undefined, timeoutMs = 600_000): PendingInstruct {
    const source = new CancellationTokenSource();
    const result = withTimeout(this.progress.request('instruct', onProgress, (id) => this.connection.sendRequest(InstructRequest.type, { ...params, id }, source.token)), timeoutMs, params.task);
    return { result, cancel: () => source.cancel() };
  }

  /** hearth/chat: a conversation's next answer; `onDelta` receives the streamed text. */
  chat(params: Omit<ChatParams, 'id'>, onDelta: (delta: string) => void = () => undefined, timeoutMs = 600_000): { result: Promise<ChatResult>; cancel(): void } {
    const source = new CancellationTokenSource();
    const answer = this.progress.request<InstructProgress, ChatResult>('chat', (progress) => onDelta(progress.delta), (id) => this.connection.sendRequest(ChatRequest.type, { ...params, id }, source.token));
    const result = withTimeout(answer, timeoutMs, 'a chat answer');
    return { result, cancel: () => source.cancel() };
  }

  /** How many hearth/chatModelChanged notifications have come. */
  chatModelChanges = 0;

  chatModelInfo(): Promise<ChatModelInfo | null> {
    return withTimeout(this.connection.sendRequest(ChatModelInfoRequest.type), 60_000, 'chat model info');
  }

  countTokens(text: string): Promise<number> {
    return withTimeout(this.connection.sendRequest(CountTokensRequest.type, { text }), 60_000, 'a token count');
  }

  /** hearth/pullModel; `onProgress` receives hearth/pullProgress. */
  pullModel(params: Omit<PullModelParams, 'id'>, onProgress: (progress: PullModelProgress) => void = () => undefined): { result: Promise<PullModelResult>; cancel(): void } {
    const source = new CancellationTokenSource();
    const result = withTimeout(this.progress.request('pull', onProgress, (id) => this.connection.sendRequest(PullModelRequest.type, { ...params, id }, source.token)), 600_000, 'a model pull');
    return { result, cancel: () => source.cancel() };
  }

  machine(): Promise<MachineInfo> {
    return withTimeout(this.connection.sendRequest(MachineInfoRequest.type), 60_000, 'machine info');
  }

  modelInfo(path: string): Promise<ModelInfoResult> {
    return withTimeout(this.connection.sendRequest(ModelInfoRequest.type, { path }), 60_000, 'model info');
  }

  /** hearth/nextEdit: the edit the user will likely make next, or none and why. */
  nextEdit(params: NextEditParams, timeoutMs = 600_000): { result: Promise<NextEditResult>; cancel(): void } {
    const source = new CancellationTokenSource();
    return { result: withTimeout(this.connection.sendRequest(NextEditRequest.type, params, source.token), timeoutMs, 'a next edit'), cancel: () => source.cancel() };
  }

  async complete(uri: string, position: Position): Promise<string[]> {
    return this.requestCompletion(uri, position).result;
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await withTimeout(this.connection.sendRequest(ShutdownRequest.type), 10_000, 'shutdown');
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        // A server that does not shut down in time is killed below.
      }
    }
    const exited = new Promise<void>((resolve) => (this.exited ? resolve() : this.process.once('exit', () => resolve())));
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}

/** Which request's metrics a caller waits for: any, a document's, or one version of it. */
export interface MetricsFor {
  uri?: string;
  version?: number;
}

function metricsMatch(metrics: CompletionMetrics, wanted: MetricsFor): boolean {
  return (wanted.uri === undefined || metrics.uri === wanted.uri) && (wanted.version === undefined || metrics.version === wanted.version);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
