// Within one generation, how many proposed tokens are worth verifying. A refuted proposal costs a batch evaluation
// that produced one token (on a CPU, verifying 8 tokens costs about 2.5 decode steps of a 0.5B model), so proposals
// shrink when refuted and, while refutations go on, pause for a growing number of tokens; accepted ones grow them.
// Proposals are counted by what the sequence does with them: the tokens it takes before asking again.

export class ProposalThrottle {
  private length: number;
  private pause = 0;
  private pausedFor = 0;
  private lastProposed = 0;
  private takenSinceProposal = 0;

  constructor(
    private readonly maxLength = 8,
    private readonly startLength = 2,
    private readonly maxPause = 64,
  ) {
    this.length = startLength;
  }

  /** Called for each token the sequence takes (generated or accepted from a proposal). */
  took(count: number): void {
    this.takenSinceProposal += count;
  }

  /** How many of the predictor's tokens to propose now (0: do not propose). */
  allowance(): number {
    if (this.lastProposed > 0) this.learn();
    if (this.pausedFor < this.pause) {
      this.pausedFor++;
      return 0;
    }
    return this.length;
  }

  /** The number of tokens actually proposed after the last allowance(). */
  proposed(count: number): void {
    this.lastProposed = count;
    this.takenSinceProposal = 0;
  }

  /** A new generation: proposals start small again, without a pause. */
  reset(): void {
    this.length = this.startLength;
    this.pause = 0;
    this.pausedFor = 0;
    this.lastProposed = 0;
  }

  private learn(): void {
    // The token the model generated itself is taken too: accepted = taken - 1.
    const accepted = Math.max(0, Math.min(this.lastProposed, this.takenSinceProposal - 1));
    if (accepted === 0) {
      this.length = Math.max(1, Math.floor(this.length / 2));
      this.pause = Math.min(this.maxPause, Math.max(1, this.pause * 2));
    } else {
      this.length = accepted === this.lastProposed ? Math.min(this.maxLength, this.length + 2) : Math.max(1, accepted);
      this.pause = 0;
    }
    this.pausedFor = 0;
    this.lastProposed = 0;
  }
}
