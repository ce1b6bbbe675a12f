// CompletionModel on llama.cpp. Drives a context sequence per document token by token (below LlamaCompletion), so
// that an abort is seen between decode steps and prompt chunks and the KV state of the prompt is kept between
// requests. Prompts come from the PromptPlanner (anchored prefix-first layout, latency budget): a request whose whole
// window does not fit the budget runs a quick prompt on the quick sequence, while what it left out is warmed into the
// document's own sequence between requests (WindowWarmer), which the next requests then use.
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { Logger } from '../logger';
import type { CompletionModel, ContextFile, GeneratedToken, InfillRequest, InfillRun, InfillStats, TextModel, TextRequest, TextRun } from './completionModel';
import { ExclusiveLock, LockPriority } from './exclusiveLock';
import { borrowPrefix, evaluateInChunks, reuseKvPrefix, startCleanAfterFailure } from './kvReuse';
import { type FimOrder, type FimTokenIds, layoutQuickRepoHeader, layoutRepoHeader, type RepoTokenIds } from './fimTemplate';
import { lookupCorpus, RecentCompletions } from './lookupCorpus';
import type { PromptChunker } from './promptChunks';
import { type PlanInput, PromptPlanner } from './promptPlanner';
import { SequenceSlots } from './sequenceSlots';
import { type ChatLayout, TextGenerator } from './textGeneration';
import type { SpeculationGate, SpeculationMode } from './speculationGate';
import { type DraftResources, disposeDraft, type SpeculationCounters } from './speculativePredictor';
import { type CpuLoadMeter, fitThreadsToLoad } from './threadCount';
import { ByteLevelDecoder } from './tokenText';
import { TokenLoop } from './tokenLoop';
import { typingGraceMs, warmDelayAfterRequest, type WindowKeeper, WindowWarmer } from './windowWarmer';

/** The most a request may spend evaluating its prompt before the first decode step; the rest is warmed later. */
export const defaultPromptLatencyMs = 1000;

export interface LlamaCompletionModelParts {
  name: string;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequences: LlamaContextSequence[]; // one per active document
  quick: LlamaContextSequence; // quick prompts' (shared by all documents: a quick prompt is short, rebuilt cheaply)
  instruct: { sequence: LlamaContextSequence; layout: ChatLayout }; // explain/refactor: their sequence, their layout
  /** Who computes: generations, instructions, background warming (shared with a separate chat model). */
  lock: ExclusiveLock;
  draft: DraftResources | undefined;
  /** Where speculation can pay: the gate choosing each request's mode, and what the sequences' predictors count. */
  speculation: { gate: SpeculationGate; counters: SpeculationCounters } | undefined;
  fimIds: FimTokenIds;
  repoIds: RepoTokenIds | undefined;
  fimOrder: FimOrder;
  /** Auto threads: fitted to the machine's load before each request. */
  threads: { ideal: number; meter: CpuLoadMeter } | undefined;
  reuseKv: boolean;
  anchorPrompt: boolean;
  latencyBudget: boolean;
  promptLatencyMs: number;
  chunker: PromptChunker;
  log: Logger;
  windows?: WindowKeeper; // windows kept on disk across reopening and restarts (absent: none kept)
}

export class LlamaCompletionModel implements CompletionModel, TextModel {
  readonly name: string;
  /** Whoever uses a sequence: generations, and background warming, which gives way to anyone waiting. */
  private readonly lock: ExclusiveLock;
  /** Generations only: what idle() waits for. */
  private readonly generations = new ExclusiveLock();
  private readonly slots: SequenceSlots<LlamaContextSequence>;
  private readonly quick: LlamaContextSequence;
  private readonly warmer: WindowWarmer;
  private readonly planner: PromptPlanner;
  private readonly contextSize: number;
  private readonly byteDecoder: ByteLevelDecoder | undefined;
  private lastPromptTokens: Token[] | undefined;
  /** For prompt lookup: the latest completions, and other files' code in tokens (per context object, as it is reused). */
  private readonly recent = new RecentCompletions();
  private readonly contextTokens = new WeakMap<readonly ContextFile[], Token[]>();
  private disposed = false;
  private readonly text: TextGenerator;
  readonly instructFormat: 'chat' | 'plain';

