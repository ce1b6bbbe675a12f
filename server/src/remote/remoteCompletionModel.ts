// CompletionModel on an inference server the user runs (hearth.engine: remote). The pipeline above it is the same
// as for the local model: context, stop rules, filters, cache, streaming and early stop all apply. The prompt is
// Hearth's own anchored layout as text (textPrompt.ts), sanitized first (secretRedaction.ts); llama-server gets it on
// /completion with cache_prompt and a slot per document, so its KV cache survives typing; an OpenAI-compatible
// server gets it on /v1/completions. Leaving the token loop (a stop rule, a keystroke) aborts the HTTP request, and
// the server stops generating.
import type { RemoteSettings } from '../../../common/settings';
import type { Logger } from '../logger';
import type { FimOrder } from '../model/fimTemplate';
import type { CompletionModel, GeneratedToken, InfillRequest, InfillRun, InfillStats, TextModel, TextRequest, TextRun, TextStats } from '../model/completionModel';
import { SequenceSlots } from '../model/sequenceSlots';
import { TokenTextStream } from '../model/tokenStream';
import type { RemoteEngineInfo } from './remoteProbe';
import { type LlamaEvent, llamaGeneration, type OpenAiEvent, recordTimings } from './llamaServerApi';
import { postEvents, type RemoteEndpoint, RemoteError } from './remoteHttp';
import { type Redaction, neverSendMatcher, redactSecrets } from './secretRedaction';
import { TextPromptPlanner } from './textPrompt';

/** Characters per token assumed when sizing text prompts: low for code, so a prompt is never over the server's context. */
export const charsPerToken = 3;

export interface RemoteModelOptions {
  endpoint: RemoteEndpoint;
  info: RemoteEngineInfo;
  /** hearth.remote.neverSend, matched against workspace-relative paths and document paths. */
  neverSend: readonly string[];
  log: Logger;
  /** The FIM order when the user set one (hearth.fimOrder); else the family's. */
  fimOrder?: FimOrder;
  /**
   * llama-server's slot for each request: 'server' lets it choose (-1: an idle slot, the one whose cached prompt shares
   * the longest prefix, restored from its prompt cache where needed); 'perDocument' asks for one slot per document.
   */
  slots?: RemoteSettings['slots'];
  /** With 'perDocument': which of the server's slots this client starts from, so that clients sharing a server spread. */
  slotOffset?: number;
  /** Told what was redacted from each prompt (counts by rule, never the text). */
  onRedacted?: (found: Redaction['found']) => void;
  /** Told of a request that failed (the server gone, failing, refusing). */
  onFailure?: (error: unknown) => void;
}

export class RemoteCompletionModel implements CompletionModel, TextModel {
  readonly name: string;
  readonly instructFormat = 'chat' as const;
  readonly instructContextTokens: number;
  private readonly planner: TextPromptPlanner | undefined;
  /** With 'perDocument': the server's slots, one per recent document; else none (the server chooses). */
  private readonly slots: SequenceSlots<number> | undefined;
  private readonly neverSend: (path: string) => boolean;
  private readonly running = new Set<Promise<unknown>>();
  private readonly aborts = new Set<AbortController>();
  private last: string | undefined;
  private lastChat: string | undefined;

  constructor(private readonly options: RemoteModelOptions) {
    const { info, endpoint } = options;
    this.name = `${info.model} at ${new URL(endpoint.url).host}`;
    this.instructContextTokens = info.contextTokens;
    this.planner = info.fim && new TextPromptPlanner(options.fimOrder ? { ...info.fim, order: options.fimOrder } : info.fim);
    const offset = options.slotOffset ?? 0;
    this.slots = options.slots === 'perDocument' ? new SequenceSlots(Array.from({ length: info.slots }, (_, i) => (i + offset) % info.slots)) : undefined;
    this.neverSend = neverSendMatcher(options.neverSend);
  }

  /** The slot to ask llama-server for: -1 (its choice), or the document's own. */
  private slotFor(documentKey: string | undefined): number {
    return this.slots?.acquire(documentKey ?? '').item ?? -1;
  }

  /** A quarter of the server's context for code from other files, where the family has repository markers. */
  get contextBudgetTokens(): number {
    return this.options.info.fim?.repoName ? Math.floor(this.options.info.contextTokens / 4) : 0;
  }

  /** The server's tokenizer is a round trip away: the count is the conservative estimate the prompt is sized with. */
  countTokens(text: string): number {
    return Math.ceil(text.length / charsPerToken);
  }

  lastPrompt(): string | undefined {
    return this.last;
  }

