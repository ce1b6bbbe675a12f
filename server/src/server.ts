// Composition root of the Hearth language server: builds every component, hands each its dependencies and wires
// them to LSP. The completion flow itself reads top to bottom in completion/completionPipeline.ts.
import { homedir } from 'node:os';
import { InFlightRequests } from './completion/inFlightRequests';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  type Connection,
  createConnection,
  DidChangeConfigurationNotification,
  FileChangeType,
  type InitializeResult,
  type InlineCompletionItem,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { ChatModelChangedNotification, CompletionMetricsNotification, type HearthInitializationOptions, CursorRestNotification, FirstLineNotification, LastInstructPromptRequest, LastPromptRequest, type RemoteAccess, RemoteAccessNotification, ServerStatusNotification } from '../../common/protocol';
import { defaultSettings, type HearthSettings, parseSettings, settingsSection } from '../../common/settings';
import { CompletionCache } from './completion/completionCache';
import { completionEnvironment } from './completion/completionEnvironment';
import { type CompletionEnvironment, prepareCompletion, provideCompletion } from './completion/completionPipeline';
import { ContextBuilder, contextSources } from './context/contextBuilder';
import { RecentEdits } from './context/recentEdits';
import { WorkspaceIndex } from './context/workspaceIndex';
import { readMachineInfo } from './download/machineInfo';
import { abortControllerFor } from './cancellation';
import { describeError } from './errors';
import { parseDisabledFeatures } from './features';
import { Logger } from './logger';
import { defaultPromptLatencyMs } from './model/llamaCompletionModel';
import { windowCacheFeature } from './windowCache/windowCacheFeature';
import { ExclusiveLock } from './model/exclusiveLock';
import { type InstructModel, type InstructModelSpec, loadLlamaInstructModel } from './model/llamaInstructModel';
import { loadLlamaCompletionModel } from './model/llamaLoader';
import { listenForModelRequests } from './download/downloadService';
import { ChatService } from './chat/chatService';
import { InstructService } from './instruct/instructService';
import { type ModelSpec, type ModelState, ModelHost, resolveModelSpec } from './model/modelHost';
import { RemoteEngine } from './remote/remoteEngine';
import { readCpuTopology } from './model/threadCount';
import { ServerStatusReporter } from './serverStatus';
import { DocumentTrees } from './syntax/documentTrees';
import { GrammarRegistry } from './syntax/grammarRegistry';
import { enclosingScopes } from './syntax/outline';
import { grammarForLanguage } from '../../common/languages';

/** The server is shipped as dist/server.js; the bundled models and the grammars sit beside dist/. */
const bundledModelsDir = join(__dirname, '..', 'models');
const grammarsDir = join(__dirname, '..', 'grammars');
/** The context stage's own deadline, inside the pipeline's limit for advisory stages (advisoryDeadlineMs). */
const contextDeadlineMs = 25;
/** Explain/refactor wait seconds for the model anyway: their context may take longer to gather. */
const instructContextDeadlineMs = 200;
const maxContextSize = 4096;

