// The server's features on a fake connection: the lifecycle and capabilities the composition root merges, the
// settings every part listens to, and the completion and engines features as the client reaches them over LSP.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { InitializeParams, InlineCompletionItem } from 'vscode-languageserver/node';
import { CompletionMetricsNotification, CursorRestNotification, FirstLineNotification, LastPromptRequest, RemoteAccessNotification } from '../../common/protocol';
import { defaultSettings, type HearthSettings } from '../../common/settings';
import { completionFeature } from '../../server/src/completion/completionFeature';
import { enginesFeature } from '../../server/src/engines/enginesFeature';
import type { Engines } from '../../server/src/engines/engines';
import { type Feature, mergeCapabilities, serveFeatures } from '../../server/src/feature';
import { Logger } from '../../server/src/logger';
import { ServerSettings } from '../../server/src/serverSettings';
import { DocumentTrees } from '../../server/src/syntax/documentTrees';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { FakeConnection } from '../support/fakeConnection';
import { FakeModel } from '../support/fakeModel';
import { repoRoot } from '../support/paths';

const logged: string[] = [];
const log = new Logger({ error: (m) => logged.push(`error ${m}`), warn: (m) => logged.push(`warn ${m}`), info() {}, log() {} });
const grammars = new GrammarRegistry(join(repoRoot, 'grammars'));
const initParams = (over: Partial<InitializeParams> = {}): InitializeParams => ({ processId: null, rootUri: null, capabilities: {}, ...over });

test('capabilities of all features merged into one; two features claiming the same one is a mistake caught at start', () => {
  assert.deepEqual(mergeCapabilities([{ inlineCompletionProvider: true }, undefined, { textDocumentSync: 2 }]), { inlineCompletionProvider: true, textDocumentSync: 2 });
  assert.throws(() => mergeCapabilities([{ inlineCompletionProvider: true }, { inlineCompletionProvider: {} }]), /Two features declare the capability inlineCompletionProvider/);
});

test('the lifecycle reaches every feature in order: initialize with the capabilities, initialized, shutdown', async () => {
  const calls: string[] = [];
  const feature = (name: string, capability?: object): Feature => ({
    initialize: () => {
      calls.push(`initialize ${name}`);
      return capability;
    },
    initialized: () => void calls.push(`initialized ${name}`),
    shutdown: async () => void calls.push(`shutdown ${name}`),
  });
  const handlers: Record<string, (...args: unknown[]) => unknown> = {};
  let listening = false;
  const connection = {
    onInitialize: (h: (...args: unknown[]) => unknown) => (handlers.initialize = h),
    onInitialized: (h: (...args: unknown[]) => unknown) => (handlers.initialized = h),
    onShutdown: (h: (...args: unknown[]) => unknown) => (handlers.shutdown = h),
    listen: () => (listening = true),
  };
  serveFeatures(connection as never, undefined, [feature('a', { hoverProvider: true }), feature('b'), {}], { name: 'test' });
  assert.equal(listening, true);
  assert.deepEqual(handlers.initialize!(initParams()), { capabilities: { hoverProvider: true }, serverInfo: { name: 'test' } });
  handlers.initialized!();
  await handlers.shutdown!();
  assert.deepEqual(calls, ['initialize a', 'initialize b', 'initialized a', 'initialized b', 'shutdown a', 'shutdown b']);
});

test('settings pulled from a client that answers workspace/configuration: every listener gets them, in order, each time', async () => {
  const connection = new FakeConnection();
  connection.configuration.hearth = { maxLines: 3, logLevel: 'debug' };
  const settings = new ServerSettings(connection as never, log, '/home/u');
  settings.watchSection('files.exclude');
  const seen: string[] = [];
  settings.onChange((s) => void seen.push(`first ${s.maxLines}`));
  settings.onChange(async (s) => void seen.push(`second ${s.maxLines}`));
  settings.initialize(initParams({ capabilities: { workspace: { configuration: true } }, initializationOptions: { settings: { maxLines: 9 } } }));
  assert.equal(settings.pullsConfiguration, true);
  settings.initialized();
  await settings.apply();
  assert.deepEqual(connection.registered, [{ section: ['hearth', 'files.exclude'] }], 'told of changes to its own section and the ones it reads');
  assert.equal(settings.current.maxLines, 3, 'pulled, not the initialization options');
  assert.deepEqual(seen.slice(0, 2), ['first 3', 'second 3']);
  connection.configuration.hearth = { maxLines: 5 };
  connection.configurationChanged!({ settings: null });
  await settings.apply();
  assert.equal(settings.current.maxLines, 5);
  connection.configuration['files.exclude'] = { '**/gen': true };
  assert.deepEqual(await settings.section('files.exclude'), { '**/gen': true });
});

test('settings pushed by a client without workspace/configuration; a listener that fails is logged once and the others still run', async () => {
  const connection = new FakeConnection();
  const settings = new ServerSettings(connection as never, log, '/home/u');
  let applied: HearthSettings | undefined;
  settings.onChange(() => {
    throw new Error('disk full');
  });
  settings.onChange((s) => void (applied = s));
  settings.initialize(initParams({ initializationOptions: { settings: { maxLines: 4 } } }));
  assert.equal(settings.current.maxLines, 4);
  logged.length = 0;
  await settings.apply();
  assert.equal(applied?.maxLines, 4);
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /^error Applying settings failed: Error: disk full/);
  connection.configurationChanged!({ settings: { hearth: { maxLines: 2 } } });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(applied?.maxLines, 2, 'a pushed change is applied');
  assert.deepEqual(await settings.section('files.exclude'), {}, 'another section cannot be asked for');
});

