// KV reuse and the token loop on fake sequences: what a request evaluates of its prompt, in what steps, and what the
// loop yields, stops on and measures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Token } from 'node-llama-cpp';
import { evaluateInChunks, type KvSequence, reuseKvPrefix, startCleanAfterFailure } from '../../server/src/model/kvReuse';
import { TokenLoop } from '../../server/src/model/tokenLoop';

const tokens = (...values: number[]) => values as Token[];
const quiet = { trace: () => undefined };

/** Holds the tokens it has evaluated, as a llama.cpp sequence's KV cache does. */
class FakeKvSequence implements KvSequence {
  held: Token[] = [];
  readonly calls: string[] = [];
  get nextTokenIndex(): number {
    return this.held.length;
  }
  async adaptStateToTokens(prompt: Token[], allowShift?: boolean): Promise<void> {
    let common = 0;
    while (common < this.held.length && common < prompt.length && this.held[common] === prompt[common]) common++;
    this.held = this.held.slice(0, common);
    this.calls.push(`adapt→${common}${allowShift ? ' (shifted)' : ''}`);
  }
  async eraseContextTokenRanges(ranges: Array<{ start: number; end: number }>): Promise<void> {
    for (const { start, end } of ranges) this.held.splice(start, end - start);
    this.calls.push(`erase ${ranges.map((r) => `${r.start}-${r.end}`).join(',')}`);
  }
  async clearHistory(): Promise<void> {
    this.held = [];
    this.calls.push('clear');
  }
  async evaluateWithoutGeneratingNewTokens(batch: Token[]): Promise<void> {
    this.held.push(...batch);
    this.calls.push(`eval ${batch.length}`);
  }
}

test('the common prefix is kept, the rest evaluated; a prompt held whole gives back its last token for the logits', async () => {
  const sequence = new FakeKvSequence();
  sequence.held = tokens(1, 2, 3, 9);
  assert.equal(await reuseKvPrefix(sequence, tokens(1, 2, 3, 4, 5), true, quiet), 3);
  assert.deepEqual(sequence.held, tokens(1, 2, 3));
  sequence.held = tokens(1, 2, 3, 4, 5);
  assert.equal(await reuseKvPrefix(sequence, tokens(1, 2, 3, 4, 5), true, quiet), 4);
  assert.deepEqual(sequence.held, tokens(1, 2, 3, 4), 'the last prompt token is evaluated again');
  assert.deepEqual(sequence.calls, ['adapt→3', 'adapt→5', 'erase 4-5'], 'a prefix kept in place, never shifted');
});

test('with KV reuse off the sequence is cleared and nothing counts as reused', async () => {
  const sequence = new FakeKvSequence();
  sequence.held = tokens(1, 2, 3);
  assert.equal(await reuseKvPrefix(sequence, tokens(1, 2, 3, 4), false, quiet), 0);
  assert.deepEqual(sequence.calls, ['clear']);
});

test('the prompt is evaluated in whole chunks, each timed; the tail shorter than a chunk is left; a stop ends it between chunks', async () => {
  const sequence = new FakeKvSequence();
  const recorded: Array<[number, number]> = [];
  const chunker = { chunk: 4, record: (count: number, ms: number) => void recorded.push([count, ms]) };
  const prompt = tokens(...Array.from({ length: 14 }, (_, i) => i));
  let clock = 1000;
  const now = () => (clock += 20); // each reading 20 ms after the last: a chunk takes 20 ms
  assert.equal(await evaluateInChunks(sequence, prompt, 1, 13, chunker, () => false, now), 9);
  assert.deepEqual(sequence.calls, ['eval 4', 'eval 4']);
  assert.deepEqual(recorded, [
    [4, 20],
    [4, 20],
  ]);
  let chunks = 0;
  const stopped = new FakeKvSequence();
  assert.equal(await evaluateInChunks(stopped, prompt, 0, 14, chunker, () => chunks++ >= 1), 4, 'stopped after the first chunk');
});

test('a sequence whose evaluation failed starts clean (the next request evaluates its prompt whole); an abort keeps it', async () => {
  const warnings: string[] = [];
  const log = { warn: (line: string) => void warnings.push(line) };
  const refused = new FakeKvSequence();
  refused.held = tokens(1, 2, 3);
  await startCleanAfterFailure(refused, new Error('inconsistent sequence positions'), log);
  assert.deepEqual(refused.held, []);
  assert.match(warnings[0]!, /inconsistent sequence positions.*cleared/);
  assert.equal(await reuseKvPrefix(refused, tokens(1, 2, 3, 4), true, quiet), 0, 'nothing of the failed state is reused');

  const aborted = new FakeKvSequence();
  aborted.held = tokens(1, 2, 3);
  const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
  await startCleanAfterFailure(aborted, abort, log);
  assert.deepEqual(aborted.held, tokens(1, 2, 3));
  assert.equal(warnings.length, 1);
});

