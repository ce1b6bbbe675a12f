// The token loop's text side: generated tokens in, the text each one makes visible out. Two things are held back:
// whitespace the prompt planner kept out of the middle (it is the user's already, not to be shown twice) until the
// text has gone past it, and a byte-level token that ends inside a UTF-8 character until the character completes.
import type { Token } from 'node-llama-cpp';

/** `T`: the model's token ids (node-llama-cpp's Token; plain indices for a remote engine's text pieces). */
export class TokenTextStream<T extends number = Token> {
  private readonly emitted: T[] = [];
  private shown = '';

  /** `decode` turns the tokens so far into text; `heldBack` is the whitespace the prompt left for the model to write. */
  constructor(
    private readonly decode: (tokens: T[]) => string,
    private heldBack: string,
  ) {}

  get tokens(): readonly T[] {
    return this.emitted;
  }

  /** Adds a generated token; returns the text it adds to what is shown ('' when it shows nothing yet). */
  push(token: T): string {
    this.emitted.push(token);
    const text = this.decode(this.emitted);
    // While the text is a start of the held-back whitespace, it cannot be told whether it repeats it.
    if (this.heldBack !== '' && !this.heldBack.startsWith(text)) {
      if (text.startsWith(this.heldBack)) this.shown = this.heldBack;
      this.heldBack = '';
    }
    if (this.heldBack !== '' || text.endsWith('\uFFFD')) return '';
    const delta = text.slice(this.shown.length);
    this.shown = text;
    return delta;
  }
}