  constructor(private readonly parts: LlamaCompletionModelParts) {
    this.name = parts.name;
    this.lock = parts.lock;
    this.slots = new SequenceSlots(parts.sequences);
    this.quick = parts.quick;
    this.contextSize = parts.quick.contextSize;
    this.warmer = new WindowWarmer({ lock: this.lock, windowOf: (key) => this.slots.acquire(key).item, heldBy: (key) => this.slots.holder(key), chunker: parts.chunker, log: parts.log, windows: parts.windows });
    this.planner = new PromptPlanner((text) => parts.model.tokenize(text), parts.fimIds, parts.fimOrder, parts.anchorPrompt, !parts.speculation);
    const ggml = parts.model.fileInfo.metadata.tokenizer?.ggml as { model?: string; tokens?: string[]; token_type?: number[] } | undefined;
    this.byteDecoder = ggml?.model === 'gpt2' && ggml.tokens ? new ByteLevelDecoder(ggml.tokens, ggml.token_type) : undefined;
    this.text = new TextGenerator({ model: parts.model, ...parts.instruct, lock: this.lock, decode: (tokens) => this.decode(tokens), chunk: parts.chunker.chunk });
    this.instructFormat = parts.instruct.layout.format;
  }

  get instructContextTokens(): number {
    return this.text.contextTokens;
  }

  generateText(request: TextRequest): TextRun {
    return this.text.run(request);
  }

  idle(): Promise<void> {
    return this.generations.idle();
  }

  /** A quarter of the context, for models that know the repository-level prompt format. */
  get contextBudgetTokens(): number {
    return this.parts.repoIds ? Math.floor(this.contextSize / 4) : 0;
  }

  countTokens(text: string): number {
    return this.parts.model.tokenize(text).length;
  }

  lastInstructPrompt(): string | undefined {
    return this.text.lastPrompt();
  }

  lastPrompt(): string | undefined {
    return this.lastPromptTokens && this.parts.model.detokenize(this.lastPromptTokens, true);
  }

  infill(request: InfillRequest): InfillRun {
    let finish!: (stats: InfillStats) => void;
    const done = new Promise<InfillStats>((resolve) => (finish = resolve));
    return { tokens: this.generate(request, finish), done };
  }

  /** Generated tokens → text: byte-exact for byte-level BPE vocabularies (see tokenText.ts), else llama.cpp's. */
  private decode = (tokens: Token[]): string => (this.byteDecoder ? this.byteDecoder.decode(tokens) : this.parts.model.detokenize(tokens));

  /** What the planner needs of a request: the texts, the cross-file header in tokens, and the room for the prompt. */
  private planInput(request: Omit<InfillRequest, 'signal'>, maxTokens: number) {
    const { repoIds, model } = this.parts;
    const files = repoIds && request.context && request.context.length > 0 ? request.context : undefined;
    const path = request.filePath ?? 'untitled';
    const tokenize = (text: string) => model.tokenize(text);
    const header = files ? layoutRepoHeader(files, path, repoIds!, tokenize, this.contextBudgetTokens) : [];
    const quickHeader = files && ((budget: number) => layoutQuickRepoHeader(files, path, repoIds!, tokenize, budget));
    return { documentKey: request.documentKey ?? '', prefix: request.prefix, suffix: request.suffix, header, quickHeader, budget: this.contextSize - maxTokens - 1 };
  }

  /** At most half the context is spent on generated tokens; the prompt gets the rest. */
  private generationLimit(request: Omit<InfillRequest, 'signal'>): number {
    return Math.max(1, Math.min(request.maxTokens, Math.floor(this.contextSize / 2)));
  }

  /** The prompt for this request: the whole window when its uncached part fits the latency budget (promptBudget), else a quick one. */
  private planPrompt(input: PlanInput, sequence: LlamaContextSequence, waitedMs: number) {
    const { reuseKv, latencyBudget, promptLatencyMs, chunker } = this.parts;
    const latencyTokens = reuseKv && latencyBudget ? chunker.tokensWithin(chunker.promptBudget(promptLatencyMs, waitedMs, this.generations.waiting)) : Number.POSITIVE_INFINITY;
    return this.planner.plan(input, reuseKv ? sequence.contextTokens : [], latencyTokens, reuseKv ? this.quick.contextTokens : []);
  }

