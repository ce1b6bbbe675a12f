// The token loop: decode steps on a sequence after its prompt, each token turned into the text it adds, until the
// model ends, the answer is long enough or the request is aborted; and what it measures on the way (the decode step
// without the first one, which carries the prompt's last chunk).
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { GeneratedToken } from './completionModel';
import type { PromptChunker } from './promptChunks';
import { TokenTextStream } from './tokenStream';

export type DecodingSequence = Pick<LlamaContextSequence, 'evaluate'>;

export interface TokenLoopOptions {
  maxTokens: number;
  signal: AbortSignal;
  isEnd(token: Token): boolean;
  /** Generated tokens → text. */
  decode(tokens: Token[]): string;
  /** The whitespace the prompt left for the model to write. */
  heldBack: string;
  /** Told how long the prompt's tail took, where the first step carried a whole chunk of it. */
  chunker: Pick<PromptChunker, 'record'>;
  now?: () => number;
}

export class TokenLoop {
  private readonly text: TokenTextStream;
  private readonly now: () => number;
  /** Time in decode steps after the first. */
  private decodeMs = 0;
  /** When the first token came (the clock's time), if one did. */
  firstTokenAt: number | undefined;

  constructor(private readonly options: TokenLoopOptions) {
    this.text = new TokenTextStream(options.decode, options.heldBack);
    this.now = options.now ?? (() => performance.now());
  }

  /** The tokens generated so far (the end token not among them). */
  get emitted(): readonly Token[] {
    return this.text.tokens;
  }

  /** Mean decode step after the first; 0 below two tokens. */
  get decodeStepMs(): number {
    return this.emitted.length > 1 ? this.decodeMs / (this.emitted.length - 1) : 0;
  }

  /** Evaluates `prompt[next…]` (the tail the chunks left) with the first step, then decodes; yields text as it comes. */
  async *run(sequence: DecodingSequence, prompt: Token[], next: number): AsyncGenerator<GeneratedToken> {
    const { signal, maxTokens, isEnd, chunker } = this.options;
    let stepStart = this.now();
    for await (const token of sequence.evaluate(prompt.slice(next), { temperature: 0 })) {
      const now = this.now();
      if (this.emitted.length > 0) this.decodeMs += now - stepStart;
      else if (next < prompt.length - 1) chunker.record(prompt.length - next, now - stepStart);
      stepStart = now;
      if (signal.aborted || isEnd(token)) break;
      if (this.emitted.length === 0) this.firstTokenAt = now;
      const delta = this.text.push(token);
      if (delta !== '') yield { text: delta };
      if (signal.aborted || this.emitted.length >= maxTokens) break;
      stepStart = this.now();
    }
  }
}
