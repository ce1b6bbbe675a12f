// Composition root of the Hearth language server: builds the parts features share (connection, documents, settings,
// log, syntax, engines) and hands each feature what it needs; every feature registers its own handlers. Where a
// request goes from here: docs/ARCHITECTURE.md. The completion flow reads top to bottom in
// completion/completionPipeline.ts.
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createConnection, ProposedFeatures, TextDocuments } from 'vscode-languageserver/node';
import { ChatModelChangedNotification, ServerStatusNotification } from '../../common/protocol';
import { chatFeature } from './chat/chatService';
import { completionFeature } from './completion/completionFeature';
import { workspaceContextFeature } from './context/workspaceContextFeature';
import { readMachineInfo } from './download/machineInfo';
import { modelsFeature } from './download/downloadService';
import { Engines } from './engines/engines';
import { enginesFeature } from './engines/enginesFeature';
import { describeError } from './errors';
import { serveFeatures } from './feature';
import { parseDisabledFeatures } from './features';
import { instructFeature } from './instruct/instructFeature';
import { Logger } from './logger';
import { defaultPromptLatencyMs } from './model/llamaCompletionModel';
import { loadLlamaInstructModel } from './model/llamaInstructModel';
import { loadLlamaNextEditModel } from './model/llamaNextEditModel';
import { loadLlamaCompletionModel } from './model/llamaLoader';
import { resolveModelSpec } from './model/modelHost';
import { nextEditFeature } from './nextEdit/nextEditFeature';
import { readCpuTopology } from './model/threadCount';
import { RemoteEngine } from './remote/remoteEngine';
import { ServerSettings } from './serverSettings';
import { ServerStatusReporter } from './serverStatus';
import { sharedEngineFeature } from './sharedEngine/sharedEngineFeature';
import { DocumentTrees } from './syntax/documentTrees';
import { GrammarRegistry } from './syntax/grammarRegistry';
import { windowCacheFeature } from './windowCache/windowCacheFeature';

/** The server is shipped as dist/server.js; the bundled models and the grammars sit beside dist/. */
const bundledModelsDir = join(__dirname, '..', 'models');
const grammarsDir = join(__dirname, '..', 'grammars');
const maxContextSize = 4096;

function main(): void {
  const connection = createConnection(ProposedFeatures.all);
  const log = new Logger(connection.console);
  process.on('uncaughtException', (error) => log.error(`Uncaught: ${describeError(error)}`));
  process.on('unhandledRejection', (error) => log.error(`Unhandled rejection: ${describeError(error)}`));
  const { features: flags, unknown } = parseDisabledFeatures(process.env.HEARTH_DISABLE);
  if (unknown.length > 0) log.warn(`HEARTH_DISABLE names unknown features: ${unknown.join(', ')}`);
  if (!Object.values(flags).every(Boolean)) log.info(`Features off: ${process.env.HEARTH_DISABLE}`);

  const documents = new TextDocuments(TextDocument);
  const settings = new ServerSettings(connection, log);
  const cpu = readCpuTopology();
  const status = new ServerStatusReporter((s) => void connection.sendNotification(ServerStatusNotification.type, s));
  const syntax = { grammars: new GrammarRegistry(grammarsDir, log), trees: new DocumentTrees() };
  const windowCache = windowCacheFeature(connection, log, () => settings.current.windowCacheMegabytes);
  const shared = sharedEngineFeature(connection, { settings: () => settings.current, windowCacheDir: windowCache.folder, log, onLost: () => void engines.reloadCompletion(), onEngine: (engine) => status.setSharedEngine(engine) });
  const engines = new Engines({
    loadCompletion: (spec, lock) =>
      spec.shared ? shared.load(spec, lock) : (status.setSharedEngine(undefined), loadLlamaCompletionModel(
        { ...spec, maxContextSize, reuseKvPrefix: flags.kvReuse, anchorPrompt: flags.promptAnchor, latencyBudget: flags.latencyBudget, promptLatencyMs: defaultPromptLatencyMs, speculationCostCheck: flags.speculationCostCheck, lock, keepWindows: windowCache.keeperFor },
        log,
      )),
    loadChat: (spec, lock) => loadLlamaInstructModel(spec, maxContextSize, lock, log),
    loadNextEdit: (spec, lock) => loadLlamaNextEditModel(spec, maxContextSize, lock, log),
    remote: (report) => new RemoteEngine({ log, report }),
    resolveSpec: (current) => resolveModelSpec(current, bundledModelsDir, cpu),
    report: (state) => status.setModelState(state),
    onChatModelChanged: () => void connection.sendNotification(ChatModelChangedNotification.type),
    log,
  });
  const context = workspaceContextFeature({ connection, documents, settings, ...syntax, log, enabled: flags.context });

  serveFeatures(connection, documents, [
    settings,
    windowCache,
    enginesFeature(connection, engines, settings),
    context,
    completionFeature({
      connection,
      documents,
      log,
      settings,
      model: () => engines.completionModel(),
      onModelChange: (listener) => engines.onModelReady(listener),
      ...syntax,
      context: flags.context ? context.forCompletion : undefined,
      beginGeneration: () => status.beginGeneration(),
      flags,
    }),
    instructFeature({ connection, documents, models: engines.textModels, ...syntax, context: context.forInstruct, log }),
    nextEditFeature({ connection, documents, enabled: () => settings.current.nextEdits && settings.current.nextEditModelPath !== '', model: () => engines.nextEditModel(), context: flags.context ? context.forCompletion : undefined, log }),
    chatFeature(connection, { ...engines.textModels, log }),
    modelsFeature(connection, () => settings.current.modelHub, () => readMachineInfo(settings.current.gpu, cpu.performance, log), log),
  ], { name: 'hearth-server', version: '0.1.0' });
}

main();
