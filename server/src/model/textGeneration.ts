// Free-text generation for instructions (explain, refactor) on the completion model's own engine. The prompt is laid
// out with the model's chat template from its GGUF (node-llama-cpp resolves the wrapper), or as a plain document for
// a model without one. The generation runs on a sequence of its own and, between decode steps, gives way to any
// completion request waiting for the model: ghost text never waits behind an explanation, and the explanation
// resumes where it was, its KV state untouched.
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { GeneratedToken, InstructPrompt, TextRequest, TextRun, TextStats } from './completionModel';
import { type ExclusiveLock, LockPriority } from './exclusiveLock';
import type { NodeLlamaCpp } from './llamaRuntime';
import { TokenTextStream } from './tokenStream';

/** How an instruction becomes tokens for this model, and which token runs end the answer besides end-of-generation. */
export interface ChatLayout {
  format: 'chat' | 'plain';
  tokens(prompt: InstructPrompt): Token[];
  stops: Token[][];
}

/** The model's chat template when its GGUF has one; else the plain document. */
export function chatLayout(lib: NodeLlamaCpp, model: LlamaModel): ChatLayout {
  const template = (model.fileInfo.metadata.tokenizer as { chat_template?: unknown } | undefined)?.chat_template;
  if (typeof template !== 'string' || template === '') {
    return { format: 'plain', tokens: (prompt) => model.tokenize(prompt.plain), stops: [] };
  }
  const wrapper = lib.resolveChatWrapper(model);
  let stops: Token[][] = [];
  return {
    format: 'chat',
    tokens: (prompt) => {
      const state = wrapper.generateContextState({
        chatHistory: [
          { type: 'system', text: prompt.system },
          ...(prompt.history ?? []).map((turn) => (turn.role === 'user' ? { type: 'user' as const, text: turn.text } : { type: 'model' as const, response: [turn.text] })),
          { type: 'user', text: prompt.user },
          { type: 'model', response: [] },
        ],
      });
      stops = state.stopGenerationTriggers.map((trigger) => trigger.tokenize(model.tokenizer)).filter((tokens) => tokens.length > 0);
      return state.contextText.tokenize(model.tokenizer);
    },
    get stops() {
      return stops;
    },
  };
}

/** A prompt in tokens (made when the generation's turn comes), and token runs that end the answer besides end-of-generation. */
export interface TokenRequest {
  tokens(): Token[];
  stops(): Token[][];
  maxTokens: number;
  signal: AbortSignal;
}

export interface TextGeneratorParts {
  model: LlamaModel;
  /** The instruction sequence: nothing else uses it. */
  sequence: LlamaContextSequence;
  /** The model's lock, shared with completions (which go first) and background warming (which goes after). */
  lock: ExclusiveLock;
  layout: ChatLayout;
  decode(tokens: Token[]): string;
  /** Prompt tokens per native call, the abort and pre-emption checked between calls. */
  chunk: number;
}

export class TextGenerator {
  /** Aborted when the model is disposed: an explanation must not hold up a reload. */
  private readonly stopping = new AbortController();
  private lastPromptTokens: Token[] | undefined;

  constructor(private readonly parts: TextGeneratorParts) {}

  /** Ends every generation at its next step; later ones end at once. */
  stop(): void {
    this.stopping.abort();
  }

  /** The last instruction's prompt as text, special tokens shown. */
  lastPrompt(): string | undefined {
    return this.lastPromptTokens && this.parts.model.detokenize(this.lastPromptTokens, true);
  }

  get contextTokens(): number {
    return this.parts.sequence.contextSize;
  }

  run(request: TextRequest): TextRun {
    const { layout } = this.parts;
    return this.runTokens({ tokens: () => layout.tokens(request.prompt), stops: () => layout.stops, maxTokens: request.maxTokens, signal: request.signal });
  }

  /** The same for a prompt already in tokens (a next-edit prompt), ended early by any of `stops`. */
  runTokens(request: TokenRequest): TextRun {
    let finish!: (stats: TextStats) => void;
    const done = new Promise<TextStats>((resolve) => (finish = resolve));
    return { tokens: this.generate(request, finish), done };
  }

  private async *generate(request: TokenRequest, finish: (stats: TextStats) => void): AsyncGenerator<GeneratedToken> {
    const { model, sequence, lock, decode, chunk } = this.parts;
    const signal = AbortSignal.any([request.signal, this.stopping.signal]);
    const started = performance.now();
    const stats: TextStats = { promptTokens: 0, generatedTokens: 0, preemptions: 0 };
    let release = await lock.acquire(LockPriority.instruct);
    // Between steps: a completion waiting goes first; this generation then takes the lock again, its state kept.
    const giveWay = async () => {
      if (lock.waitingAtLeast(LockPriority.otherWindow) === 0) return;
      stats.preemptions++;
      release();
      release = await lock.acquire(LockPriority.instruct);
    };
    let emitted: readonly Token[] = [];
    try {
      if (signal.aborted) return;
      const prompt = request.tokens();
      const stops = request.stops();
      this.lastPromptTokens = prompt;
      stats.promptTokens = prompt.length;
      const maxTokens = Math.min(request.maxTokens, sequence.contextSize - prompt.length - 1);
      if (maxTokens <= 0) throw new Error(`The code and its context take ${prompt.length} tokens, more than the model's context of ${sequence.contextSize} has room for.`);
      // An instruction asked again (the same code) reuses the KV state of what it has in common with the last one.
      await sequence.adaptStateToTokens(prompt, false);
      let next = Math.min(sequence.nextTokenIndex, prompt.length - 1);
      stats.reusedPromptTokens = next;
      if (next < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: next, end: sequence.nextTokenIndex }]);
      while (prompt.length - 1 - next > chunk && !signal.aborted) {
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(next, next + chunk));
        next += chunk;
        await giveWay();
      }
      if (signal.aborted) return;
      const text = new TokenTextStream(decode, '');
      emitted = text.tokens;
      for await (const token of sequence.evaluate(prompt.slice(next), { temperature: 0, repeatPenalty: { punishTokens: () => emitted.slice(-64), penalty: 1.1 } })) {
        if (signal.aborted || model.isEogToken(token)) break;
        if (emitted.length === 0) stats.firstTokenMs = performance.now() - started;
        const delta = text.push(token);
        if (stops.some((stop) => endsWith(emitted, stop))) break;
        if (delta !== '') yield { text: delta };
        if (emitted.length >= maxTokens || signal.aborted) break;
        await giveWay();
      }
    } finally {
      stats.generatedTokens = emitted.length;
      release();
      finish(stats);
    }
  }
}

function endsWith(tokens: readonly Token[], tail: readonly Token[]): boolean {
  if (tail.length > tokens.length) return false;
  for (let i = 1; i <= tail.length; i++) if (tokens[tokens.length - i] !== tail[tail.length - i]) return false;
  return true;
}
