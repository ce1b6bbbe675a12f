// Explain and refactor on the local model: finds the code (instructTarget), builds the prompt with the context
// stage's definitions from other files (instructPrompts), streams the answer as progress notifications and returns
// it whole; a refactor answer is reduced to its code (codeExtraction) and split into hunks. Nothing is written to any
// file here: the client shows the proposal and applies it only when the user accepts.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Connection } from 'vscode-languageserver/node';
import { type InstructParams, type InstructProgress, InstructProgressNotification, InstructRequest, type InstructResult } from '../../../common/protocol';
import { describeError } from '../errors';
import { withCancellation } from '../cancellation';
import type { Logger } from '../logger';
import { type TextModelSource, textModel } from '../model/waitForModel';
import type { TokenBudget } from '../context/tokenBudget';
import { codeBlockClosed, extractCode, matchIndentation } from './codeExtraction';
import { buildHunks } from './hunks';
import { type InstructInput, explainPrompt, refactorPrompt } from './instructPrompts';
import { findTarget, type OffsetRange } from './instructTarget';

export interface InstructDependencies extends TextModelSource {
  document(uri: string): TextDocument | undefined;
  /** Ranges of the scopes (function, class, …) containing `offset`, innermost first; empty without a grammar. */
  scopes(document: TextDocument, offset: number): Promise<OffsetRange[]>;
  /** Definitions from other files the code uses, within `budget`, and the document's workspace-relative path. */
  context(document: TextDocument, offset: number, budget: TokenBudget): Promise<{ filePath: string; snippets: Array<{ path: string; text: string }> }>;
  log: Logger;
}

/** Longest explanation, in tokens. */
const explainMaxTokens = 768;
/** Prompt tokens besides the code and the context: the instructions, diagnostics, the chat template's own. */
const promptOverheadTokens = 500;
/** Most tokens of context from other files an instruction's prompt holds. */
const maxContextTokens = 2000;

export class InstructService {
  constructor(private readonly deps: InstructDependencies) {}

  /** Answers `hearth/instruct`, streaming `hearth/instructProgress`; cancelled through the request's token. */
  listen(connection: Pick<Connection, 'onRequest' | 'sendNotification'>): void {
    connection.onRequest(InstructRequest.type, (params, token) =>
      withCancellation(token, (signal) => this.run(params, signal, (progress) => void connection.sendNotification(InstructProgressNotification.type, progress))),
    );
  }

  async run(params: InstructParams, signal: AbortSignal, progress: (p: InstructProgress) => void): Promise<InstructResult> {
    const started = performance.now();
    const { log } = this.deps;
    const document = this.deps.document(params.uri);
    const emptyRange = { start: params.position, end: params.position };
    const fail = (error: string, range = emptyRange, original = ''): InstructResult => ({ range, original, text: '', error });
    if (!document) return fail('The document is not open in the editor.');
    if (document.version !== params.version) return fail('The document changed before the request reached the model; run the command again.');
    const ready = await textModel(this.deps, signal);
    if ('error' in ready) return { ...fail(ready.error), ...(ready.cancelled ? { cancelled: true } : {}) };
    const { model } = ready;
    if (this.deps.document(params.uri)?.version !== params.version) return fail('The document changed while the model loaded; run the command again.');
    const text = document.getText();
    const offset = document.offsetAt(params.position);
    const selection = params.selection && { start: document.offsetAt(params.selection.start), end: document.offsetAt(params.selection.end) };
    const refactor = params.task === 'refactor';
    const instruction = params.instruction?.trim() ?? '';
    if (refactor && instruction === '') return fail('Refactor needs an instruction.');
    const target = findTarget(text, selection, selection?.start ?? offset, await this.deps.scopes(document, selection?.start ?? offset), refactor);
    if (!target) return fail('There is no code at the cursor to work on.');
    const range = { start: document.positionAt(target.start), end: document.positionAt(target.end) };

    const contextTokens = model.instructContextTokens ?? 4096;
    const maxTokens = refactor ? Math.min(2048, Math.ceil(target.code.length / 2) + 128) : explainMaxTokens;
    // The prompt's own text (instructions, the code, its enclosing headers) and the answer come first; context gets
    // what is left, up to maxContextTokens.
    const count = (text: string) => model.countTokens(text);
    const room = contextTokens - maxTokens - count(target.code) - count(target.outerHeaders.join('\n')) - promptOverheadTokens;
    const budget: TokenBudget = { tokens: Math.max(0, Math.min(room, maxContextTokens)), count };
    const context = await this.deps.context(document, target.start, budget).catch((error) => {
      log.warn(`Context for ${params.task} failed: ${describeError(error)}`);
      return { filePath: document.uri.split('/').pop() ?? document.uri, snippets: [] };
    });
    const input: InstructInput = { code: target.code, languageId: document.languageId, path: context.filePath, outerHeaders: target.outerHeaders, context: context.snippets };
    const prompt = refactor ? refactorPrompt(input, instruction) : explainPrompt(input, params.diagnostics);
    const openedFence = model.instructFormat !== 'chat';

    const run = model.generateText({ prompt, maxTokens, signal });
    let answer = '';
    let first = true;
    let error: string | undefined;
    try {
      for await (const token of run.tokens) {
        answer += token.text;
        const lineDone = token.text.includes('\n');
        progress({ id: params.id, ...(first ? { range } : {}), delta: token.text, ...(refactor && lineDone ? { code: extractCode(answer, { openedFence }) ?? '' } : {}) });
        first = false;
        // The code block is closed: what follows would be prose.
        if (refactor && lineDone && codeBlockClosed(answer, openedFence)) break;
      }
    } catch (e) {
      error = (e as Error).message;
    }
    const stats = await run.done;
    const result: InstructResult = {
      range,
      original: target.code,
      text: answer,
      stats: { ...stats, totalMs: performance.now() - started, chatTemplate: !openedFence },
    };
    if (signal.aborted) return { ...result, cancelled: true, error: 'Cancelled.' };
    if (error) return { ...result, error };
    if (refactor) {
      const extracted = extractCode(answer, { openedFence, complete: true });
      if (extracted === undefined) return { ...result, error: 'The model’s answer held no code; nothing to apply.' };
      const code = matchIndentation(target.code, extracted);
      result.code = code;
      result.hunks = buildHunks(target.code, code).map((hunk) => ({ ...hunk, startLine: hunk.startLine + range.start.line, endLine: hunk.endLine + range.start.line }));
    }
    log.info(`${params.task}: ${stats.promptTokens} prompt tokens, ${stats.generatedTokens} generated in ${Math.round(performance.now() - started)} ms (${stats.preemptions} pauses for completions)`);
    return result;
  }
}
