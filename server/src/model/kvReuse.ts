// KV reuse: a sequence keeps what it has evaluated, and a request evaluates only what its prompt does not share with
// it — in chunks, so that an abort is seen between them (llama.cpp does not look at one inside an evaluation).
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
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
