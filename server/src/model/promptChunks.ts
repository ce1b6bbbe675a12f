// Prompt evaluation in chunks, so that a cancellation is seen between them: llama.cpp does not look at an abort
// signal inside one evaluation. A chunk is sized to take about `chunkTargetMs` on this machine, measured as prompts
// are evaluated, but never below 32 tokens: on a CPU llama.cpp switches to its matrix-matrix kernels only for larger
// batches (a 0.5B model on one thread: 4-token chunks made a 160-token prompt take 4.7 s instead of 1.6 s).

export const chunkTargetMs = 30;
const minChunk = 32;
const maxChunk = 256;
/** Before anything is measured: the smallest efficient chunk. */
const firstChunk = minChunk;

export class PromptChunker {
  private msPerToken: number | undefined;

  /** Tokens to evaluate in the next chunk. */
  nextChunk(): number {
    if (this.msPerToken === undefined) return firstChunk;
    return Math.max(minChunk, Math.min(maxChunk, Math.floor(chunkTargetMs / Math.max(1e-6, this.msPerToken))));
  }

  /** A chunk of `tokens` took `ms`. */
  record(tokens: number, ms: number): void {
    if (tokens < minChunk || ms <= 0) return; // too short to tell: fixed per-call costs dominate
    const perToken = ms / tokens;
    this.msPerToken = this.msPerToken === undefined ? perToken : this.msPerToken + 0.3 * (perToken - this.msPerToken);
  }
}