function main(): void {
  const connection = createConnection(ProposedFeatures.all);
  const log = new Logger(connection.console);
  const documents = new TextDocuments(TextDocument);
  const { features, unknown } = parseDisabledFeatures(process.env.HEARTH_DISABLE);
  const cache = new CompletionCache(features.cache ? undefined : 0);
  const cpuTopology = readCpuTopology();
  const status = new ServerStatusReporter((s) => void connection.sendNotification(ServerStatusNotification.type, s));
  // One lock for whatever computes on this machine's cores: completions first, then explain/refactor, then warming.
  const computeLock = new ExclusiveLock();
  const windowCache = windowCacheFeature(connection, log, () => settings.windowCacheMegabytes);
  const models = new ModelHost(
    (spec) =>
      loadLlamaCompletionModel(
        { ...spec, maxContextSize, reuseKvPrefix: features.kvReuse, anchorPrompt: features.promptAnchor, latencyBudget: features.latencyBudget, promptLatencyMs: defaultPromptLatencyMs, speculationCostCheck: features.speculationCostCheck, lock: computeLock, keepWindows: windowCache.keeperFor },
        log,
      ),
    log,
    (state) => {
      if (state.state === 'ready') cache.clear(); // answers of the previous model are not this one's
      localState = state;
      if (settings.engine === 'local') status.setModelState(state);
    },
  );
  let localState: ModelState | undefined;
  // hearth.engine: remote — an inference server the user runs; connected to only once the user agreed (per URL).
  let remoteAccess: RemoteAccess | undefined;
  const remote = new RemoteEngine({
    log,
    report: (state) => {
      if (state.state === 'ready') cache.clear();
      if (settings.engine === 'remote') status.setModelState(state);
    },
  });
  /** The model completions go to: the remote engine's, or (while it is down, if the user allows) the local one. */
  const completionModel = () => (settings.engine === 'remote' ? (remote.current() ?? (settings.remote.fallbackToLocal ? models.current() : undefined)) : models.current());
  // The chat/instruct model for explain and refactor, when hearth.chatModelPath names one.
  let chatModelState: string | undefined;
  /** Settles once the chat model the settings last named has loaded or failed to: an instruction waits for it. */
  let chatModelSettled: Promise<void> = Promise.resolve();
  let chatPathApplied = '';
  const chatModels = new ModelHost<InstructModelSpec, InstructModel>(
    (spec) => loadLlamaInstructModel(spec, maxContextSize, computeLock, log),
    log,
    (state) => {
      chatModelState = state.state === 'ready' ? undefined : state.state === 'loading' ? `The chat model is still loading (${state.model ?? ''}).` : `The chat model cannot be used: ${state.message}`;
      if (state.state !== 'loading') void connection.sendNotification(ChatModelChangedNotification.type);
    },
  );
  let settings: HearthSettings = defaultSettings;
  let supportsConfigurationPull = false;
  let roots: string[] = [];

  // Context: grammars, the workspace index, recent edits, and the builder that draws on them.
  const grammars = new GrammarRegistry(grammarsDir, log);
  const index = new WorkspaceIndex(grammars, log);
  const recentEdits = new RecentEdits();
  const previousTexts = new Map<string, string>();
  const pathOf = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : undefined);
  const openDocuments = () => documents.all().map((d) => ({ uri: d.uri, path: pathOf(d.uri), text: d.getText() }));
  const trees = new DocumentTrees();
  const contextBuilder = new ContextBuilder({
    grammars,
    trees,
    index,
    roots: () => roots,
    openDocuments,
    recentEdits,
    readText: async (path) => documents.all().find((d) => pathOf(d.uri) === path)?.getText() ?? (await readFile(path, 'utf8').catch(() => undefined)),
  });
  const allSources = Object.fromEntries(contextSources.map((source) => [source, true])) as Record<(typeof contextSources)[number], boolean>;

  if (unknown.length > 0) log.warn(`HEARTH_DISABLE names unknown features: ${unknown.join(', ')}`);
  if (!Object.values(features).every(Boolean)) log.info(`Features off: ${process.env.HEARTH_DISABLE}`);
  process.on('uncaughtException', (error) => log.error(`Uncaught: ${describeError(error)}`));
  process.on('unhandledRejection', (error) => log.error(`Unhandled rejection: ${describeError(error)}`));

  const applySettings = async (): Promise<void> => {
    if (supportsConfigurationPull) {
      settings = parseSettings(await connection.workspace.getConfiguration({ section: settingsSection }), homedir());
    }
    log.setLevel(settings.logLevel);
    cache.clear(); // limits such as maxLines shape the cached answers
    const spec = resolveModelSpec(settings, bundledModelsDir, cpuTopology);
    // Until the chat model the settings name is loaded, instructions wait for it rather than go to another model.
    const chatPath = settings.chatModelPath;
    if (chatPath === chatPathApplied) return applyModels(spec, chatPath);
    chatModelState = chatPath === '' ? undefined : `The chat model ${basename(chatPath)} is not loaded yet.`;
    let settled!: () => void;
    chatModelSettled = new Promise((resolve) => (settled = resolve));
    try {
      await applyModels(spec, chatPath);
    } finally {
      settled();
    }
  };

  const applyModels = async (spec: ModelSpec, chatPath: string): Promise<void> => {
    if (settings.engine === 'remote') {
      await remote.configure(settings.remote, remoteAccess?.url === settings.remote.url ? remoteAccess : { consented: false }, settings.fimOrder);
      // The local model stays loaded only as the fallback.
      if (settings.remote.fallbackToLocal) await models.configure(spec);
      else await models.unload();
      return;
    }
    await remote.disconnect();
    if (localState) status.setModelState(localState);
    // The completion model first: ghost text matters most, and its load-time calibration wants the cores to itself.
    await models.configure(spec);
    if (chatPath === '') {
      const had = chatModels.current() !== undefined;
      await chatModels.unload();
      if (had) void connection.sendNotification(ChatModelChangedNotification.type);
    }
    else await chatModels.configure({ modelPath: chatPath, threads: spec.threads, gpu: spec.gpu });
    chatPathApplied = chatPath;
  };

  connection.onInitialize((params): InitializeResult => {
    supportsConfigurationPull = params.capabilities.workspace?.configuration === true;
    const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    roots = folders.flatMap((uri) => pathOf(uri) ?? []);
    const options = (params.initializationOptions ?? {}) as HearthInitializationOptions;
    if (!supportsConfigurationPull) settings = parseSettings(options.settings, homedir());
    if (typeof options.indexCacheDir === 'string' && options.indexCacheDir !== '') index.keepIn(join(options.indexCacheDir, 'workspace-index.json'));
    windowCache.initialize(options);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        inlineCompletionProvider: true,
      },
      serverInfo: { name: 'hearth-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (supportsConfigurationPull) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: [settingsSection, 'files.exclude'] });
    }
    void applySettings().catch((error) => log.error(`Applying settings failed: ${describeError(error)}`));
    if (features.context) void buildIndex();
  });

  // The index is built in the background, in slices that let completion requests through.
  let excludeApplied: string | undefined;
  const buildIndex = async (): Promise<void> => {
    try {
      const exclude = supportsConfigurationPull ? ((await connection.workspace.getConfiguration({ section: 'files.exclude' })) ?? {}) : {};
      excludeApplied = JSON.stringify(exclude);
      await index.build(roots, exclude as Record<string, unknown>);
    } catch (error) {
      log.error(`Indexing the workspace failed: ${describeError(error)}`);
    }
  };

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const change of changes) {
      const path = pathOf(change.uri);
      if (!path) continue;
      if (change.type === FileChangeType.Deleted) index.removeFile(path);
      else void index.updateFile(path);
    }
  });

  documents.onDidOpen(({ document }) => previousTexts.set(document.uri, document.getText()));
  documents.onDidChangeContent(({ document }) => {
    const before = previousTexts.get(document.uri);
    const after = document.getText();
    if (before !== undefined) recentEdits.record(document.uri, before, after);
    previousTexts.set(document.uri, after);
  });
  documents.onDidSave(({ document }) => {
    const path = pathOf(document.uri);
    if (path) void index.updateFile(path);
  });
  documents.onDidClose(({ document }) => {
    previousTexts.delete(document.uri);
    recentEdits.forget(document.uri);
    contextBuilder.forget(document.uri);
    trees.forget(document.uri);
  });

  connection.onRequest(LastPromptRequest.type, () => completionModel()?.lastPrompt() ?? null);
  connection.onNotification(RemoteAccessNotification.type, (access) => {
    remoteAccess = access;
    void applySettings().catch((error) => log.error(`Applying settings failed: ${describeError(error)}`));
  });

  connection.onDidChangeConfiguration((change) => {
    if (!supportsConfigurationPull) settings = parseSettings((change.settings as Record<string, unknown> | undefined)?.[settingsSection], homedir());
    void applySettings().catch((error) => log.error(`Applying settings failed: ${describeError(error)}`));
    // A files.exclude change applies without a restart: the index is built again (unchanged files are kept).
    if (features.context && supportsConfigurationPull && excludeApplied !== undefined) {
      void connection.workspace.getConfiguration({ section: 'files.exclude' }).then((exclude) => {
        if (JSON.stringify(exclude ?? {}) !== excludeApplied) {
          log.info('files.exclude changed: indexing the workspace again');
          void buildIndex();
        }
      });
    }
  });

  const completionEnv = completionEnvironment({
    settings: () => settings,
    model: completionModel,
    documents,
    grammars,
    trees,
    cache,
    keepGoing: features.keepGoing,
    beginGeneration: () => status.beginGeneration(),
    context: features.context
      ? async (request, budget) => {
          const path = pathOf(request.uri);
          const snippets = await contextBuilder.build(
            { uri: request.uri, path, languageId: request.languageId, text: request.text, offset: request.offset },
            { budget, deadline: performance.now() + contextDeadlineMs, sources: allSources },
          );
          return { filePath: contextBuilder.relativePath(path, request.uri), snippets };
        }
      : undefined,
  });
  // Explain, refactor and conversations: the chat model when one is set, else the completion model (or the remote one).
  const instructModels = {
    model: () => (settings.engine === 'remote' ? completionModel() : settings.chatModelPath !== '' ? chatModels.current() : models.current()),
    chatModelProblem: () => (settings.chatModelPath !== '' ? chatModelState : undefined),
    modelSettled: () => chatModelSettled,
  };
  new ChatService({ ...instructModels, log }).listen(connection);
  connection.onRequest(LastInstructPromptRequest.type, () => instructModels.model()?.lastInstructPrompt?.() ?? null);
  new InstructService({
    ...instructModels,
    document: (uri) => documents.get(uri),
    scopes: async (document, offset) => {
      const name = grammarForLanguage(document.languageId);
      const grammar = name && (await grammars.get(name));
      if (!grammar) return [];
      const tree = trees.treeFor(document.uri, grammar, document.getText());
      if (!tree) return [];
      return enclosingScopes(tree, grammar, offset).map((node) => ({ start: node.startIndex, end: node.endIndex }));
    },
    context: async (document, offset, budget) => {
      const path = pathOf(document.uri);
      const snippets = features.context
        ? await contextBuilder.build(
            { uri: document.uri, path, languageId: document.languageId, text: document.getText(), offset },
            { budget, deadline: performance.now() + instructContextDeadlineMs, sources: { definitions: true, similar: false, recentEdits: false } },
          )
        : [];
      return { filePath: contextBuilder.relativePath(path, document.uri), snippets };
    },
    log,
  }).listen(connection);
  listenForModelRequests(connection, () => settings.modelHub, () => readMachineInfo(settings.gpu, cpuTopology.performance, log), log);
  registerInlineCompletion(connection, documents, log, completionEnv, features.streaming);
  registerCursorRest(connection, documents, log, completionEnv);

  connection.onShutdown(async () => {
    await Promise.all([models.dispose(), chatModels.dispose(), index.flush()]);
  });

  documents.listen(connection);
  connection.listen();
}

