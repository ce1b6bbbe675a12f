// CompletionModel on llama.cpp. Drives the context sequence token by token (below LlamaCompletion) so that an
// abort is seen between decode steps and the KV state of the common prompt prefix is kept between requests.
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Llama, LlamaContext, LlamaContextOptions, LlamaContextSequence, LlamaModel, Token, TokenPredictor } from 'node-llama-cpp';
import type { GpuSetting, SpeculationSetting } from '../../../common/settings';
import { ModelError } from '../errors';
import type { Logger } from '../logger';
import type { CompletionModel, GeneratedToken, InfillRequest, InfillRun, InfillStats } from './completionModel';
import { ExclusiveLock } from './exclusiveLock';
import { type FimOrder, type FimTokenIds, layoutFimPrompt, layoutRepoHeader, type RepoTokenIds } from './fimTemplate';
import { validateModelFile } from './ggufValidation';
import { PromptChunker } from './promptChunks';
import { ProposalThrottle } from './proposalThrottle';
import { SequenceSlots } from './sequenceSlots';
import { ByteLevelDecoder } from './tokenText';
import { SpeculationGate, speculationCanPay } from './speculationGate';
import { CpuLoadMeter, threadsForLoad } from './threadCount';
import { createLlama, loadNodeLlamaCpp, type NodeLlamaCpp } from './llamaRuntime';

export interface LlamaModelOptions {
  modelPath: string;
  threads: number;
  gpu: GpuSetting;
  /** Largest context to allocate; the model's training context caps it. */
  maxContextSize: number;
  fimOrder: FimOrder;
  speculation: SpeculationSetting;
  draftModelPath: string;
  /** Threads may drop below `threads` while other processes keep cores busy (hearth.threads = 0, auto). */
  adaptiveThreads: boolean;
  /** Keep the KV state of the common prompt prefix between requests (off only to measure what it is worth). */
  reuseKvPrefix: boolean;
}

/** Documents whose KV state is kept at once (one context sequence each, least recently used handed over). */
const documentSequences = 3;

/** The draft model's own model and context, disposed before the target's (else node-llama-cpp throws). */
interface DraftResources {
  model: LlamaModel;
  context: LlamaContext;
}

export async function loadLlamaCompletionModel(options: LlamaModelOptions, log: Logger): Promise<CompletionModel> {
  const lib = await loadNodeLlamaCpp();
  await validateModelFile(options.modelPath, (path) => lib.readGgufFileInfo(path, { readTensorInfo: false }));
  const llama = await createLlama(options.gpu, options.threads, log);
  let model: LlamaModel | undefined;
  try {
    model = await llama.loadModel({ modelPath: options.modelPath });
    const infill = model.tokens.infill;
    if (infill.prefix == null || infill.suffix == null || infill.middle == null) {
      throw new ModelError('noFimTokens', `${basename(options.modelPath)} has no fill-in-the-middle tokens.`);
    }
    const contextSize = Math.min(model.trainContextSize, options.maxContextSize);
    const threads = options.adaptiveThreads ? { ideal: options.threads, min: 1 } : options.threads;
    const context = await model.createContext({ contextSize, threads, sequences: documentSequences });
    let draft = options.speculation === 'draft' ? await loadDraft(lib, llama, options, contextSize, threads, log) : undefined;
    // What would speculate: prompt lookup, or the draft when it loaded; then whether verifying can pay here at all.
    const mode = options.speculation === 'promptLookup' ? 'prompt lookup' : draft ? `draft ${basename(options.draftModelPath)}` : undefined;
    let speculates = false;
    let speculationNote = 'off';
    if (mode) {
      const cost = await measureBatchOf3Cost(context, model);
      speculates = speculationCanPay(cost);
      speculationNote = speculates
        ? `${mode} (a 3-token batch costs ${cost.toFixed(2)} steps)`
        : `off: verifying 2 proposed tokens costs ${cost.toFixed(2)} decode steps on this machine, more than it can save`;
      if (!speculates) draft = await disposeDraft(draft);
    }
    const speculation = speculates ? { gate: new SpeculationGate(), thisRequest: true } : undefined;
    // A sequence per active document, each with its own predictor (a draft predictor drives a draft sequence).
    const sequences = Array.from({ length: documentSequences }, () => {
      const inner = speculates ? createPredictor(lib, options.speculation, draft) : undefined;
      return context.getSequence({ tokenPredictor: inner && gatedPredictor(lib, inner, () => speculation!.thisRequest) });
    });
    log.info(
      `Loaded ${basename(options.modelPath)}: context ${contextSize} tokens, ${options.threads} thread(s), ` +
        `${llama.gpu === false ? 'CPU' : `GPU ${llama.gpu}`}, FIM order ${options.fimOrder}, speculation ${speculationNote}`,
    );
    return new LlamaCompletionModel(
      basename(options.modelPath),
      llama,
      model,
      context,
      sequences,
      draft,
      speculation,
      { prefix: infill.prefix, suffix: infill.suffix, middle: infill.middle },
      repoTokenIds(model),
      options.fimOrder,
      options.adaptiveThreads ? { ideal: options.threads, meter: new CpuLoadMeter() } : undefined,
      options.reuseKvPrefix,
      log,
    );
  } catch (error) {
    await model?.dispose();
    await llama.dispose();
    if (error instanceof ModelError) throw error;
    throw new ModelError('loadFailed', `llama.cpp could not load ${basename(options.modelPath)}: ${(error as Error).message}`, 'hearth.selectModel', String(error));
  }
}

