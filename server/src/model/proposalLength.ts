// How many proposed tokens are worth verifying at once: the length whose expected yield per unit of time is highest,
// from the acceptance seen so far and what a batch of that many tokens costs on this machine (measured at load). On
// one CPU thread a small batch costs nearly its size in decode steps while a long one costs relatively less (0.5B
// shape: 2 tokens 2.96 steps, 3 → 4.29, 5 → 4.89, 9 → 4.94), so short proposals lose where long, well-accepted ones
// win; on a GPU any length is nearly free.

/** A batch of `tokens` (the model's own token and the proposals after it) costs `steps` single-token decode steps. */
export interface BatchCost {
  tokens: number;
  steps: number;
}

/** A length is chosen only where it beats plain decoding by this margin: measurements are noisy. */
const margin = 1.05;

/** The cost of a batch of `tokens`, interpolated between the measured sizes (1 token costs 1 step). */
export function stepsFor(costs: readonly BatchCost[], tokens: number): number {
  const points = [{ tokens: 1, steps: 1 }, ...costs.filter((c) => c.tokens > 1)].sort((a, b) => a.tokens - b.tokens);
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    if (tokens <= b.tokens) return a.steps + ((b.steps - a.steps) * (tokens - a.tokens)) / (b.tokens - a.tokens);
  }
  const [a, b] = points.length > 1 ? [points.at(-2)!, points.at(-1)!] : [points[0]!, { tokens: 2, steps: 2 }];
  return b.steps + (Math.max(0, b.steps - a.steps) / (b.tokens - a.tokens)) * (tokens - b.tokens);
}

/** Tokens one verification yields with `proposed` proposals, each accepted with probability `acceptance` in turn. */
export function expectedYield(acceptance: number, proposed: number): number {
  let total = 1;
  let chain = 1;
  for (let i = 0; i < proposed; i++) {
    chain *= acceptance;
    total += chain;
  }
  return total;
}

/** The proposal length (0: none) that yields the most tokens per decode step, at most `max`. */
export function bestProposalLength(acceptance: number, costs: readonly BatchCost[], max: number): number {
  let best = 0;
  let bestRate = margin;
  for (let k = 1; k <= max; k++) {
    const rate = expectedYield(acceptance, k) / stepsFor(costs, 1 + k);
    if (rate > bestRate) {
      best = k;
      bestRate = rate;
    }
  }
  return best;
}
