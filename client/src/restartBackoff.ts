// Delay before restarting a server that died: doubles after each crash that follows soon after a start, resets
// once the server has stayed up, so a crash loop slows down instead of storming.

export class RestartBackoff {
  private attempt = 0;
  private lastStart = 0;

  constructor(
    private readonly baseMs = 1000,
    private readonly maxMs = 60_000,
    private readonly stableMs = 120_000,
    private readonly now: () => number = Date.now,
  ) {}

  started(): void {
    this.lastStart = this.now();
  }

  /** The wait before the next start, in ms. */
  nextDelay(): number {
    if (this.lastStart > 0 && this.now() - this.lastStart >= this.stableMs) this.attempt = 0;
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt++;
    return delay;
  }
}
