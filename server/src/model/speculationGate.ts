// Adaptive speculation: decides per request whether proposed tokens are worth verifying, from the decode speed
// measured with and without them. The slower way is tried again now and then, since the code being typed changes.

export class SpeculationGate {
  private speculativeRate: number | undefined;
  private plainRate: number | undefined;
  private sinceSpeculative = 0;
  private sincePlain = 0;

  constructor(
    private readonly probeEvery = 8,
    /** Weight of the newest measurement in the running average. */
    private readonly weight = 0.4,
  ) {}

  /** Whether the next request should use the token predictor. */
  shouldSpeculate(): boolean {
    if (this.speculativeRate === undefined) return true;
    if (this.plainRate === undefined) return false;
    const speculationWins = this.speculativeRate > this.plainRate;
    if (speculationWins) return this.sincePlain < this.probeEvery;
    return this.sinceSpeculative >= this.probeEvery;
  }

  /** Decode speed of a finished request (tokens per second after the first token). */
  record(speculated: boolean, tokensPerSecond: number): void {
    if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return;
    const average = (previous: number | undefined) => (previous === undefined ? tokensPerSecond : previous + this.weight * (tokensPerSecond - previous));
    if (speculated) {
      this.speculativeRate = average(this.speculativeRate);
      this.sinceSpeculative = 0;
      this.sincePlain++;
    } else {
      this.plainRate = average(this.plainRate);
      this.sincePlain = 0;
      this.sinceSpeculative++;
    }
  }
}

/**
 * Whether verifying proposals can pay on this machine at all, from what evaluating a batch of 3 tokens (one generated,
 * two proposed) costs in single-token decode steps. Two proposals yield at most 3 tokens, and at a per-token acceptance
 * of 62 % about 2; above 2 steps a batch loses more often than it wins. Measured here on one CPU thread: 1.45 steps for
 * the tiny model, 3.4 for a Qwen2.5-Coder-0.5B-shaped one (small batches use the same vector kernels as one token).
 */
export const maxBatchOf3CostInSteps = 2;

export function speculationCanPay(batchOf3CostInSteps: number): boolean {
  return Number.isFinite(batchOf3CostInSteps) && batchOf3CostInSteps <= maxBatchOf3CostInSteps;
}
