// Next-edit suggestions over LSP (`hearth/nextEdit`): the server keeps each open document's recent edits (in memory
// only), and on request lays out the next-edit model's prompt with the context stage's retrieval chunks, runs it on
// the shared lock (completions first), and answers with the one edit worth showing, or none and why. A request is
// cancelled by the client's next keystroke (LSP cancellation), and a newer request for the same document cancels an
// older one still running.
import type { CancellationToken, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type NextEditParams, NextEditRequest, type NextEditResult } from '../../../common/protocol';
import { withCancellation } from '../cancellation';
import type { ContextFor } from '../context/workspaceContextFeature';
import { describeError } from '../errors';
import type { Feature } from '../feature';
import type { Logger } from '../logger';
import type { NextEditModel } from '../model/completionModel';
import { ghostTextAt, stillApplies } from './answerEdit';
import { type DocumentEdits, EditHistory } from './editHistory';
import { predictNextEdit } from './predictNextEdit';

/** Most prompt tokens the retrieval chunks may take (the card's 7B reads more; a laptop CPU reads less). */
export const retrievalBudgetTokens = 512;

/** Documents longer than this (characters) keep no edit history: splitting one at every keystroke would cost typing. */
export const maxTrackedChars = 1_000_000;

export interface NextEditParts {
  connection: Pick<Connection, 'onRequest'>;
  /** Whether next edits are on (a next-edit model set, hearth.nextEdits): off, no document is read at a keystroke. */
  enabled(): boolean;
  documents: Pick<TextDocuments<TextDocument>, 'get' | 'onDidOpen' | 'onDidChangeContent' | 'onDidClose'>;
  /** The next-edit model once the settings are applied; undefined where there is none. */
  model(): Promise<NextEditModel | undefined>;
  context?: ContextFor;
  log: Logger;
}

export function nextEditFeature({ connection, documents, enabled, model, context, log }: NextEditParts): Feature {
  const history = new EditHistory();
  const running = new Map<string, AbortController>();
  // Off, or a document too large: its history is dropped (turned on later, it starts from the text as it is then).
  const track = (document: TextDocument, record: (text: string) => void) => {
    const text = enabled() ? document.getText() : '';
    if (text !== '' && text.length <= maxTrackedChars) record(text);
    else history.closed(document.uri);
  };
  documents.onDidOpen(({ document }) => track(document, (text) => history.opened(document.uri, text)));
  documents.onDidChangeContent(({ document }) => track(document, (text) => history.changed(document.uri, text)));
  documents.onDidClose(({ document }) => {
    history.closed(document.uri);
    running.get(document.uri)?.abort();
  });

  const predict = async (params: NextEditParams, token: CancellationToken): Promise<NextEditResult> => {
    const started = performance.now();
    const document = documents.get(params.uri);
    const edits = history.of(params.uri);
    if (!document || document.version !== params.version) return { suggestion: null, reason: 'The document changed since the request.' };
    if (!edits) return { suggestion: null, reason: enabled() ? 'No edit history for this document (empty, or too large to track).' : 'Next edits are off.' };
    const nextEditModel = await model();
    if (!nextEditModel) return { suggestion: null, reason: 'No next-edit model (hearth.nextEditModelPath), or next edits are off (hearth.nextEdits).' };
    running.get(params.uri)?.abort();
    const controller = new AbortController();
    running.set(params.uri, controller);
    return withCancellation(token, (cancelled) => run(params, document, edits, nextEditModel, AbortSignal.any([controller.signal, cancelled]), started)).finally(() => {
      if (running.get(params.uri) === controller) running.delete(params.uri);
    });
  };

  const run = async (params: NextEditParams, document: TextDocument, edits: DocumentEdits, nextEditModel: NextEditModel, signal: AbortSignal, started: number): Promise<NextEditResult> => {
    try {
      const offset = document.offsetAt(params.position);
      const found = context
        ? await context({ uri: document.uri, languageId: document.languageId, text: document.getText(), offset }, { tokens: retrievalBudgetTokens, count: (text) => nextEditModel.tokenize(text, false).length })
        : undefined;
      const path = found?.filePath ?? document.uri.slice(document.uri.lastIndexOf('/') + 1);
      const result = await predictNextEdit(nextEditModel, { path, edits, cursor: params.position, retrieval: found?.snippets.map((s) => ({ path: s.path, text: s.text })) }, signal);
      const metrics = { promptTokens: result.promptTokens, reusedPromptTokens: result.reusedPromptTokens, generatedTokens: result.generatedTokens, preemptions: result.preemptions, totalMs: performance.now() - started, ended: result.ended };
      log.info(`Next edit: ${result.edit ? `lines ${result.edit.startLine}-${result.edit.endLine}` : 'none'}, prompt ${result.promptTokens} tokens (${result.reusedPromptTokens} reused), ${result.generatedTokens} generated, ended: ${result.ended}`);
      if (!result.edit) return { suggestion: null, reason: result.ended === 'cancelled' ? 'Cancelled.' : 'The model predicts no edit here.', metrics };
      // The document's lines as the history holds them (LF), where it is still at the request's version.
      const lines = history.of(params.uri)?.current;
      if (!lines || documents.get(params.uri)?.version !== params.version) return { suggestion: null, reason: 'The document changed meanwhile.', metrics };
      // On the cursor's line: shown as ghost text where it inserts at the cursor, else not at all (that line is being typed).
      const atCursor = ghostTextAt(result.edit, lines[params.position.line] ?? '', params.position);
      if (atCursor !== undefined) return { suggestion: { uri: params.uri, version: params.version, ...result.edit, atCursor }, metrics };
      if (!stillApplies(result.edit, result.replaced, lines, params.position.line)) return { suggestion: null, reason: 'The edit touches the line being typed.', metrics };
      return { suggestion: { uri: params.uri, version: params.version, ...result.edit }, metrics };
    } catch (error) {
      log.warn(`Next edit failed: ${describeError(error)}`);
      return { suggestion: null, reason: describeError(error) };
    }
  };

  connection.onRequest(NextEditRequest.type, predict);
  return {
    async shutdown() {
      for (const controller of running.values()) controller.abort();
    },
  };
}