/** The repository-level prompt tokens (`<repo_name>`, `<file_sep>`) when the model's GGUF declares them. */
function repoTokenIds(model: LlamaModel): RepoTokenIds | undefined {
  const ggml = model.fileInfo.metadata.tokenizer?.ggml as Record<string, unknown> | undefined;
  const repoName = ggml?.fim_rep_token_id;
  const fileSeparator = ggml?.fim_sep_token_id;
  return typeof repoName === 'number' && typeof fileSeparator === 'number' ? { repoName, fileSeparator } : undefined;
}

/**
 * What evaluating 3 tokens at once costs in single-token steps on this machine, with this model: the price of
 * verifying two proposed tokens. Fastest of a few tries on a scratch sequence, freed again afterwards.
 */
async function measureBatchOf3Cost(context: LlamaContext, model: LlamaModel): Promise<number> {
  const sequence = context.getSequence();
  try {
    const tokens = model.tokenize('export function add(a: number, b: number): number {\n  return a + b;\n}\n');
    await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 8));
    const timed = async (count: number): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 8; i++) {
        const start = sequence.nextTokenIndex;
        const t = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(8, 8 + count));
        times.push(performance.now() - t);
        await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
      }
      return Math.min(...times); // the fastest try: what the hardware does when nothing else interferes
    };
    const single = await timed(1);
    return (await timed(3)) / single;
  } finally {
    sequence.dispose();
  }
}

/** A draft model that cannot be used costs the user speculation, not completions: warn and go on without. */
async function loadDraft(
  lib: NodeLlamaCpp,
  llama: Llama,
  options: LlamaModelOptions,
  contextSize: number,
  threads: LlamaContextOptions['threads'],
  log: Logger,
): Promise<DraftResources | undefined> {
  if (options.draftModelPath === '') {
    log.warn('hearth.speculation is "draft" but no draft model is set (hearth.draftModelPath); decoding without speculation.');
    return undefined;
  }
  let model: LlamaModel | undefined;
  try {
    await validateModelFile(options.draftModelPath, (path) => lib.readGgufFileInfo(path, { readTensorInfo: false }), { requireFim: false });
    model = await llama.loadModel({ modelPath: options.draftModelPath });
    const context = await model.createContext({ contextSize, threads, sequences: documentSequences });
    return { model, context };
  } catch (error) {
    await model?.dispose();
    log.warn(`Draft model ${basename(options.draftModelPath)} not used: ${(error as Error).message}`);
    return undefined;
  }
}

/** Disposes the draft's context, then its model (the order node-llama-cpp needs); returns undefined. */
async function disposeDraft(draft: DraftResources | undefined): Promise<undefined> {
  await draft?.context.dispose();
  await draft?.model.dispose();
  return undefined;
}

function createPredictor(lib: NodeLlamaCpp, speculation: SpeculationSetting, draft: DraftResources | undefined): TokenPredictor | undefined {
  // Two matching tokens before proposing: single-token matches propose mostly noise.
  if (speculation === 'promptLookup') return new lib.InputLookupTokenPredictor({ patternLength: { min: 2 }, predictionLength: { max: 8 } });
  // minTokens 0 never got ahead of the target on a busy CPU; 1 did.
  if (draft) return new lib.DraftSequenceTokenPredictor(draft.context.getSequence(), { minTokens: 1, maxTokens: 8 });
  return undefined;
}

/** Per-request speculation decision, shared by the model (decides, measures) and the predictor (obeys). */
interface SpeculationControl {
  gate: SpeculationGate;
  thisRequest: boolean;
}

/**
 * Hands the inner predictor's proposals through only while speculation pays: per request (SpeculationGate, from
 * measured decode speed) and per proposal (ProposalThrottle, from what the sequence accepted).
 */
