// What this model costs on this machine, measured once at load on a scratch sequence (freed again afterwards): the
// prompt throughput of each batch size, deep enough into the context that per-call costs show, which sizes the prompt
// chunks and the latency budget; and what verifying two proposed tokens costs, which decides whether speculation can
// pay at all.
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { BatchTiming } from './promptChunks';

/** Batch sizes tried, smallest first. */
export const calibrationBatchSizes = [16, 32, 64, 128] as const;
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
  /** A 3-token batch's time in single-token steps: the price of verifying two proposed tokens. */
  batchOf3Cost: number;
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
  let batchOf3Cost = 0;
  if (measureSpeculation) {
    await sequence.evaluateWithoutGeneratingNewTokens(tokens(8));
    // The fastest of a few tries: what the hardware does when nothing else interferes.
    const fastest = async (count: number) => Math.min(...(await sequential(8, () => timed(tokens(8 + count).slice(8)))));
    const single = await fastest(1);
    batchOf3Cost = (await fastest(3)) / single;
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
  return { prefillCurve, batchOf3Cost };
}

async function sequential<T>(count: number, run: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i++) results.push(await run());
  return results;
}
