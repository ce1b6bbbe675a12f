// Background warm-up of a document's whole window: what a request had to leave out for the latency budget is
// evaluated on the document's own sequence whenever the engine would otherwise be idle — right after a request that was
// answered (its user reads the suggestion), at a pause in fast typing, where the cursor rests — one bounded step at a
// time (PromptChunker.warmChunk; typingWarmChunk just after a request arrived), giving way to any request at the next
// step. After a request that a keystroke cancelled, the warm-up waits `typingGraceMs` more: the next keystroke's
// request most likely comes before then, and should not wait behind a step. Progress stays in the sequence: a request
// preempting the warm-up runs its quick prompt on another sequence, and the next warm step resumes where the last one
// stopped; a new anchor on the same document keeps whatever prefix the sequence already holds.
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { Logger } from '../logger';
import { type ExclusiveLock, LockPriority } from './exclusiveLock';
import { startCleanAfterFailure } from './kvReuse';
import type { PromptChunker } from './promptChunks';
import { commonPrefixLength } from './promptPlanner';

interface WarmJob {
  documentKey: string;
  tokens: Token[];
  /** Resolves true once the window is warm, false when a later job superseded it or it failed. */
  done: Promise<boolean>;
  settle(warm: boolean): void;
  /** Tokens evaluated for this job so far, and since when (for the log line once it is warm). */
  evaluated: number;
  started: number;
  computeMs: number;
}

/** Windows kept between sessions (server/src/windowCache implements it): loaded into a sequence, saved from one. */
export interface WindowKeeper {
  /** Loads a kept window sharing a longer prefix with `tokens` than `sequence` holds; returns how many it then holds. */
  restore(sequence: LlamaContextSequence, tokens: readonly Token[], label: string): Promise<number>;
  /**
   * Keeps what the sequence holds, where it holds at least `minNew` tokens (`minRestoreGain` unless told) that the
   * document's last kept window does not.
   */
  save(sequence: LlamaContextSequence, label: string, minNew?: number): Promise<void>;
}

/** A window holding at least this many tokens that the kept one does not is worth keeping again, and worth loading. */
export const minRestoreGain = 128;

/**
 * A window whose warm-up is done is kept where it holds this many tokens (a line or two) that the last kept one does
 * not: reopened, the file then evaluates at most that much again. While the user types, a request's window is kept
 * only every `minRestoreGain` tokens (a write of tens of MB holds the engine for a moment).
 */
export const restSaveTokens = 32;

/** Time the shutdown may spend keeping windows (VS Code gives a language server about 2 s to stop). */
export const keepAllBudgetMs = 1000;

/** After a request a keystroke cancelled, warming waits this long for the next keystroke (typing goes on). */
export const typingGraceMs = 300;

/**
 * How long warming waits after a request ends: at once after an answer for the same document (its user reads the
 * suggestion; the window it warms is the one being typed in), `typingGraceMs` after a cancellation (typing goes on) or
 * where the job warms another document (another file or window: warming it in the gap before this document's next
 * keystroke would make that keystroke wait a whole step).
 */
export function warmDelayAfterRequest(cancelled: boolean, warmingOther: boolean): number {
  return cancelled || warmingOther ? typingGraceMs : 0;
}

export interface WindowWarmerParts {
  lock: ExclusiveLock;
  /** The document's own sequence (acquired for it where it holds none, as its first request would). */
  windowOf(documentKey: string): LlamaContextSequence;
  /** The document's sequence if it still holds one, without taking one for it. */
  heldBy(documentKey: string): LlamaContextSequence | undefined;
  chunker: PromptChunker;
  log: Logger;
  /** Windows kept on disk: restored before warming what they hold, saved once warm. */
  windows?: WindowKeeper;
}

export class WindowWarmer {
  private job: WarmJob | undefined;
  private pending: NodeJS.Timeout | undefined;
  /** No step before this (performance.now()): the latest resume's delay. */
  private notBefore = 0;
  /** When the latest request arrived (performance.now()): steps are short within `typingGraceMs` of it. */
  private lastRequestAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(private readonly parts: WindowWarmerParts) {}

  /**
   * Warms `tokens` into the document's sequence, starting after `delayMs` (0: the next turn of the event loop);
   * supersedes any earlier job.
   */
  schedule(documentKey: string, tokens: Token[], delayMs = 0): void {
    const current = this.job;
    if (current && current.documentKey === documentKey && sameTokens(current.tokens, tokens)) {
      this.resume(delayMs);
      return;
    }
    let settle!: (warm: boolean) => void;
    const done = new Promise<boolean>((resolve) => (settle = resolve));
    this.job?.settle(false);
    this.job = { documentKey, tokens, done, settle, evaluated: 0, started: performance.now(), computeMs: 0 };
    this.resume(delayMs);
  }

  /**
   * A request arrived (returns when): for `typingGraceMs` after it, warm steps are `typingWarmChunk` long — a short or
   * empty answer ends before a person's next key, and a whole step started then would hold that key up.
   */
  requestArrived(): number {
    this.lastRequestAt = performance.now();
    return this.lastRequestAt;
  }