/** Yields scripted tokens, one per decode step, advancing a fake clock by `stepMs` (the first step by `firstMs`). */
function decodingSequence(script: number[], clock: { t: number }, firstMs: number, stepMs: number) {
  const evaluated: Token[][] = [];
  const options: unknown[] = [];
  return {
    evaluated,
    options,
    async *evaluate(input: Token[], given?: unknown): AsyncGenerator<Token> {
      evaluated.push(input);
      options.push(given);
      for (const [i, token] of script.entries()) {
        clock.t += i === 0 ? firstMs : stepMs;
        yield token as Token;
      }
    },
  };
}

const loopOptions = (clock: { t: number }, overrides: Partial<ConstructorParameters<typeof TokenLoop>[0]> = {}) => ({
  maxTokens: 10,
  signal: new AbortController().signal,
  isEnd: (token: Token) => token === 0,
  decode: (generated: Token[]) => generated.map((t) => String.fromCharCode(96 + t)).join(''),
  heldBack: '',
  chunker: { record: () => undefined },
  now: () => clock.t,
  ...overrides,
});

test('the token loop yields text until the end token, and its decode step leaves out the first (prompt-carrying) step', async () => {
  const clock = { t: 0 };
  const sequence = decodingSequence([1, 2, 3, 0, 4], clock, 100, 10);
  const loop = new TokenLoop(loopOptions(clock));
  const texts: string[] = [];
  for await (const token of loop.run(sequence, tokens(7, 8, 9), 2)) texts.push(token.text);
  assert.deepEqual(texts, ['a', 'b', 'c']);
  assert.deepEqual(sequence.evaluated, [tokens(9)], 'the prompt from where the chunks stopped');
  assert.deepEqual(sequence.options, [{ temperature: 0 }], 'greedy');
  assert.equal(loop.firstTokenAt, 100);
  assert.equal(loop.emitted.length, 3);
  // Steps after the first: the 2nd, 3rd and the end token's (10 ms each) over 2 intervals between 3 tokens.
  assert.equal(loop.decodeStepMs, 15);
});

test('the token loop stops at the answer limit and at an abort, and reports the prompt tail that rode the first step', async () => {
  const clock = { t: 0 };
  const capped = new TokenLoop(loopOptions(clock, { maxTokens: 2 }));
  for await (const _ of capped.run(decodingSequence([1, 2, 3, 4], clock, 5, 5), tokens(1), 0));
  assert.equal(capped.emitted.length, 2);

  const controller = new AbortController();
  const aborted = new TokenLoop(loopOptions(clock, { signal: controller.signal }));
  let seen = 0;
  for await (const _ of aborted.run(decodingSequence([1, 2, 3, 4], clock, 5, 5), tokens(1), 0)) if (++seen === 2) controller.abort();
  assert.equal(aborted.emitted.length, 2, 'no token after the abort');

  const recorded: Array<[number, number]> = [];
  const tail = new TokenLoop(loopOptions(clock, { chunker: { record: (count, ms) => void recorded.push([count, ms]) } }));
  for await (const _ of tail.run(decodingSequence([1], clock, 40, 5), tokens(...Array.from({ length: 10 }, (_, i) => i)), 3));
  assert.deepEqual(recorded, [[7, 40]]);
});

test('the token loop: one token has no decode step to speak of; a token that shows nothing yet yields nothing; a one-token tail is not a chunk', async () => {
  const clock = { t: 0 };
  const recorded: number[] = [];
  const single = new TokenLoop(loopOptions(clock, { chunker: { record: (count) => void recorded.push(count) } }));
  for await (const _ of single.run(decodingSequence([1, 0], clock, 30, 10), tokens(5, 6, 7), 2));
  assert.equal(single.emitted.length, 1);
  assert.equal(single.decodeStepMs, 0);
  assert.deepEqual(recorded, [], 'only the last prompt token rode the first step: nothing to learn about chunks');

  // A decoder that shows a token's text only once the next arrives (a multi-byte character split in two).
  const texts: string[] = [];
  const split = new TokenLoop(loopOptions(clock, { decode: (generated: Token[]) => (generated.length < 2 ? '' : 'é'.repeat(generated.length - 1)) }));
  for await (const token of split.run(decodingSequence([1, 2, 3, 0], clock, 5, 5), tokens(1), 0)) texts.push(token.text);
  assert.deepEqual(texts, ['é', 'é'], 'no empty pieces');
});