function gatedPredictor(lib: NodeLlamaCpp, inner: TokenPredictor, open: () => boolean): TokenPredictor {
  const throttle = new ProposalThrottle();
  const limit = (tokens: Token[]): Token[] => {
    const allowed = tokens.slice(0, throttle.allowance());
    throttle.proposed(allowed.length);
    return allowed;
  };
  class GatedPredictor extends lib.TokenPredictor {
    reset(params: Parameters<TokenPredictor['reset']>[0]) {
      throttle.reset();
      return inner.reset(params);
    }
    pushTokens(tokens: Token[]): void {
      throttle.took(tokens.length);
      inner.pushTokens(tokens);
    }
    predictTokens(): Token[] | Promise<Token[]> {
      if (!open()) return [];
      const predicted = inner.predictTokens();
      return predicted instanceof Promise ? predicted.then(limit) : limit(predicted);
    }
    override stop(untilPredictionsExhausted?: boolean) {
      return inner.stop(untilPredictionsExhausted);
    }
    override updateInputTokens(tokens: Token[]): void {
      inner.updateInputTokens(tokens);
    }
    override dispose() {
      return inner.dispose();
    }
  }
  return new GatedPredictor();
}

class LlamaCompletionModel implements CompletionModel {
  private readonly lock = new ExclusiveLock();
  private readonly chunker = new PromptChunker();
  private lastPromptTokens: Token[] | undefined;
  private readonly slots: SequenceSlots<LlamaContextSequence>;
  private readonly contextSize: number;
  private readonly byteDecoder: ByteLevelDecoder | undefined;

  constructor(
    readonly name: string,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    sequences: LlamaContextSequence[],
    private readonly draft: DraftResources | undefined,
    private readonly speculation: SpeculationControl | undefined,
    private readonly fimIds: FimTokenIds,
    private readonly repoIds: RepoTokenIds | undefined,
    private readonly fimOrder: FimOrder,
    private readonly threads: { ideal: number; meter: CpuLoadMeter } | undefined,
    private readonly reuseKv: boolean,
    private readonly log: Logger,
  ) {
    this.slots = new SequenceSlots(sequences);
    this.contextSize = sequences[0]!.contextSize;
    const ggml = model.fileInfo.metadata.tokenizer?.ggml as { model?: string; tokens?: string[]; token_type?: number[] } | undefined;
    this.byteDecoder = ggml?.model === 'gpt2' && ggml.tokens ? new ByteLevelDecoder(ggml.tokens, ggml.token_type) : undefined;
  }

  /** Gives back threads whose cores other processes are using, and takes them again once those are idle. */
  private fitThreadsToLoad(): void {
    const busy = this.threads?.meter.otherBusyCores();
    if (!this.threads || busy === undefined) return;
    const fitted = threadsForLoad(this.threads.ideal, availableParallelism(), busy);
    if (fitted !== this.llama.maxThreads) {
      this.log.debug(`Threads ${this.llama.maxThreads} → ${fitted} (${busy.toFixed(1)} cores busy elsewhere)`);
      this.llama.maxThreads = fitted;
    }
  }

  idle(): Promise<void> {
    return this.lock.idle();
  }

  /** A quarter of the context, for models that know the repository-level prompt format. */
  get contextBudgetTokens(): number {
    return this.repoIds ? Math.floor(this.contextSize / 4) : 0;
  }

  /** Generated tokens → text: byte-exact for byte-level BPE vocabularies (see tokenText.ts), else llama.cpp's. */
  private decode(tokens: Token[]): string {
    return this.byteDecoder ? this.byteDecoder.decode(tokens) : this.model.detokenize(tokens);
  }

  lastPrompt(): string | undefined {
    return this.lastPromptTokens && this.model.detokenize(this.lastPromptTokens, true);
  }

  infill(request: InfillRequest): InfillRun {
    let finish!: (stats: InfillStats) => void;
    const done = new Promise<InfillStats>((resolve) => (finish = resolve));
    return { tokens: this.generate(request, finish), done };
  }

  /** At most half the context is spent on generated tokens; the prompt gets the rest. */
  private generationLimit(request: InfillRequest): number {
    return Math.max(1, Math.min(request.maxTokens, Math.floor(this.contextSize / 2)));
  }

  private buildPrompt(request: InfillRequest, maxTokens: number): Token[] {
    const budget = this.contextSize - maxTokens - 1;
    const header =
      this.repoIds && request.context && request.context.length > 0
        ? layoutRepoHeader(request.context, request.filePath ?? 'untitled', this.repoIds, (text) => this.model.tokenize(text), this.contextBudgetTokens)
        : [];
    return layoutFimPrompt({
      header,
      prefixTokens: this.model.tokenize(request.prefix),
      suffixTokens: this.model.tokenize(request.suffix),
      ids: this.fimIds,
      order: this.fimOrder,
      budget,
    }) as Token[];
  }