  /**
   * Goes on with the job a request interrupted, after `delayMs` (called when a request ends: 0 after an answer,
   * `typingGraceMs` after a cancellation); the latest call decides when.
   */
  resume(delayMs = 0): void {
    if (this.stopped || !this.job) return;
    clearTimeout(this.pending);
    // A step already waiting for the lock keeps to this too: it may be let in the moment a cancelled request lets go.
    this.notBefore = performance.now() + delayMs;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (this.job) void this.step(this.job); // the latest job: a newer one may have come since
    }, delayMs);
  }

  /**
   * Keeps the document's window on disk (a request evaluated it whole; the keeper writes it where it holds enough new),
   * in the background: after the requests that wait, and only while the document still holds its sequence.
   */
  keep(documentKey: string): void {
    const windows = this.parts.windows;
    if (!windows || this.stopped) return;
    setImmediate(() => {
      void this.parts.lock.acquire(LockPriority.background).then(async (release) => {
        try {
          const sequence = this.stopped ? undefined : this.parts.heldBy(documentKey);
          if (sequence) await windows.save(sequence, documentKey);
        } finally {
          release();
        }
      });
    });
  }

  /**
   * At shutdown (the editor closing, the server restarting): keeps each document's window as it stands, where it holds
   * anything the last kept one does not, the most recently used first, for at most `budgetMs` — so a file reopened
   * later evaluates nothing it had already evaluated, not the up to `minRestoreGain` tokens typed since the last save.
   * The caller holds the lock.
   */
  async keepAll(documents: ReadonlyArray<{ key: string; item: LlamaContextSequence }>, budgetMs = keepAllBudgetMs): Promise<void> {
    const windows = this.parts.windows;
    if (!windows) return;
    const started = performance.now();
    for (const { key, item } of documents) {
      if (performance.now() - started > budgetMs) break;
      await windows.save(item, key, 1);
    }
  }

  /**
   * Lets go of the documents `belongs` picks (their window went away): drops their warm-up, then, under the lock (a
   * request of theirs still ending finishes first), frees their sequences with `free` and keeps their windows on disk.
   */
  async release(belongs: (documentKey: string) => boolean, free: () => ReadonlyArray<{ key: string; item: LlamaContextSequence }>): Promise<void> {
    if (this.job && belongs(this.job.documentKey)) {
      this.job.settle(false);
      this.job = undefined;
    }
    const release = await this.parts.lock.acquire(LockPriority.background);
    try {
      const freed = free();
      await this.keepAll(freed);
      if (freed.length > 0) this.parts.log.info(`KV: ${freed.length} sequence(s) freed: their window went away`);
    } finally {
      release();
    }
  }

  /** Whether the latest job's window gets warm (true) or not (false); true when nothing is left to warm. */
  whenWarm(): Promise<boolean> {
    return this.job?.done ?? Promise.resolve(true);
  }

  /** The document whose window is being warmed, if any (for tests and logs). */
  get warming(): string | undefined {
    return this.job?.documentKey;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.pending);
    this.job?.settle(false);
    this.job = undefined;
  }

  /**
   * Holds the lock for warm-up steps while no one else waits for it: each step evaluates at most `warmChunk` tokens,
   * so a request that arrives meanwhile waits for one step at most.
   */
  private async step(job: WarmJob): Promise<void> {
    const { lock, chunker, log } = this.parts;
    const release = await lock.acquire(LockPriority.background);
    const superseded = () => this.stopped || this.job !== job;
    let sequence: LlamaContextSequence | undefined;
    try {
      if (superseded()) return;
      // Let in after a later resume asked for a delay (a keystroke cancelled a request meanwhile): wait out the delay.
      const early = this.notBefore - performance.now();
      if (early > 0) {
        if (this.pending === undefined) this.resume(early);
        return;
      }
      sequence = this.parts.windowOf(job.documentKey);
      let next = commonPrefixLength(sequence.contextTokens, job.tokens);
      if (this.parts.windows && next < job.tokens.length) next = await this.parts.windows.restore(sequence, job.tokens, job.documentKey);
      // What follows the shared prefix (an older anchor's suffix, a generated answer) makes way for the window.
      if (sequence.nextTokenIndex > next) await sequence.eraseContextTokenRanges([{ start: next, end: sequence.nextTokenIndex }]);
      // Whole chunks evaluated by this step, and their time: the warm-up's prefill throughput, as the log reports it.
      const whole = { tokens: 0, ms: 0 };
      while (next < job.tokens.length && !superseded() && lock.waiting === 0) {
        const size = performance.now() - this.lastRequestAt < typingGraceMs ? chunker.typingWarmChunk : chunker.warmChunk;
        const end = Math.min(job.tokens.length, next + size);
        const stepStart = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(job.tokens.slice(next, end));
        const ms = performance.now() - stepStart;
        chunker.record(end - next, ms);
        job.evaluated += end - next;
        job.computeMs += ms;
        if (end - next === chunker.warmChunk) {
          whole.tokens += end - next;
          whole.ms += ms;
        }
        next = end;
      }
      if (whole.tokens > 0) log.debug(`Warm step: ${whole.tokens} tokens of ${job.documentKey}'s window in whole chunks of ${chunker.warmChunk}, ${Math.round(whole.ms)} ms evaluating`);
      if (superseded() || next < job.tokens.length) {
        log.trace(`Warm: ${next} of ${job.tokens.length} tokens of ${job.documentKey}'s window, then a request came`);
        return;
      }
      this.job = undefined;
      // Warm: the engine had the time to finish, so the user is not typing; kept where it holds a line or two more.
      await this.parts.windows?.save(sequence, job.documentKey, restSaveTokens);
      log.debug(`Warm: ${job.documentKey}'s whole window (${job.tokens.length} tokens, ${job.evaluated} evaluated) in ${Math.round(performance.now() - job.started)} ms, ${Math.round(job.computeMs)} ms of it evaluating`);
      job.settle(true);
    } catch (error) {
      log.warn(`Warming the prompt failed: ${(error as Error).message}`);
      if (sequence) await startCleanAfterFailure(sequence, error, log);
      if (this.job === job) this.job = undefined;
      job.settle(false);
    } finally {
      release();
    }
  }
}

function sameTokens(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && commonPrefixLength(a, b) === a.length;
}
