// What prompt lookup searches for the tokens to propose: the prompt, code from other open files that the prompt could
// not hold, and the latest completions (a user accepting the same pattern line after line gets it proposed again).
// The extra tokens go before the prompt: the lookup proposes what follows the longest match of the sequence's end,
// and with the prompt last the prompt's own end matches nothing after it.
import type { Token } from 'node-llama-cpp';

/** The latest completions' tokens, oldest first, within a token budget. */
export class RecentCompletions<T extends number = Token> {
  private readonly items: T[][] = [];

  constructor(
    private readonly maxItems = 16,
    private readonly maxTokens = 2048,
  ) {}

  add(tokens: readonly T[]): void {
    if (tokens.length === 0) return;
    this.items.push(tokens.slice(0, this.maxTokens));
    let total = this.items.reduce((sum, item) => sum + item.length, 0);
    while (this.items.length > this.maxItems || total > this.maxTokens) total -= this.items.shift()!.length;
  }

  tokens(): T[] {
    return this.items.flat();
  }
}

/** The lookup's input: other files' code (when not in the prompt already), recent completions, then the prompt. */
export function lookupCorpus<T extends number>(prompt: readonly T[], recent: RecentCompletions<T>, otherFiles: readonly T[]): T[] {
  return [...otherFiles, ...recent.tokens(), ...prompt];
}