  private async *generate(request: InfillRequest, finish: (stats: InfillStats) => void): AsyncGenerator<GeneratedToken> {
    const { signal } = request;
    const stats: InfillStats = { promptTokens: 0, reusedPromptTokens: 0, generatedTokens: 0, decodeStepMs: 0, acceptedPredictions: 0, refutedPredictions: 0 };
    let abortedAt: number | undefined;
    const onAbort = (): void => {
      abortedAt = performance.now();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const release = await this.lock.acquire();
    const { item: sequence, reassigned } = this.slots.acquire(request.documentKey ?? '');
    if (reassigned) this.log.trace(`KV: a sequence is handed to ${request.documentKey}`);
    const predictionsBefore = sequence.tokenPredictions; // counted once the sequence is ours alone
    const started = performance.now();
    const emitted: Token[] = [];
    let decodeMs = 0;
    try {
      if (signal.aborted) return;
      this.fitThreadsToLoad();
      if (this.speculation) this.speculation.thisRequest = this.speculation.gate.shouldSpeculate();
      const maxTokens = this.generationLimit(request);
      const prompt = this.buildPrompt(request, maxTokens);
      this.lastPromptTokens = prompt;
      stats.promptTokens = prompt.length;
      const reused = await this.reuseKvPrefix(sequence, prompt);
      sequence.tokenPredictor?.updateInputTokens(prompt); // what prompt lookup searches
      stats.reusedPromptTokens = reused;

      // The prompt in chunks, the abort signal checked between them; the rest (a chunk at most, often the one or two
      // tokens a keystroke changed) goes with the first decode step, in one native call.
      let next = reused;
      for (let chunk = this.chunker.nextChunk(); prompt.length - 1 - next > chunk; chunk = this.chunker.nextChunk()) {
        if (signal.aborted) return;
        const end = next + chunk;
        const chunkStart = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(next, end));
        this.chunker.record(end - next, performance.now() - chunkStart);
        next = end;
      }
      if (signal.aborted) return;

      let emittedText = '';
      let stepStart = performance.now();
      for await (const token of sequence.evaluate(prompt.slice(next), { temperature: 0 })) {
        const now = performance.now();
        if (emitted.length > 0) decodeMs += now - stepStart; // the first step includes the prompt's last chunk
        stepStart = now;
        if (signal.aborted || this.model.isEogToken(token)) break;
        if (emitted.length === 0) stats.firstTokenMs = now - started;
        emitted.push(token);
        const text = this.decode(emitted);
        // A byte-level token can end inside a UTF-8 character: hold it back until the character completes.
        if (!text.endsWith('\uFFFD') && text.length > emittedText.length) {
          const delta = text.slice(emittedText.length);
          emittedText = text;
          yield { text: delta };
        }
        if (signal.aborted || emitted.length >= maxTokens) break;
        stepStart = performance.now();
      }
    } finally {
      // Also when the consumer stopped the generation (a stop rule): then this generator ends at its yield.
      stats.generatedTokens = emitted.length;
      stats.decodeStepMs = emitted.length > 1 ? decodeMs / (emitted.length - 1) : 0;
      // Short generations measure noise, not speed.
      if (this.speculation && emitted.length >= 8) this.speculation.gate.record(this.speculation.thisRequest, 1000 / stats.decodeStepMs);
      signal.removeEventListener('abort', onAbort);
      if (abortedAt !== undefined) stats.cancelToIdleMs = performance.now() - abortedAt;
      const predictions = sequence.tokenPredictions;
      stats.acceptedPredictions = predictions.validated - predictionsBefore.validated;
      stats.refutedPredictions = predictions.refuted - predictionsBefore.refuted;
      release();
      finish(stats);
    }
  }

  /** Keeps the sequence's KV state for the prompt's common prefix; returns how many prompt tokens it covers. */
  private async reuseKvPrefix(sequence: LlamaContextSequence, prompt: Token[]): Promise<number> {
    const held = sequence.nextTokenIndex;
    if (!this.reuseKv) {
      await sequence.clearHistory();
      return 0;
    }
    await sequence.adaptStateToTokens(prompt, false);
    this.log.trace(`KV: held ${held} tokens, kept ${sequence.nextTokenIndex} of a ${prompt.length}-token prompt`);
    let reused = sequence.nextTokenIndex;
    if (reused >= prompt.length) {
      // The last prompt token must be evaluated again to get logits for the first generated token.
      reused = prompt.length - 1;
      await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
    }
    return reused;
  }

  async dispose(): Promise<void> {
    const release = await this.lock.acquire();
    try {
      await disposeDraft(this.draft); // before the target's context, else node-llama-cpp throws
      await this.context.dispose();
      await this.model.dispose();
      await this.llama.dispose();
    } finally {
      release();
    }
  }
}
