// KV reuse: a sequence keeps what it has evaluated, and a request evaluates only what its prompt does not share with
// it — in chunks, so that an abort is seen between them (llama.cpp does not look at one inside an evaluation).
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { isAbortError } from '../errors';
import type { Logger } from '../logger';
import type { PromptChunker } from './promptChunks';

/** What KV reuse needs of a sequence (a fake one in tests). */
export type KvSequence = Pick<LlamaContextSequence, 'nextTokenIndex' | 'adaptStateToTokens' | 'eraseContextTokenRanges' | 'clearHistory' | 'evaluateWithoutGeneratingNewTokens'>;

/**
 * Keeps the sequence's KV state for the prompt's common prefix (or clears it when reuse is off); returns how many
 * prompt tokens it covers. The prompt's last token is always evaluated again: its logits give the first new token.
 */
export async function reuseKvPrefix(sequence: KvSequence, prompt: Token[], reuseKv: boolean, log: Pick<Logger, 'trace'>): Promise<number> {
  const held = sequence.nextTokenIndex;
  if (!reuseKv) {
    await sequence.clearHistory();
    return 0;
  }
  await sequence.adaptStateToTokens(prompt, false);
  log.trace(`KV: held ${held} tokens, kept ${sequence.nextTokenIndex} of a ${prompt.length}-token prompt`);
  let reused = sequence.nextTokenIndex;
  if (reused >= prompt.length) {
    reused = prompt.length - 1;
    await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
  }
  return reused;
}

/**
 * Evaluates `prompt[from, until)` in chunks of the calibrated size while `stop()` is false, recording their speed;
 * returns where it got to. The tail shorter than a chunk is left for the caller (it goes with the first decode step).
 */
export async function evaluateInChunks(
  sequence: Pick<KvSequence, 'evaluateWithoutGeneratingNewTokens'>,
  prompt: Token[],
  from: number,
  until: number,
  chunker: Pick<PromptChunker, 'chunk' | 'record'>,
  stop: () => boolean,
  now: () => number = () => performance.now(),
): Promise<number> {
  let next = from;
  while (until - next > chunker.chunk && !stop()) {
    const end = next + chunker.chunk;
    const chunkStart = now();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(next, end));
    chunker.record(end - next, now() - chunkStart);
    next = end;
  }
  return next;
}

/**
 * After an evaluation failed on `sequence` (llama.cpp refused a batch: "inconsistent sequence positions", a KV cache
 * with no room), what the sequence holds is not what node-llama-cpp believes it holds, and reusing it would fail the
 * next request the same way: it starts clean instead (the next request evaluates its prompt whole). An abort is not a
 * failure: the sequence keeps what it evaluated.
 */
export async function startCleanAfterFailure(sequence: Pick<KvSequence, 'clearHistory'>, error: unknown, log: Pick<Logger, 'warn'>): Promise<void> {
  if (isAbortError(error)) return;
  log.warn(`Evaluation failed (${(error as Error)?.message ?? String(error)}): the sequence is cleared, the next request evaluates its prompt whole`);
  try {
    await sequence.clearHistory();
  } catch (clearing) {
    log.warn(`Clearing the sequence failed too: ${(clearing as Error).message}`);
  }
}

/** What borrowing a prefix needs of a sequence: node-llama-cpp's own copy of another sequence's state (internal in 3.22). */
type CopyingSequence = Pick<KvSequence, 'clearHistory'> & { _copyStateFromOtherSequence?(source: unknown, upToTokenIndex: number): Promise<boolean> };

/**
 * Gives `target` the first `tokens` of `source`'s KV state without evaluating them (llama.cpp's sequence copy: the
 * cells are shared, nothing is computed), replacing what `target` held. Returns whether it did; where it did not, the
 * target is empty and the prompt is evaluated as usual. Sequences with token predictors are not copied (node-llama-cpp
 * does not carry a predictor's state over): the caller does not ask for them.
 */
export async function borrowPrefix(target: CopyingSequence, source: unknown, tokens: number, log: Pick<Logger, 'trace' | 'warn'>): Promise<boolean> {
  try {
    // llama.cpp adds the source's cells to the target without removing the target's own: it must be empty first.
    await target.clearHistory();
    const copied = (await target._copyStateFromOtherSequence?.(source, tokens)) ?? false;
    log.trace(`KV: ${copied ? `${tokens} tokens copied` : 'nothing copied'} from the document's sequence to the quick prompts'`);
    if (!copied) await target.clearHistory();
    return copied;
  } catch (error) {
    log.warn(`Copying a sequence's state failed (${(error as Error).message}): the prompt is evaluated instead`);
    await target.clearHistory();
    return false;
  }
}
