import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompletionMetrics } from '../../common/protocol';
import type { AwaitedStep } from '../../tools/src/awaitedReplay';
import { settleMs, summarizeAwaited, summarizePauses, WarmLog } from '../../tools/src/realFileWaits';

test('every pause counts: one that showed nothing is the longest wait, not left out', () => {
  const late = settleMs / 1000 + 1;
  const pause = { pauseMs: 600, totalMs: 400, generatedTokens: 11, evaluatedTokens: 1, firstTokenMs: 40 };
  const pauses = [
    { ...pause, at: 1, firstLineMs: 300, promptTokens: 100, wholeWindow: false, outcome: 'served' },
    { ...pause, at: 2, firstLineMs: null, promptTokens: 100, wholeWindow: false, outcome: 'empty' },
    { ...pause, at: late, firstLineMs: 500, promptTokens: 2000, wholeWindow: true, outcome: 'served' },
    { ...pause, at: late + 1, firstLineMs: null, promptTokens: 2000, wholeWindow: false, outcome: 'cancelled' },
  ];
  const summary = summarizePauses(pauses);
  assert.equal(summary.pausesShown, 0.5);
  assert.equal(summary.pauseFirstLineMsP50, null, 'half the pauses showed nothing: the median wait is unbounded');
  assert.equal(summarizePauses(pauses.slice(0, 3)).pauseFirstLineMsP50, 500);
  assert.equal(summary.wholeWindowSharePaced, 0.5, 'counted only once the file has been open long enough');
  assert.equal(summary.pausesAfterSettling, 2);
  assert.deepEqual([summary.pausesAnsweredEmpty, summary.pausesTooLate], [1, 1], 'why each of the two showed nothing');
});

test('the awaited replay: decode step growth is the last quarter over the first, whole-window share after settling', () => {
  const step = (at: number, decodeStepMs: number, fullPrompt: boolean): AwaitedStep => ({
    at,
    firstLineMs: 400,
    metrics: { outcome: 'served', promptTokens: fullPrompt ? 2000 : 100, reusedPromptTokens: 0, generatedTokens: 11, decodeStepMs, fullPrompt } as CompletionMetrics,
  });
  const late = settleMs / 1000;
  const steps = [step(1, 50, false), step(2, 50, false), step(3, 60, false), step(4, 60, false), step(late + 1, 70, true), step(late + 2, 70, true), step(late + 3, 100, false), step(late + 4, 100, true)];
  const summary = summarizeAwaited(steps);
  assert.equal(summary.decodeStepGrowth, 2, '100 ms over 50 ms');
  assert.equal(summary.wholeWindowShareAwaited, 0.75);
  assert.equal(summary.wholeWindowPromptTokens, 2000);
  assert.equal(summary.keystrokes, 7, 'the first request is the cold one, before any key');
});

test('the warm-up throughput is read from the server log: whole chunks evaluated over the time they took', () => {
  const log = new WarmLog();
  log.onLog("[debug] Warm step: 640 tokens of untitled:a.ts's window in whole chunks of 64, 6000 ms evaluating");
  log.onLog("[debug] Warm step: 64 tokens of untitled:a.ts's window in whole chunks of 64, 400 ms evaluating");
  log.onLog('Loaded something else');
  log.onLog("[debug] Warm: untitled:a.ts's whole window (2703 tokens, 3 evaluated) in 200 ms, 120 ms of it evaluating");
  assert.equal(log.windows, 1);
  assert.equal(log.evaluated, 704);
  assert.equal(log.tokensPerSecond, 110);
});
