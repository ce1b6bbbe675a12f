// The room for context from other files in a prompt, in the one unit the prompt is laid out in: the model's tokens.
// The model that will read the prompt gives both the room and the count, so what the context stage chooses is what
// the prompt's layout keeps (no characters-per-token guess on the way).

export interface TokenBudget {
  /** Prompt tokens context from other files may take. */
  readonly tokens: number;
  /** The model's token count of a text. */
  count(text: string): number;
}

/**
 * Characters one token can stand for at most, for a bound without tokenizing: a text this many times longer than
 * the budget cannot fit (code tokens average about 3 characters; the longest in code vocabularies are runs of spaces).
 */
const maxCharsPerToken = 32;

/**
 * What one snippet of a file costs in the prompt: its path line, its text and the file separator token. A text that
 * cannot fit the budget whatever the tokenizer says costs more than the budget, without being tokenized (a 10 MB line
 * took 17 s to count).
 */
export function snippetTokens(budget: TokenBudget, snippet: { path: string; text: string }): number {
  const chars = snippet.path.length + snippet.text.length + 2;
  if (chars > budget.tokens * maxCharsPerToken) return budget.tokens + 1;
  return budget.count(`${snippet.path}\n${snippet.text}\n`) + 1;
}

/**
 * A stand-in count for tools that measure the context stage without loading a model (`npm run bench:index`): code
 * averages about 3 characters per token in the BPE vocabularies of code models (3.1 measured here on Qwen2.5-Coder's).
 */
export function approximateTokenCount(text: string): number {
  return Math.ceil(text.length / 3);
}