function completionSetup(options: { streaming?: boolean } = {}) {
  const connection = new FakeConnection();
  const document = TextDocument.create('file:///w/a.ts', 'typescript', 1, 'function add(a: number, b: number) {\n  \n}\n');
  const model = new FakeModel(['const', ' s', ' =', ' a', ' +', ' b', ';', '\n', '  return', ' s', ';']);
  const settingsListeners: Array<() => void> = [];
  const modelListeners: Array<() => void> = [];
  let generations = 0;
  const feature = completionFeature({
    connection: connection as never,
    documents: { get: (uri) => (uri === document.uri ? document : undefined) },
    log,
    settings: { current: defaultSettings, onChange: (listener) => settingsListeners.push(listener) },
    model: () => model,
    onModelChange: (listener) => modelListeners.push(listener),
    grammars,
    trees: new DocumentTrees(),
    beginGeneration: () => {
      generations++;
      return () => generations--;
    },
    flags: { cache: true, keepGoing: true, streaming: options.streaming ?? true },
  });
  const complete = () =>
    connection.inlineCompletion!({ textDocument: { uri: document.uri }, position: { line: 1, character: 2 }, context: { triggerKind: 1 } }, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) }) as Promise<InlineCompletionItem[]>;
  return { connection, document, model, feature, complete, settingsListeners, modelListeners, generations: () => generations };
}

test('completion feature: an inline request is answered at the cursor, with metrics and the streamed first line; the capability is declared', async () => {
  const { connection, model, feature, complete, generations } = completionSetup();
  assert.deepEqual(feature.initialize?.(initParams()), { inlineCompletionProvider: true });
  const items = await complete();
  assert.deepEqual(items, [{ insertText: 'const s = a + b;\n  return s;', range: { start: { line: 1, character: 2 }, end: { line: 1, character: 2 } } }]);
  assert.equal(model.requests.length, 1);
  const metrics = connection.sent.filter((s) => s.method === CompletionMetricsNotification.method);
  assert.equal(metrics.length, 1);
  assert.equal((metrics[0]!.params as { outcome: string; queuedBehind: number }).outcome, 'served');
  assert.equal((metrics[0]!.params as { queuedBehind: number }).queuedBehind, 0);
  assert.deepEqual(connection.sent.filter((s) => s.method === FirstLineNotification.method).map((s) => (s.params as { text: string }).text), ['const s = a + b;']);
  assert.equal(generations(), 0, 'the status bar’s generation ended');
  assert.match((await connection.request<string>(LastPromptRequest.method, undefined)) ?? '', /function add/);
});

test('completion feature: a request the model fails gets no items, an error in the log and its metrics all the same', async () => {
  const { connection, model, complete } = completionSetup();
  model.beforeToken = () => {
    throw new Error('Eval has failed');
  };
  assert.deepEqual(await complete(), []);
  const metrics = connection.sent.filter((s) => s.method === CompletionMetricsNotification.method).map((s) => s.params as { outcome: string; reason?: string; uri: string });
  assert.equal(metrics.length, 1, 'one metrics notification for the request');
  assert.equal(metrics[0]!.outcome, 'error');
  assert.match(metrics[0]!.reason ?? '', /Eval has failed/);
  assert.equal(metrics[0]!.uri, 'file:///w/a.ts');
});

test('completion feature: streaming off sends no first line; a settings or model change empties the answer cache', async () => {
  const { connection, model, complete, settingsListeners, modelListeners } = completionSetup({ streaming: false });
  await complete();
  assert.equal(connection.sent.some((s) => s.method === FirstLineNotification.method), false);
  await complete();
  assert.equal(model.requests.length, 1, 'the same spot again: from the cache');
  settingsListeners.forEach((listener) => listener());
  await complete();
  assert.equal(model.requests.length, 2, 'after a settings change: asked again');
  modelListeners.forEach((listener) => listener());
  await complete();
  assert.equal(model.requests.length, 3, 'after a model change: asked again');
});

test('completion feature: a cursor rest prepares that spot’s prompt, unless the document moved on', async () => {
  const { connection, document, model } = completionSetup();
  connection.notify(CursorRestNotification.method, { uri: document.uri, version: 0, position: { line: 1, character: 2 } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(model.prepared.length, 0, 'an older version: nothing prepared');
  connection.notify(CursorRestNotification.method, { uri: document.uri, version: 1, position: { line: 1, character: 2 } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(model.prepared.length, 1);
  assert.match(model.prepared[0]!.prefix, /number\) \{\n {2}$/);
});

test('engines feature: settings reach the engines, an agreement to a remote URL is applied at once, shutdown lets the models go', async () => {
  const connection = new FakeConnection();
  const calls: string[] = [];
  const engines = {
    apply: async (s: HearthSettings) => void calls.push(`apply ${s.engine}`),
    setRemoteAccess: (access: { url: string }) => void calls.push(`access ${access.url}`),
    dispose: async () => void calls.push('dispose'),
  };
  const listeners: Array<(s: HearthSettings) => unknown> = [];
  const settings = { onChange: (l: (s: HearthSettings) => unknown) => listeners.push(l), apply: async () => void listeners.forEach((l) => l(defaultSettings)) };
  const feature = enginesFeature(connection as never, engines as unknown as Engines, settings);
  await settings.apply();
  connection.notify(RemoteAccessNotification.method, { url: 'https://m.example', consented: true });
  await feature.shutdown!();
  assert.deepEqual(calls, ['apply local', 'access https://m.example', 'apply local', 'dispose']);
});
