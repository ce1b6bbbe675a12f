import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { ExclusiveLock } from '../../server/src/model/exclusiveLock';
import { PromptChunker } from '../../server/src/model/promptChunks';
import { typingGraceMs, warmDelayAfterRequest, WindowWarmer } from '../../server/src/model/windowWarmer';
import { Logger } from '../../server/src/logger';

/** A context sequence as far as the warmer uses it: the tokens it holds, batches evaluated, ranges erased. */
class FakeSequence {
  contextTokens: number[] = [];
  readonly batches: number[][] = [];
  /** Runs while a batch is being evaluated (a request arriving mid-step). */
  duringBatch: (() => void) | undefined;
  get nextTokenIndex(): number {
    return this.contextTokens.length;
  }
  async evaluateWithoutGeneratingNewTokens(tokens: number[]): Promise<void> {
    this.batches.push(tokens);
    this.duringBatch?.();
    await new Promise((resolve) => setImmediate(resolve));
    this.contextTokens.push(...tokens);
  }
  async eraseContextTokenRanges(ranges: Array<{ start: number; end: number }>): Promise<void> {
    for (const { start, end } of ranges) this.contextTokens.splice(start, end - start);
  }
}

const log = new Logger({ error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function warmerWith(sequences: Record<string, FakeSequence>, warmChunk = 16) {
  const lock = new ExclusiveLock();
  const warmer = new WindowWarmer({
    lock,
    windowOf: (key) => (sequences[key] ??= new FakeSequence()) as unknown as LlamaContextSequence,
    heldBy: (key) => sequences[key] as unknown as LlamaContextSequence | undefined,
    chunker: new PromptChunker(128, 1, warmChunk),
    log,
  });
  return { lock, warmer };
}

test('the window is warmed in steps of the warm chunk, into the document\'s own sequence', async () => {
  const sequences: Record<string, FakeSequence> = {};
  const { warmer } = warmerWith(sequences);
  warmer.schedule('a.ts', range(0, 40) as never);
  assert.equal(await warmer.whenWarm(), true);
  assert.deepEqual(sequences['a.ts']!.batches.map((b) => b.length), [16, 16, 8]);
  assert.deepEqual(sequences['a.ts']!.contextTokens, range(0, 40));
});

test('just after a request arrived, warm steps are the short typing chunk; once typing has paused, the warm chunk', async () => {
  let clock = 1000;
  const realNow = performance.now.bind(performance);
  performance.now = () => clock;
  try {
    const sequence = new FakeSequence();
    sequence.duringBatch = () => (clock += 100); // each short step takes 100 ms
    const warmer = new WindowWarmer({ lock: new ExclusiveLock(), windowOf: () => sequence as unknown as LlamaContextSequence, heldBy: () => undefined, chunker: new PromptChunker(128, 1, 32, 8), log });
    warmer.requestArrived();
    warmer.schedule('a.ts', range(0, 100) as never);
    assert.equal(await warmer.whenWarm(), true);
    // 0, 100, 200 ms after the request: short steps; from 300 ms (typingGraceMs) on, whole warm chunks.
    assert.equal(typingGraceMs, 300);
    assert.deepEqual(sequence.batches.map((b) => b.length), [8, 8, 8, 32, 32, 12]);
  } finally {
    performance.now = realNow;
  }
});

test('a request waiting for the lock stops the warm-up after the current step; it resumes where it stopped', async () => {
  const sequences: Record<string, FakeSequence> = { 'a.ts': new FakeSequence() };
  const { lock, warmer } = warmerWith(sequences);
  let arrived!: (request: Promise<() => void>) => void;
  const request = new Promise<Promise<() => void>>((resolve) => (arrived = resolve));
  sequences['a.ts']!.duringBatch = () => arrived(lock.acquire()); // a keystroke's request arrives during the first step
  warmer.schedule('a.ts', range(0, 64) as never);
  const release = await (await request); // granted once the step is over, not after the whole window
  assert.equal(sequences['a.ts']!.batches.length, 1, 'one step, then the request');
  assert.equal(warmer.warming, 'a.ts', 'the job is still there');
  sequences['a.ts']!.duringBatch = undefined;
  release();
  warmer.resume(); // what the model does when a request ends
  assert.equal(await warmer.whenWarm(), true);
  assert.deepEqual(sequences['a.ts']!.batches.map((b) => b[0]), [0, 16, 32, 48], 'no token evaluated twice');
});

test('a new window for the same document keeps the prefix the sequence holds; what follows it makes way', async () => {
  const held = new FakeSequence();
  held.contextTokens = [...range(0, 30), 900, 901]; // an older window's start, then an answer generated after it
  const { warmer } = warmerWith({ 'a.ts': held });
  warmer.schedule('a.ts', [...range(0, 30), ...range(100, 110)] as never);
  assert.equal(await warmer.whenWarm(), true);
  assert.deepEqual(held.batches, [range(100, 110)], 'only what is new is evaluated');
  assert.deepEqual(held.contextTokens, [...range(0, 30), ...range(100, 110)]);
});

test('a later job supersedes an earlier one (which settles false); the same window again is not a new job', async () => {
  const sequences: Record<string, FakeSequence> = {};
  const { warmer } = warmerWith(sequences);
  warmer.schedule('a.ts', range(0, 40) as never);
  const first = warmer.whenWarm();
  warmer.schedule('a.ts', range(0, 40) as never);
  assert.equal(warmer.whenWarm(), first, 'the same tokens for the same document: the same job');
  warmer.schedule('b.ts', range(0, 20) as never);
  assert.equal(await first, false);
  assert.equal(await warmer.whenWarm(), true);
  assert.equal(sequences['a.ts'], undefined, 'the superseded job never touched its sequence');
  assert.deepEqual(sequences['b.ts']!.contextTokens, range(0, 20));
});

test('stop ends the warm-up: the job settles false and nothing more is evaluated', async () => {
  const sequences: Record<string, FakeSequence> = {};
  const { warmer } = warmerWith(sequences);
  warmer.schedule('a.ts', range(0, 40) as never);
  const done = warmer.whenWarm();
  warmer.stop();
  assert.equal(await done, false);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sequences['a.ts'], undefined);
});

test('after a cancelled request the warm-up waits for a pause in the typing; after an answer it goes on at once', async () => {
  const sequences: Record<string, FakeSequence> = {};
  const { warmer } = warmerWith(sequences);
  warmer.schedule('a.ts', range(0, 16) as never, 60); // a keystroke cancelled the request: typing goes on
  await new Promise((resolve) => setTimeout(resolve, 30));
  warmer.resume(60); // the next keystroke's request was cancelled too: the wait starts again
  await new Promise((resolve) => setTimeout(resolve, 40));
  const held = () => sequences['a.ts'];
  assert.equal(held(), undefined, 'nothing evaluated while keystrokes keep coming');
  const started = performance.now();
  warmer.resume(0); // a request was answered: the user reads, the engine is idle
  assert.equal(await warmer.whenWarm(), true);
  assert.ok(performance.now() - started < 50, 'warmed at once, not after the grace');
  assert.deepEqual(held()!.contextTokens, range(0, 16));
});

test('a step already waiting for the lock keeps to a later grace: a cancelled request letting go does not let it in', async () => {
  const sequences: Record<string, FakeSequence> = {};
  const { lock, warmer } = warmerWith(sequences);
  const request = await lock.acquire(); // a keystroke's request runs
  warmer.schedule('a.ts', range(0, 16) as never, 0); // its step is due now: it queues for the lock
  await new Promise((resolve) => setTimeout(resolve, 10));
  warmer.resume(80); // the request was cancelled by the next keystroke: typing goes on
  request();
  await new Promise((resolve) => setTimeout(resolve, 30));
  const held = () => sequences['a.ts'];
  assert.equal(held(), undefined, 'the queued step gave way to the grace');
  const started = performance.now();
  assert.equal(await warmer.whenWarm(), true, 'and warmed once the grace was over');
  assert.ok(performance.now() - started >= 30, 'not before');
  assert.deepEqual(held()!.contextTokens, range(0, 16));
});

test('at shutdown every held window is kept where it holds anything new, the most recent first, within the time budget', async () => {
  const saved: Array<{ label: string; minNew: number | undefined }> = [];
  let clock = 0;
  const windows = {
    restore: async () => 0,
    save: async (_sequence: LlamaContextSequence, label: string, minNew?: number) => {
      saved.push({ label, minNew });
      clock += 600; // a slow disk: each write takes 600 ms
    },
  };
  const warmer = new WindowWarmer({ lock: new ExclusiveLock(), windowOf: () => new FakeSequence() as unknown as LlamaContextSequence, heldBy: () => undefined, chunker: new PromptChunker(128, 1, 16), log, windows });
  const documents = ['c.ts', 'b.ts', 'a.ts'].map((key) => ({ key, item: new FakeSequence() as unknown as LlamaContextSequence }));
  const realNow = performance.now.bind(performance);
  performance.now = () => clock;
  try {
    await warmer.keepAll(documents, 1000);
  } finally {
    performance.now = realNow;
  }
  // 0 ms: c; 600 ms: b; 1200 ms: over the budget, a is left.
  assert.deepEqual(saved, [
    { label: 'c.ts', minNew: 1 },
    { label: 'b.ts', minNew: 1 },
  ]);
});

test('after an answer the same document warms at once; after a cancellation, or for another document, once typing pauses', () => {
  assert.equal(warmDelayAfterRequest(false, false), 0, 'the user reads the suggestion: the window being typed in warms now');
  assert.equal(warmDelayAfterRequest(true, false), typingGraceMs, 'a keystroke cancelled it: the next one is coming');
  assert.equal(warmDelayAfterRequest(false, true), typingGraceMs, "another file's or window's warm-up would hold up this document's next keystroke");
});

test('a window that went away: its warm-up is dropped, its sequences freed once a request running on them lets go, their windows kept', async () => {
  const saved: string[] = [];
  const lock = new ExclusiveLock();
  const sequences: Record<string, FakeSequence> = {};
  const warmer = new WindowWarmer({
    lock,
    windowOf: (key) => (sequences[key] ??= new FakeSequence()) as unknown as LlamaContextSequence,
    heldBy: (key) => sequences[key] as unknown as LlamaContextSequence | undefined,
    chunker: new PromptChunker(128, 1, 16),
    log,
    windows: { restore: async () => 0, save: async (_sequence: LlamaContextSequence, label: string) => void saved.push(label) },
  });
  const running = await lock.acquire(); // a request of the window, still ending
  warmer.schedule('w1|a.ts', range(0, 64) as never);
  const warm = warmer.whenWarm();
  let freedWhileRunning: boolean | undefined;
  let requestEnded = false;
  const released = warmer.release(
    (key) => key.startsWith('w1|'),
    () => {
      freedWhileRunning = !requestEnded;
      return [{ key: 'w1|a.ts', item: new FakeSequence() as unknown as LlamaContextSequence }];
    },
  );
  assert.equal(await warm, false, 'its warm-up settles unwarmed');
  assert.equal(warmer.warming, undefined);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(freedWhileRunning, undefined, 'nothing freed while its request holds the sequence');
  requestEnded = true;
  running();
  await released;
  assert.equal(freedWhileRunning, false);
  assert.deepEqual(saved, ['w1|a.ts']);
  assert.equal(sequences['w1|a.ts']?.batches.length ?? 0, 0, 'nothing warmed for it');
});

test('another window’s warm-up is not dropped when one window goes away', async () => {
  const sequences: Record<string, FakeSequence> = {};
  const { warmer } = warmerWith(sequences);
  warmer.schedule('w2|b.ts', range(0, 20) as never);
  await warmer.release((key) => key.startsWith('w1|'), () => []);
  assert.equal(await warmer.whenWarm(), true);
  assert.deepEqual(sequences['w2|b.ts']!.contextTokens, range(0, 20));
});
