// Prompt evaluation in chunks, so that a cancellation (or a keystroke preempting background work) is seen between
// them: llama.cpp does not look at an abort signal inside one evaluation. The chunk is the smallest batch that reaches
// 90 % of the best prompt throughput measured for this model on this machine: on a CPU, small batches cost far more
// per token than their size suggests, the more so deep into the context (0.5B shape, one thread, 1 400 tokens in:
// 32-token chunks 49 tokens/s, 64-token chunks 85, 128-token chunks 98, one call 126).

/** One measured batch: `tokens` evaluated in one call took `ms`. */
export interface BatchTiming {
  tokens: number;
  ms: number;
}

/** A chunk reaches this share of the best throughput measured. */
export const chunkEfficiency = 0.9;

/** The smallest measured batch size whose throughput is within `chunkEfficiency` of the best. */
export function chooseChunk(curve: readonly BatchTiming[]): number {
  if (curve.length === 0) throw new Error('chooseChunk needs at least one measured batch');
  const speed = (timing: BatchTiming) => timing.tokens / Math.max(1e-6, timing.ms);
  const best = Math.max(...curve.map(speed));
  return Math.min(...curve.filter((timing) => speed(timing) >= chunkEfficiency * best).map((timing) => timing.tokens));
}

/**
 * The longest a background warm-up step may hold up a request that arrives while it runs. On one CPU thread a small
 * batch costs nearly what a large one does (0.5B shape: 16 tokens 390 ms, 64 → 667, 128 → 1 113), so the bound trades
 * a keystroke's wait for how soon the whole window is warm: a person awaiting each answer leaves no idle time, and the
 * window then warms one step per keystroke (64-token steps: ~2 600 tokens in under 60 s of typing; 16-token: 160 s).
 */
export const warmStepBoundMs = 750;

/**
 * Within `typingGraceMs` of a request's arrival the user may be typing on (a short or empty answer came at once): a warm
 * step started then holds up the next key at most about this long (0.5B shape, one thread: 16 tokens ~130-200 ms,
 * against 450-800 ms for the 64 of a step at rest).
 */
export const typingWarmStepBoundMs = 200;

/**
 * The background warm-up's batch: the largest measured size whose batch took at most `boundMs`, so a keystroke waits at
 * most about that long behind it; the smallest measured size where none is that fast (a slow machine waits one).
 */
export function chooseWarmChunk(curve: readonly BatchTiming[], boundMs = warmStepBoundMs): number {
  if (curve.length === 0) throw new Error('chooseWarmChunk needs at least one measured batch');
  const within = curve.filter((timing) => timing.ms <= boundMs).map((timing) => timing.tokens);
  return within.length > 0 ? Math.max(...within) : Math.min(...curve.map((timing) => timing.tokens));
}

export class PromptChunker {
  private msPerToken: number;

  constructor(
    readonly chunk: number,
    /** Time per prompt token at that chunk size, as measured at load. */
    msPerToken: number,
    /** The background warm-up's batch (chooseWarmChunk): smaller than `chunk` where a chunk would hold up a keystroke. */
    readonly warmChunk = chunk,
    /** Its batch right after a request arrived (chooseWarmChunk with `typingWarmStepBoundMs`): the next key may be near. */
    readonly typingWarmChunk = warmChunk,
  ) {
    this.msPerToken = msPerToken;
  }

  /** A chunk of `tokens` took `ms`: follows the machine as its load changes. */
  record(tokens: number, ms: number): void {
    if (tokens < this.chunk / 2 || ms <= 0) return; // too short to tell: fixed per-call costs dominate
    this.msPerToken += 0.3 * (ms / tokens - this.msPerToken);
  }

  /**
   * A request's prompt budget once its turn comes. Waiting up to one chunk is what pre-empting costs (the request
   * before it stops at its chunk's end); beyond that it waited for other requests being served (other windows', after
   * the shared engine restarted), and its user waited with it: that comes off. And where `queuedBehind` requests wait
   * for this one, the budget is shared with them: the last in the queue waits for all, so each gets its share.
   */
  promptBudget(budgetMs: number, waitedMs: number, queuedBehind = 0): number {
    return Math.max(0, budgetMs - Math.max(0, waitedMs - this.chunkMs)) / (1 + queuedBehind);
  }

  /** How many prompt tokens can be evaluated in `ms` at the current speed. */
  tokensWithin(ms: number): number {
    return Math.floor(ms / Math.max(1e-6, this.msPerToken));
  }

  /** What one chunk takes now: the longest a cancellation waits during prompt evaluation. */
  get chunkMs(): number {
    return this.chunk * this.msPerToken;
  }
}
