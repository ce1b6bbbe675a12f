// Ghost text over LSP: textDocument/inlineCompletion runs the completion pipeline (one request in flight per document,
// the first line streamed as hearth/firstLine, metrics as hearth/completionMetrics), hearth/cursorRest prepares the
// prompt where the cursor rests, and hearth/lastPrompt shows what the model last saw. Answers are cached until the
// settings or the model change.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Connection, InlineCompletionItem, TextDocuments } from 'vscode-languageserver/node';
import { CompletionMetricsNotification, CursorRestNotification, FirstLineNotification, LastPromptRequest } from '../../../common/protocol';
import type { HearthSettings } from '../../../common/settings';
import { abortControllerFor } from '../cancellation';
import { describeError } from '../errors';
import type { Feature } from '../feature';
import type { Logger } from '../logger';
import type { CompletionModel } from '../model/completionModel';
import type { DocumentTrees } from '../syntax/documentTrees';
import type { GrammarRegistry } from '../syntax/grammarRegistry';
import { CompletionCache } from './completionCache';
import { completionEnvironment } from './completionEnvironment';
import { type CompletionEnvironment, completionMetrics, prepareCompletion, provideCompletion } from './completionPipeline';
import { InFlightRequests } from './inFlightRequests';

export type CompletionConnection = Pick<Connection, 'onRequest' | 'onNotification' | 'sendNotification'> & {
  languages: { inlineCompletion: Pick<Connection['languages']['inlineCompletion'], 'on'> };
};

export interface CompletionParts {
  connection: CompletionConnection;
  documents: Pick<TextDocuments<TextDocument>, 'get'>;
  log: Logger;
  settings: { readonly current: HearthSettings; onChange(listener: () => void): void };
  model(): CompletionModel | undefined;
  /** Called when the model completions go to changes: the cached answers were another model's. */
  onModelChange(listener: () => void): void;
  grammars: GrammarRegistry;
  trees: DocumentTrees;
  /** The context stage; absent: no code from other files. */
  context?: CompletionEnvironment['context'];
  beginGeneration(): () => void;
  /** The speed features that can be switched off one at a time (HEARTH_DISABLE). */
  flags: { cache: boolean; keepGoing: boolean; streaming: boolean };
}

export function completionFeature(parts: CompletionParts): Feature {
  const { connection, documents, log } = parts;
  const cache = new CompletionCache(parts.flags.cache ? undefined : 0);
  parts.settings.onChange(() => cache.clear()); // limits such as maxLines shape the cached answers
  parts.onModelChange(() => cache.clear());
  const env = completionEnvironment({
    settings: () => parts.settings.current,
    model: parts.model,
    documents,
    grammars: parts.grammars,
    trees: parts.trees,
    cache,
    keepGoing: parts.flags.keepGoing,
    beginGeneration: parts.beginGeneration,
    context: parts.context,
  });
  connection.onRequest(LastPromptRequest.type, () => parts.model()?.lastPrompt() ?? null);
  registerInlineCompletion(connection, documents, log, env, parts.flags.streaming);
  registerCursorRest(connection, documents, log, env);
  return { initialize: () => ({ inlineCompletionProvider: true }) };
}

function registerInlineCompletion(
  connection: CompletionConnection,
  documents: CompletionParts['documents'],
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
    const started = performance.now();
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
      // Every request gets its metrics, a failed one too: whoever counts requests (the bench, a tool) never waits.
      void connection.sendNotification(CompletionMetricsNotification.type, completionMetrics({ uri, version }, 'error', started, undefined, describeError(error)));
      return [];
    } finally {
      dispose();
      admission.release();
    }
  });
}

/** Where the client says the cursor rests, the model prepares that spot's prompt in the background. */
function registerCursorRest(connection: CompletionConnection, documents: CompletionParts['documents'], log: Logger, env: Omit<CompletionEnvironment, 'onFirstLine'>): void {
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
