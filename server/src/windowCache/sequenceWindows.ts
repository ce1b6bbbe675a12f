// One model's windows on disk (WindowStore) as its context sequences use them: a sequence that holds less of a wanted
// window than a stored one gets the stored state loaded, and a window once warm is saved.
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { Logger } from '../logger';
import { commonPrefixLength } from '../model/promptPlanner';
import { minRestoreGain, type WindowKeeper } from '../model/windowWarmer';
import type { WindowStore } from './windowStore';



export class SequenceWindows implements WindowKeeper {
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
    this.log.info(`Window cache: ${now} tokens of ${label}'s window restored from disk in ${Math.round(performance.now() - started)} ms`);
    return now;
  }

  /** Keeps what the sequence holds (a window just warmed). A failure to write costs the cache, not the completion. */
  async save(sequence: LlamaContextSequence, label: string): Promise<void> {
    const tokens = [...sequence.contextTokens];
    const started = performance.now();
    try {
      await this.store.save(this.model, this.runtime, tokens, async (path) => {
        await sequence.saveStateToFile(path);
      });
      this.log.debug(`Window cache: ${label}'s window (${tokens.length} tokens) saved in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      this.log.warn(`Window cache: ${label}'s window could not be saved (${(error as Error).message})`);
    }
  }
}