  lastInstructPrompt(): string | undefined {
    return this.lastChat;
  }

  /** Whether a document (its URI or workspace path) must never be sent. */
  refuses(pathOrUri: string): boolean {
    const path = pathOrUri.startsWith('file://') ? decodeURIComponent(new URL(pathOrUri).pathname) : pathOrUri;
    return this.neverSend(path);
  }

  infill(request: InfillRequest): InfillRun {
    let finish!: (stats: InfillStats) => void;
    const done = new Promise<InfillStats>((resolve) => (finish = resolve));
    this.track(done);
    return { tokens: this.generate(request, finish), done };
  }

  generateText(request: TextRequest): TextRun {
    let finish!: (stats: TextStats) => void;
    const done = new Promise<TextStats>((resolve) => (finish = resolve));
    this.track(done);
    return { tokens: this.chat(request, finish), done };
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  async dispose(): Promise<void> {
    for (const controller of this.aborts) controller.abort();
    await this.idle();
  }

  private track(done: Promise<unknown>): void {
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }

  /** The request's texts with secrets redacted and never-send files left out. */
  private async sanitize(request: InfillRequest): Promise<{ prefix: string; suffix: string; context: Array<{ path: string; text: string }> }> {
    const name = request.filePath ?? request.documentKey ?? 'code.txt';
    const found: Redaction['found'] = {};
    const redact = async (text: string, file: string) => {
      const result = await redactSecrets(text, file);
      for (const [rule, count] of Object.entries(result.found)) found[rule] = (found[rule] ?? 0) + count;
      return result.text;
    };
    const [prefix, suffix] = await Promise.all([redact(request.prefix, name), redact(request.suffix, name)]);
    const context = await Promise.all((request.context ?? []).filter((file) => !this.neverSend(file.path)).map(async (file) => ({ path: file.path, text: await redact(file.text, file.path) })));
    if (Object.keys(found).length > 0) this.options.onRedacted?.(found);
    return { prefix, suffix, context };
  }

  private async *generate(request: InfillRequest, finish: (stats: InfillStats) => void): AsyncGenerator<GeneratedToken> {
    const { info, endpoint, log } = this.options;
    const stats: InfillStats = { promptTokens: 0, reusedPromptTokens: 0, generatedTokens: 0, decodeStepMs: 0, acceptedPredictions: 0, refutedPredictions: 0 };
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    request.signal.addEventListener('abort', onAbort, { once: true });
    this.aborts.add(controller);
    const started = performance.now();
    let abortedAt: number | undefined;
    request.signal.addEventListener('abort', () => (abortedAt = performance.now()), { once: true });
    try {
      if (!this.planner && info.kind !== 'llama-server') throw new RemoteError(`The server's model (${info.model}) has no fill-in-the-middle tokens Hearth knows; set hearth.remote.fimFormat.`, undefined, false);
      // hearth.remote.neverSend, by the workspace path (patterns with a folder) and the file's own path: nothing is sent.
      if ((request.filePath && this.neverSend(request.filePath)) || (request.documentKey && this.refuses(request.documentKey))) return;
      const clean = await this.sanitize(request);
      if (request.signal.aborted) return;
      const budgetChars = (info.contextTokens - request.maxTokens - 8) * charsPerToken;
      if (!this.planner) {
        // Markers Hearth does not know: llama-server's /infill lays the prompt out with the model's own FIM tokens
        // (its prefix ends at the cursor, so typing re-evaluates the suffix: only a fallback).
        yield* this.infillEndpoint(request, clean, budgetChars, stats, started, controller.signal);
        return;
      }
      const { prompt, heldBack } = this.planner.plan({
        documentKey: request.documentKey ?? '',
        prefix: clean.prefix,
        suffix: clean.suffix,
        context: clean.context,
        filePath: request.filePath,
        budgetChars,
        contextChars: this.contextBudgetTokens * charsPerToken,
      });
      this.last = prompt;
      const slot = info.kind === 'llama-server' ? this.slotFor(request.documentKey) : undefined;
      log.trace(`Remote engine: ${prompt.length} prompt chars${slot === undefined ? '' : slot < 0 ? ', the server picks the slot' : ` to slot ${slot}`}`);
      const pieces: string[] = [];
      const text = new TokenTextStream<number>((indices) => indices.map((i) => pieces[i]).join(''), heldBack);
      const events =
        info.kind === 'llama-server'
          ? postEvents<LlamaEvent>(
              endpoint,
              '/completion',
              { prompt, ...llamaGeneration(request.maxTokens, slot!) },
              controller.signal,
            )
          : postEvents<OpenAiEvent>(endpoint, '/v1/completions', { model: info.model, prompt, max_tokens: request.maxTokens, temperature: 0, stream: true }, controller.signal);
      for await (const event of events) {
        const piece = 'choices' in event ? (event.choices?.[0]?.text ?? '') : ((event as LlamaEvent).content ?? '');
        if ('timings' in event && event.timings) {
          recordTimings(stats, event);
          if (stats.generatedTokens === 0) log.trace(`Remote engine: the server evaluated ${event.timings.prompt_n} prompt tokens, ${event.timings.cache_n} from its cache`);
        }
        if ('usage' in event && event.usage) stats.promptTokens = event.usage.prompt_tokens ?? stats.promptTokens;
        if (piece === '') continue;
        if (stats.generatedTokens === 0) stats.firstTokenMs = performance.now() - started;
        stats.generatedTokens++;
        pieces.push(piece);
        const delta = text.push(pieces.length - 1);
        if (delta !== '') yield { text: delta };
        if (request.signal.aborted) break;
      }
    } catch (error) {
      if (request.signal.aborted) return; // the abort closed the stream
      log.warn(`Remote engine: ${(error as Error).message}`);
      this.options.onFailure?.(error);
      throw error;
    } finally {
      // Also when the consumer left the loop (a stop rule): the connection is closed, the server stops generating.
      controller.abort();
      this.aborts.delete(controller);
      request.signal.removeEventListener('abort', onAbort);
      if (abortedAt !== undefined) stats.cancelToIdleMs = performance.now() - abortedAt;
      finish(stats);
    }
  }

  /** llama-server's /infill with the window and the context; the answer streamed as it comes (closed with `signal`). */
  private async *infillEndpoint(
    request: InfillRequest,
    clean: { prefix: string; suffix: string; context: Array<{ path: string; text: string }> },
    budgetChars: number,
    stats: InfillStats,
    started: number,
    signal: AbortSignal,
  ): AsyncGenerator<GeneratedToken> {
    const { endpoint } = this.options;
    const suffix = clean.suffix.slice(0, Math.floor(budgetChars / 4));
    const prefix = clean.prefix.slice(-(budgetChars - suffix.length));
    this.last = `/infill ${JSON.stringify({ input_prefix: prefix, input_suffix: suffix })}`;
    const body = {
      input_prefix: prefix,
      input_suffix: suffix,
      input_extra: clean.context.map((file) => ({ filename: file.path, text: file.text })),
      ...llamaGeneration(request.maxTokens, this.slotFor(request.documentKey)),
    };
    for await (const event of postEvents<LlamaEvent>(endpoint, '/infill', body, signal)) {
      recordTimings(stats, event);
      const piece = event.content ?? '';
      if (piece === '') continue;
      if (stats.generatedTokens === 0) stats.firstTokenMs = performance.now() - started;
      stats.generatedTokens++;
      yield { text: piece };
      if (request.signal.aborted) break;
    }
  }

  private async *chat(request: TextRequest, finish: (stats: TextStats) => void): AsyncGenerator<GeneratedToken> {
    const { info, endpoint } = this.options;
    const stats: TextStats = { promptTokens: 0, generatedTokens: 0, preemptions: 0 };
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    request.signal.addEventListener('abort', onAbort, { once: true });
    this.aborts.add(controller);
    const started = performance.now();
    try {
      const turns = [{ role: 'system', text: request.prompt.system }, ...(request.prompt.history ?? []), { role: 'user', text: request.prompt.user }];
      const redacted = await Promise.all(turns.map((turn) => redactSecrets(turn.text)));
      const messages = turns.map((turn, i) => ({ role: turn.role, content: redacted[i]!.text }));
      const body = { model: info.model, messages, max_tokens: request.maxTokens, temperature: 0.2, stream: true };
      this.last = JSON.stringify(body.messages, null, 1);
      this.lastChat = this.last;
      for await (const event of postEvents<OpenAiEvent>(endpoint, '/v1/chat/completions', body, controller.signal)) {
        const piece = event.choices?.[0]?.delta?.content ?? '';
        if (event.usage?.prompt_tokens) stats.promptTokens = event.usage.prompt_tokens;
        if (piece === '') continue;
        if (stats.generatedTokens === 0) stats.firstTokenMs = performance.now() - started;
        stats.generatedTokens++;
        yield { text: piece };
      }
    } catch (error) {
      if (request.signal.aborted) return;
      throw error;
    } finally {
      controller.abort();
      this.aborts.delete(controller);
      request.signal.removeEventListener('abort', onAbort);
      finish(stats);
    }
  }
}
