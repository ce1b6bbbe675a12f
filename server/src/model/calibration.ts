// What this model costs on this machine, measured once at load on a scratch sequence (freed again afterwards): the
// prompt throughput of each batch size, deep enough into the context that per-call costs show, which sizes the prompt
// chunks and the latency budget; and what verifying proposed tokens costs, batch by batch size, which decides whether
// and how long speculation proposes (proposalLength.ts).
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { BatchTiming } from './promptChunks';
import type { BatchCost } from './proposalLength';

/** Batch sizes tried, smallest first. */
export const calibrationBatchSizes = [16, 32, 64, 128] as const;
/** Verification batches timed: the model's own token and 1, 2, 4 or 8 proposals. */
const verifiedBatchSizes = [2, 3, 5, 9];
/** Tokens evaluated first, so the batches are timed at a position where attention costs something. */
const calibrationDepth = 128;
/** A batch that took longer than this ends the curve: larger ones would only delay loading on a slow machine. */
const longestBatchMs = 1500;

const sampleCode =
  'export function add(a: number, b: number): number {\n  return a + b;\n}\n\n' +
  'export class Stack<T> {\n  private readonly items: T[] = [];\n  push(item: T): void {\n    this.items.push(item);\n  }\n' +
  '  pop(): T | undefined {\n    return this.items.pop();\n  }\n}\n\n' +
  'def parse(line: str) -> dict:\n    key, _, value = line.partition("=")\n    return {key.strip(): value.strip()}\n';

export interface Calibration {
  /** Prompt batches as measured, smallest first. */
  prefillCurve: BatchTiming[];
  /** Batches of 2, 3, 5 and 9 tokens in single-token steps: the price of verifying 1, 2, 4 and 8 proposals. */
  batchCosts: BatchCost[];
}

export async function calibrate(sequence: LlamaContextSequence, model: LlamaModel, measureSpeculation: boolean): Promise<Calibration> {
  const sample = model.tokenize(sampleCode);
  const tokens = (count: number): Token[] => Array.from({ length: count }, (_, i) => sample[i % sample.length]!);
  const timed = async (batch: Token[]): Promise<number> => {
    const start = sequence.nextTokenIndex;
    const t = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(batch);
    const ms = performance.now() - t;
    await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
    return ms;
  };
  await sequence.clearHistory();
  const batchCosts: BatchCost[] = [];
  if (measureSpeculation) {
    await sequence.evaluateWithoutGeneratingNewTokens(tokens(8));
    // The fastest of several tries (at least 3, and at least 30 ms of them): what the hardware does when nothing else
    // interferes. A small model's step takes about a millisecond, where one try says little.
    const fastest = async (count: number) => {
      const times: number[] = [];
      for (let spent = 0; times.length < 3 || (spent < 30 && times.length < 50); spent += times.at(-1)!) times.push(await timed(tokens(8 + count).slice(8)));
      return Math.min(...times);
    };
    const single = await fastest(1);
    // A larger batch never costs less than a smaller one, nor less than one step: what a noisy try said otherwise is noise.
    let floor = 1;
    for (const size of verifiedBatchSizes) {
      floor = Math.max(floor, (await fastest(size)) / single);
      batchCosts.push({ tokens: size, steps: floor });
    }
    await sequence.clearHistory();
  }
  await sequence.evaluateWithoutGeneratingNewTokens(tokens(calibrationDepth));
  const prefillCurve: BatchTiming[] = [];
  for (const size of calibrationBatchSizes) {
    // Small batches are timed twice (the faster counts): one try of a few hundred ms is at the mercy of a busy moment.
    const batch = tokens(calibrationDepth + size).slice(calibrationDepth);
    const once = await timed(batch);
    const ms = once > longestBatchMs / 4 ? once : Math.min(once, await timed(batch));
    prefillCurve.push({ tokens: size, ms });
    if (ms > longestBatchMs) break;
  }
  await sequence.clearHistory();
  return { prefillCurve, batchCosts };
}

