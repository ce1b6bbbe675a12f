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