  prepare(request: Omit<InfillRequest, 'signal'>): void {
    if (!this.parts.reuseKv || this.disposed) return;
    const tokens = this.planner.warmTokens(this.planInput(request, this.generationLimit(request)));
    this.warmer.schedule(request.documentKey ?? '', tokens as Token[]);
  }

  private async *generate(request: InfillRequest, finish: (stats: InfillStats) => void): AsyncGenerator<GeneratedToken> {
    const { signal } = request;
    const { model, speculation, chunker, log } = this.parts;
    const stats: InfillStats = { promptTokens: 0, reusedPromptTokens: 0, generatedTokens: 0, decodeStepMs: 0, acceptedPredictions: 0, refutedPredictions: 0 };
    const arrived = this.warmer.requestArrived(); // a warm step started soon after is kept short: typing may go on
    let abortedAt: number | undefined;
    const onAbort = (): void => {
      abortedAt = performance.now();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const priority = request.unfocused ? LockPriority.otherWindow : LockPriority.completion;
    const endGeneration = await this.generations.acquireUnlessAborted(signal, priority);
    const release = endGeneration && (await this.lock.acquireUnlessAborted(signal, priority));
    if (!release) {
      // Cancelled while waiting its turn (the next keystroke came): nothing was computed, and typing goes on.
      endGeneration?.();
      signal.removeEventListener('abort', onAbort);
      if (abortedAt !== undefined) stats.cancelToIdleMs = performance.now() - abortedAt;
      this.warmer.resume(typingGraceMs);
      finish(stats);
      return;
    }
    const documentKey = request.documentKey ?? '';
    const { item: window, reassigned } = this.slots.acquire(documentKey);
    if (reassigned) log.trace(`KV: a sequence is handed to ${documentKey}`);
    let sequence = window;
    let predictionsBefore = sequence.tokenPredictions; // counted once the sequence is ours alone
    const started = performance.now();
    let loop: TokenLoop | undefined;
    let warm: Token[] | undefined;
    let keep = false;
    const mode: SpeculationMode = speculation ? speculation.gate.choose(documentKey) : 'off';
    const countersBefore = speculation && { ...speculation.counters };
    try {
      if (signal.aborted) return;
      fitThreadsToLoad(this.parts.llama, this.parts.threads, log);
      const maxTokens = this.generationLimit(request);
      const input = this.planInput(request, maxTokens);
      // A window kept on disk (the file was worked on before): loaded before planning, so this request can use it —
      // looked for when the document has just been given its sequence (reopened, or its sequence was taken meanwhile).
      if (this.parts.windows && this.parts.reuseKv && reassigned) {
        const held = window.nextTokenIndex;
        await this.parts.windows.restore(window, this.planner.warmTokens(input) as Token[], documentKey);
        // Kept while the user typed on past its anchor: its anchor is taken again, the lines since as the middle.
        if (window.nextTokenIndex !== held && this.planner.adoptCachedAnchor(input, window.contextTokens)) log.debug(`KV: ${documentKey} continues at the kept window's anchor`);
      }
      const plan = this.planPrompt(input, window, started - arrived);
      const prompt = plan.tokens as Token[];
      warm = plan.warm as Token[] | undefined;
      if (!plan.full) {
        // The quick prompt on its own sequence: the window warming in the document's sequence stays.
        sequence = this.quick;
        predictionsBefore = sequence.tokenPredictions;
        if (plan.borrow) await borrowPrefix(sequence, window, plan.borrow, log);
      }
      this.lastPromptTokens = prompt;
      stats.promptTokens = prompt.length;
      stats.fullPrompt = plan.full;
      stats.prefillChunkMs = chunker.chunkMs;
      const reused = await reuseKvPrefix(sequence, prompt, this.parts.reuseKv, log);
      if (mode === 'promptLookup') sequence.tokenPredictor?.updateInputTokens(lookupCorpus(prompt, this.recent, this.otherFileTokens(request)));
      stats.reusedPromptTokens = reused;

      // The prompt in chunks, the abort signal checked between them; the rest (a chunk at most, often the one or two
      // tokens a keystroke changed) goes with the first decode step, in one native call.
      const next = await evaluateInChunks(sequence, prompt, reused, prompt.length - 1, chunker, () => signal.aborted);
      if (signal.aborted) return;
      // A whole window evaluated here: kept on disk once the request is over, where it holds enough that the last
      // kept one does not (the keeper decides).
      keep = plan.full;

      loop = new TokenLoop({ maxTokens, signal, isEnd: (token) => model.isEogToken(token), decode: (tokens) => this.decode(tokens), heldBack: plan.heldBack, chunker });
      yield* loop.run(sequence, prompt, next);
    } catch (error) {
      keep = false;
      warm = undefined;
      await startCleanAfterFailure(sequence, error, log);
      throw error;
    } finally {
      // Also when the consumer stopped the generation (a stop rule): then this generator ends at its yield.
      const generated = loop?.emitted ?? [];
      stats.generatedTokens = generated.length;
      stats.decodeStepMs = loop?.decodeStepMs ?? 0;
      if (loop?.firstTokenAt !== undefined) stats.firstTokenMs = loop.firstTokenAt - started;
      // Short generations measure noise, not speed.
      if (speculation && generated.length >= 8) speculation.gate.record(documentKey, mode, 1000 / stats.decodeStepMs);
      if (speculation && countersBefore) {
        stats.speculationMode = mode;
        stats.proposals = speculation.counters.proposals - countersBefore.proposals;
        stats.draftPromptTokens = speculation.counters.draftPromptTokens - countersBefore.draftPromptTokens;
      }
      this.recent.add(generated);
      signal.removeEventListener('abort', onAbort);
      if (abortedAt !== undefined) stats.cancelToIdleMs = performance.now() - abortedAt;
      const predictions = sequence.tokenPredictions;
      stats.acceptedPredictions = predictions.validated - predictionsBefore.validated;
      stats.refutedPredictions = predictions.refuted - predictionsBefore.refuted;
      release();
      endGeneration();
      // Warming goes on at once after an answer; after a cancellation (typing goes on), or for another document, once
      // the typing pauses.
      if (warm) this.warmer.schedule(documentKey, warm, warmDelayAfterRequest(abortedAt !== undefined, false));
      else this.warmer.resume(warmDelayAfterRequest(abortedAt !== undefined, this.warmer.warming !== undefined && this.warmer.warming !== documentKey));
      if (keep) this.warmer.keep(documentKey);
      finish(stats);
    }
  }

  /** Code from other files for prompt lookup to search, where the prompt has no room for it (no repository-level format). */
  private otherFileTokens(request: InfillRequest): Token[] {
    const context = request.context;
    if (this.parts.repoIds || !context || context.length === 0) return [];
    let tokens = this.contextTokens.get(context);
    if (!tokens) {
      tokens = this.parts.model.tokenize(context.map((file) => file.text).join('\n')).slice(-4096);
      this.contextTokens.set(context, tokens);
    }
    return tokens;
  }

  /** Whether the window the last request left out gets warm (true) or not (false); true when nothing is left to warm. */
  async releaseDocuments(belongs: (documentKey: string) => boolean): Promise<void> {
    this.planner.forgetWhere(belongs);
    await this.warmer.release(belongs, () => (this.disposed ? [] : this.slots.release(belongs)));
  }

  whenWarm(): Promise<boolean> {
    return this.warmer.whenWarm();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.warmer.stop();
    this.text.stop();
    const release = await this.lock.acquire();
    try {
      if (this.parts.reuseKv) await this.warmer.keepAll(this.slots.held());
      await disposeDraft(this.parts.draft); // before the target's context, else node-llama-cpp throws
      await this.parts.context.dispose();
      await this.parts.model.dispose();
      await this.parts.llama.dispose();
    } finally {
      release();
    }
  }
}