function registerInlineCompletion(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  log: Logger,
  env: Omit<CompletionEnvironment, 'onFirstLine'>,
  streaming: boolean,
): void {
  const inFlight = new InFlightRequests();
  connection.languages.inlineCompletion.on(async (params, token): Promise<InlineCompletionItem[]> => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const { uri, version } = document; // the document object is updated in place by later edits
    const { controller: abort, dispose } = abortControllerFor(token);
    const admission = inFlight.admit(uri, abort);
    try {
      const result = await provideCompletion(
        {
          uri,
          languageId: document.languageId,
          version,
          text: document.getText(),
          offset: document.offsetAt(params.position),
          signal: abort.signal,
        },
        {
          ...env,
          onFirstLine: streaming
            ? (text) => void connection.sendNotification(FirstLineNotification.type, { uri, version, position: params.position, text })
            : () => undefined,
        },
      );
      void connection.sendNotification(CompletionMetricsNotification.type, { ...result.metrics, queuedBehind: admission.ahead });
      // One line per completion at info level, without the code (prompts and completions only at debug).
      const m = result.metrics;
      log.info(`completion ${m.outcome} in ${m.totalMs.toFixed(0)} ms${m.outcome === 'served' ? `: prompt ${m.promptTokens} tokens (${m.reusedPromptTokens} reused), ${m.generatedTokens} generated` : m.reason ? ` (${m.reason})` : ''}`);
      log.debug(`completion text: ${JSON.stringify(result.text)}`);
      if (result.text === '') return [];
      return [{ insertText: result.text, range: { start: params.position, end: params.position } }];
    } catch (error) {
      log.error(`Completion failed: ${describeError(error)}`);
      return [];
    } finally {
      dispose();
      admission.release();
    }
  });
}

/** Where the client says the cursor rests, the model prepares that spot's prompt in the background. */
function registerCursorRest(connection: Connection, documents: TextDocuments<TextDocument>, log: Logger, env: Omit<CompletionEnvironment, 'onFirstLine'>): void {
  connection.onNotification(CursorRestNotification.type, (rest) => {
    const document = documents.get(rest.uri);
    if (!document || document.version !== rest.version) return; // the user has moved on already
    const request = {
      uri: rest.uri,
      languageId: document.languageId,
      version: rest.version,
      text: document.getText(),
      offset: document.offsetAt(rest.position),
      signal: new AbortController().signal,
    };
    void prepareCompletion(request, env).then(
      (prepared) => prepared && log.debug(`cursor rests in ${rest.uri} at ${rest.position.line + 1}:${rest.position.character + 1}: preparing its prompt`),
      (error) => log.error(`Preparing a prompt failed: ${describeError(error)}`),
    );
  });
}

main();
