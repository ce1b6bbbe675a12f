// Within one generation, how many proposed tokens are worth verifying. A refuted proposal costs a batch evaluation
// that produced one token, so proposals pause for a growing number of tokens while refutations go on. Without batch
// costs, proposals shrink when refuted and grow when accepted. With the costs measured at load, the length is the one
// that yields the most tokens per decode step at the acceptance seen so far (proposalLength.ts); where none pays,
// proposals pause and a probe now and then checks whether the code has turned repetitive.
// Proposals are counted by what the sequence does with them: the tokens it takes before asking again.
import { type BatchCost, bestProposalLength } from './proposalLength';

/** Acceptance assumed before any proposal was checked, and how many proposals' worth of weight that guess has. */
const priorAcceptance = 0.8;
const priorWeight = 4;
/** Older proposals count less: the code being written changes. The guess fades with them, so refutations win out. */
const decay = 0.8;
/** After each probe that did not pay, the pause before the next one doubles, up to this many times the first. */
const maxPauseGrowth = 16;

export class ProposalThrottle {
  private length: number;
  private pause = 0;
  private pausedFor = 0;
  private lastProposed = 0;
  private takenSinceProposal = 0;
  /**
   * Accepted proposed tokens, and accepted plus refused positions (a proposal cut short refuses one), decayed; both
   * start with the prior's weight (a prior kept apart from the decay would hold the acceptance up forever: 0.36 after
   * any number of refutations, enough for proposals to go on where batches measured cheap).
   */
  private accepted = priorAcceptance * priorWeight;
  private trials = priorWeight;
  /** A probe is due at the first chance (nothing is known yet) and after each longest pause. */
  private probeDue = true;
  /** The pause before the next probe: doubles after each probe that did not pay. */
  private probePause: number;

  constructor(
    private readonly maxLength = 8,
    private readonly startLength = 2,
    private readonly maxPause = 64,
    private readonly costs?: readonly BatchCost[],
  ) {
    this.length = startLength;
    this.probePause = maxPause;
  }

  /** Per-token acceptance of proposals so far (a guess before any). */
  get acceptance(): number {
    return this.accepted / this.trials;
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
    if (!this.costs) return this.length;
    const length = bestProposalLength(this.acceptance, this.costs, this.maxLength);
    if (length > 0) {
      this.probePause = this.maxPause;
      return length;
    }
    if (this.probeDue) {
      // Waited the longest pause: one probe, as long as would pay if every token were accepted.
      this.probeDue = false;
      return bestProposalLength(1, this.costs, this.maxLength);
    }
    this.pause = this.probePause;
    this.probePause = Math.min(this.maxPause * maxPauseGrowth, this.probePause * 2);
    this.pausedFor = 1;
    this.probeDue = true;
    return 0;
  }

  /** The number of tokens actually proposed after the last allowance(). */
  proposed(count: number): void {
    this.lastProposed = count;
    this.takenSinceProposal = 0;
  }

  /** A new generation: proposals start small again, without a pause (with batch costs, what was learnt stays). */
  reset(): void {
    this.lastProposed = 0;
    if (this.costs) return;
    this.length = this.startLength;
    this.pause = 0;
    this.pausedFor = 0;
    this.lastProposed = 0;
  }

  private learn(): void {
    // The token the model generated itself is taken too: accepted = taken - 1.
    const accepted = Math.max(0, Math.min(this.lastProposed, this.takenSinceProposal - 1));
    this.accepted = this.accepted * decay + accepted;
    this.trials = this.trials * decay + accepted + (accepted < this.lastProposed ? 1 : 0);
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
