// Adaptive speculation: which way of decoding a request uses — plain, prompt lookup or the draft model — from the
// decode speed each way measured, per document (a test table repeats itself, a new module does not). Each way not
// winning is tried again now and then, since the code being typed changes.


/** How a request decodes: one token at a time, or with proposals from the prompt or from the draft model. */
/** How a request decodes: plainly, with proposals looked up in the text, or with a draft model's. */
export type SpeculationMode = 'off' | 'promptLookup' | 'draft';

/** A speculative mode is kept only where it decodes this much faster than plain decoding: measurements are noisy. */
export const speculationMargin = 1.05;

/**
 * An unmeasured mode is tried for at most this many requests that end without a measurement (typing cancels most
 * requests before they decode enough to measure): then it waits for its probe like a mode that lost. Without the cap,
 * an unmeasured speculative mode was chosen for every keystroke of a run of typing, each paying a verification batch.
 */
export const maxUnmeasuredTries = 2;

/** One document's measurements: decode speed per mode (a running average) and measured requests since each was chosen. */
export class ModeGate {
  private readonly rate = new Map<SpeculationMode, number>();
  private readonly since = new Map<SpeculationMode, number>();
  private readonly tries = new Map<SpeculationMode, number>();

  constructor(
    /** The modes to choose from, the preferred first: an unmeasured mode is tried in this order. */
    private readonly modes: readonly SpeculationMode[],
    private readonly probeEvery = 8,
    /** Weight of the newest measurement in the running average. */
    private readonly weight = 0.4,
  ) {
    for (const mode of modes) this.since.set(mode, 0);
  }

  /**
   * The mode for the next request: an unmeasured one first (a few tries), then a probe of the longest-unused loser
   * when due, else the fastest.
   */
  choose(): SpeculationMode {
    const chosen = this.modes.find((mode) => !this.rate.has(mode) && (this.tries.get(mode) ?? 0) < maxUnmeasuredTries) ?? this.measuredChoice();
    if (!this.rate.has(chosen)) this.tries.set(chosen, (this.tries.get(chosen) ?? 0) + 1);
    this.since.set(chosen, 0);
    return chosen;
  }

  private measuredChoice(): SpeculationMode {
    const best = this.best();
    const losers = this.modes.filter((mode) => mode !== best).sort((a, b) => this.since.get(b)! - this.since.get(a)!);
    const due = losers[0];
    return due !== undefined && this.since.get(due)! >= this.probeEvery * losers.length ? due : best;
  }

  /**
   * The fastest mode measured so far; the first mode before any measurement. Plain decoding ('off') is what the others
   * must beat, by `margin`: a speculative mode that only ties it costs verification batches for nothing.
   */
  best(): SpeculationMode {
    const rate = (mode: SpeculationMode) => (this.rate.get(mode) ?? Number.NEGATIVE_INFINITY) / (mode === 'off' ? 1 : speculationMargin);
    let best = this.modes[0]!;
    for (const mode of this.modes) if (rate(mode) > rate(best) || (rate(best) === Number.NEGATIVE_INFINITY && rate(mode) > Number.NEGATIVE_INFINITY)) best = mode;
    return best;
  }

  /** Decode speed of a finished request (tokens per second after the first token) in `mode`. */
  record(mode: SpeculationMode, tokensPerSecond: number): void {
    if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0 || !this.since.has(mode)) return;
    const previous = this.rate.get(mode);
    this.rate.set(mode, previous === undefined ? tokensPerSecond : previous + this.weight * (tokensPerSecond - previous));
    for (const other of this.modes) if (other !== mode) this.since.set(other, this.since.get(other)! + 1);
  }
}

/** The most documents whose measurements are kept (least recently used forgotten). */
const maxDocuments = 64;

/**
 * Per-request speculation decision, shared by the model (chooses per document, measures) and the sequences'
 * predictors (obey `mode`). With one speculative mode the choice is between it and plain decoding.
 */
export class SpeculationGate {
  /** This request's mode. */
  mode: SpeculationMode;
  private readonly documents = new Map<string, ModeGate>();

  constructor(
    /** The modes this model can use, the preferred first ('off' among them). */
    readonly modes: readonly SpeculationMode[],
    private readonly probeEvery = 8,
  ) {
    this.mode = modes[0]!;
  }

  private gate(documentKey: string): ModeGate {
    let gate = this.documents.get(documentKey);
    if (gate) this.documents.delete(documentKey);
    else gate = new ModeGate(this.modes, this.probeEvery);
    this.documents.set(documentKey, gate);
    if (this.documents.size > maxDocuments) this.documents.delete(this.documents.keys().next().value!);
    return gate;
  }

  /** Chooses the mode for the document's next request and makes it this request's. */
  choose(documentKey: string): SpeculationMode {
    this.mode = this.gate(documentKey).choose();
    return this.mode;
  }

  record(documentKey: string, mode: SpeculationMode, tokensPerSecond: number): void {
    this.gate(documentKey).record(mode, tokensPerSecond);
  }
}
