// One model's windows on disk (WindowStore) as its context sequences use them: a sequence that holds less of a wanted
// window than a stored one gets the stored state loaded, and a window once warm is saved.
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { Logger } from '../logger';
import { commonPrefixLength } from '../model/promptPlanner';
import { minRestoreGain, type WindowKeeper } from '../model/windowWarmer';
import type { WindowStore } from './windowStore';

/** Documents whose last kept window is remembered (the least recently kept forgotten). */
const keptDocuments = 64;

export class SequenceWindows implements WindowKeeper {
  /** What was last saved (or restored) for each document: a window is saved again once it holds enough more. */
  private readonly kept = new Map<string, readonly Token[]>();

  constructor(
    private readonly store: WindowStore,
    /** The model file's identity (modelIdentity) and the runtime's (versions, context size): both must match to load. */
    private readonly model: string,
    private readonly runtime: string,
    private readonly log: Logger,
  ) {}

  /**
   * Loads the stored window sharing the longest prefix with `tokens` into `sequence` when it holds at least
   * `minRestoreGain` more of them than the sequence does; returns how many of `tokens` the sequence holds then.
   */
  async restore(sequence: LlamaContextSequence, tokens: readonly Token[], label: string): Promise<number> {
    const held = commonPrefixLength(sequence.contextTokens, tokens);
    if (tokens.length - held < minRestoreGain) return held;
    const stored = await this.store.longestPrefix(this.model, this.runtime, tokens, held + minRestoreGain);
    if (!stored || !(await this.store.verified(stored))) return held;
    const started = performance.now();
    try {
      await sequence.loadStateFromFile(stored.statePath, { acceptRisk: true });
    } catch (error) {
      this.log.warn(`Window cache: ${stored.key} could not be loaded (${(error as Error).message}); nothing loaded from it`);
      await sequence.clearHistory();
      return 0;
    }
    const now = commonPrefixLength(sequence.contextTokens, tokens);
    this.remember(label, sequence.contextTokens);
    this.log.info(`Window cache: ${now} tokens of ${label}'s window restored from disk in ${Math.round(performance.now() - started)} ms`);
    return now;
  }

  /**
   * Keeps what the sequence holds (a window just warmed, or evaluated by a request) where it holds at least `minNew`
   * tokens that the document's last kept window does not: a window is not written again for a few keystrokes. A
   * failure to write costs the cache, not the completion.
   */
  async save(sequence: LlamaContextSequence, label: string, minNew = minRestoreGain): Promise<void> {
    const tokens = [...sequence.contextTokens];
    const kept = this.kept.get(label);
    // A window too short to be worth loading is not kept at all.
    if (tokens.length < minRestoreGain || tokens.length - commonPrefixLength(kept ?? [], tokens) < minNew) return;
    const started = performance.now();
    try {
      await this.store.save(this.model, this.runtime, tokens.slice(0, -1), async (path) => {
        // Cells the sequence may hold beyond its tokens (speculative predictions validated in one batch and kept for
        // the next step) would be saved with it, unknown to whoever loads the state: llama.cpp then refuses the next
        // batch ("inconsistent sequence positions"). Dropping the last token drops them too; the next request
        // evaluates its prompt's last token again in any case. Only when a state is written (not when the cache is off
        // or already holds these tokens).
        await sequence.eraseContextTokenRanges([{ start: sequence.nextTokenIndex - 1, end: sequence.nextTokenIndex }]);
        await sequence.saveStateToFile(path);
      });
      this.remember(label, tokens);
      this.log.debug(`Window cache: ${label}'s window (${tokens.length} tokens) saved in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      this.log.warn(`Window cache: ${label}'s window could not be saved (${(error as Error).message})`);
    }
  }

  private remember(label: string, tokens: readonly Token[]): void {
    this.kept.delete(label);
    this.kept.set(label, [...tokens]);
    if (this.kept.size > keptDocuments) this.kept.delete(this.kept.keys().next().value!);
  }
}
