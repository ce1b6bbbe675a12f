// Composition root of the Hearth language server: builds every component, hands each its dependencies and wires
// them to LSP. The completion flow itself reads top to bottom in completion/completionPipeline.ts.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  type Connection,
  createConnection,
  DidChangeConfigurationNotification,
  type InitializeResult,
  type InlineCompletionItem,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { CompletionMetricsNotification, FirstLineNotification, ServerStatusNotification } from '../../common/protocol';
import { defaultSettings, type HearthSettings, parseSettings, settingsSection } from '../../common/settings';
import { CompletionCache } from './completion/completionCache';
import { type CompletionEnvironment, provideCompletion } from './completion/completionPipeline';
import { describeError } from './errors';
import { parseDisabledFeatures } from './features';
import { Logger } from './logger';
import { loadLlamaCompletionModel } from './model/llamaCompletionModel';
import { ModelHost, resolveModelSpec } from './model/modelHost';
import { ServerStatusReporter } from './serverStatus';

/** The server is shipped as dist/server.js; the bundled models sit in models/ beside dist/. */
const bundledModelsDir = join(__dirname, '..', 'models');
const maxContextSize = 4096;

function main(): void {
  const connection = createConnection(ProposedFeatures.all);
  const log = new Logger(connection.console);
  const documents = new TextDocuments(TextDocument);
  const { features, unknown } = parseDisabledFeatures(process.env.HEARTH_DISABLE);
  const cache = new CompletionCache(features.cache ? undefined : 0);
  const status = new ServerStatusReporter((s) => void connection.sendNotification(ServerStatusNotification.type, s));
  const models = new ModelHost(
    (spec) => loadLlamaCompletionModel({ ...spec, maxContextSize, reuseKvPrefix: features.kvReuse }, log),
    log,
    (state) => {
      if (state.state === 'ready') cache.clear(); // answers of the previous model are not this one's
      status.setModelState(state);
    },
  );
  let settings: HearthSettings = defaultSettings;
  let supportsConfigurationPull = false;

  if (unknown.length > 0) log.warn(`HEARTH_DISABLE names unknown features: ${unknown.join(', ')}`);
  if (!Object.values(features).every(Boolean)) log.info(`Features off: ${process.env.HEARTH_DISABLE}`);
  process.on('uncaughtException', (error) => log.error(`Uncaught: ${describeError(error)}`));
  process.on('unhandledRejection', (error) => log.error(`Unhandled rejection: ${describeError(error)}`));

  const applySettings = async (): Promise<void> => {
    if (supportsConfigurationPull) {
      settings = parseSettings(await connection.workspace.getConfiguration({ section: settingsSection }));
    }
    log.setLevel(settings.logLevel);
    cache.clear(); // limits such as maxLines shape the cached answers
    await models.configure(resolveModelSpec(settings, bundledModelsDir, availableParallelism()));
  };

  connection.onInitialize((params): InitializeResult => {
    supportsConfigurationPull = params.capabilities.workspace?.configuration === true;
    if (!supportsConfigurationPull) settings = parseSettings(params.initializationOptions?.settings);
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
      void connection.client.register(DidChangeConfigurationNotification.type, { section: settingsSection });
    }
    void applySettings().catch((error) => log.error(`Applying settings failed: ${describeError(error)}`));
  });

  connection.onDidChangeConfiguration((change) => {
    if (!supportsConfigurationPull) settings = parseSettings((change.settings as Record<string, unknown> | undefined)?.[settingsSection]);
    void applySettings().catch((error) => log.error(`Applying settings failed: ${describeError(error)}`));
  });

  registerInlineCompletion(connection, documents, log, {
    settings: () => settings,
    model: () => models.current(),
    isCurrent: (uri, version) => documents.get(uri)?.version === version,
    currentText: (uri) => documents.get(uri)?.getText(),
    beginGeneration: () => status.beginGeneration(),
    cache,
    keepGoing: features.keepGoing,
  }, features.streaming);

  connection.onShutdown(async () => {
    await models.dispose();
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
  connection.languages.inlineCompletion.on(async (params, token): Promise<InlineCompletionItem[]> => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const { uri, version } = document; // the document object is updated in place by later edits
    const abort = new AbortController();
    const subscription = token.onCancellationRequested(() => abort.abort());
    if (token.isCancellationRequested) abort.abort();
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
      void connection.sendNotification(CompletionMetricsNotification.type, result.metrics);
      log.debug(`completion ${result.metrics.outcome} in ${result.metrics.totalMs.toFixed(1)} ms: ${JSON.stringify(result.text)}`);
      if (result.text === '') return [];
      return [{ insertText: result.text, range: { start: params.position, end: params.position } }];
    } catch (error) {
      log.error(`Completion failed: ${describeError(error)}`);
      return [];
    } finally {
      subscription.dispose();
    }
  });
}

main();
