// The benchmark that cannot flatter us: the Qwen2.5-Coder-0.5B-shaped model (the real model's speed), one thread, the
// FIM order real models use (prefix-first: `fimOrder: auto` for any model but the bundled one), typing into the
// middle of real source files of 300+ lines (test/fixtures/realFiles, licenses in LICENSES.md), every figure against
// "KV reuse off" in the same run, and the server's prefill and decode speeds against node-llama-cpp's own at the same
// prompt position.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionMetrics } from '../../common/protocol';
import { type Config, delay, percentile, position, type ReplayFile, round, session, sourceWithout, typingTally } from './replay';
import { ensureShapedModel } from './shapedModel';
import { type AwaitedStep, awaitedReplay } from './awaitedReplay';
import { llamaServerPromptSpeed, pacedReplay, reopenAfterRestart, settleMs, summarizeAwaited, summarizePauses, WarmLog } from './realFileWaits';

const realFilesDir = join(__dirname, '..', '..', 'test', 'fixtures', 'realFiles');
/** Whole-window requests of the awaited replay between two of node-llama-cpp's decode measurements taken in turns. */
const pairEvery = 10;

/** Lines typed again, in the middle of each file (their indentation stays in the document). */
const realFiles = (quick: boolean): ReplayFile[] => [
  {
    text: readFileSync(join(realFilesDir, 'format.ts'), 'utf8'),
    languageId: 'typescript',
    extension: 'ts',
    lines: quick
      ? ['out += NEWLINE + pad + createStatement("endif");']
      : ['out += NEWLINE + pad + createStatement("endif");', 'formattedIterable = `${formatExpression(n.lhs)} if ${formatExpression(n.test)}`;'],
  },
  {
    text: readFileSync(join(realFilesDir, 'shlex.py'), 'utf8'),
    languageId: 'python',
    extension: 'py',
    lines: quick ? ['elif self.posix and nextchar in self.escape:'] : ['elif self.posix and nextchar in self.escape:', 'self.lineno += 1'],
  },
];

/**
 * Blocks of format.ts typed again key by key, newlines included, in one document: the awaited replay's (≥ 150 keys)
 * and the paced replay's (long enough that the file has been open over a minute when it ends).
 */
const awaitedBlockStart = '\t// ELSE\n';
const pacedBlockStart = '\t// ELIF(s)\n';
const blockEnd = '\treturn out;\n}\n\nfunction formatFor';
const blockOf = (text: string, start: string) => text.slice(text.indexOf(start), text.indexOf(blockEnd));

/** Warm-up lines the server logs at debug level: `Warm: KEY's whole window (N tokens, E evaluated) in T ms`. */
const warmLine = /Warm: .*'s whole window \((\d+) tokens, (\d+) evaluated\) in (\d+) ms/;
const curveLine = /prompt tokens\/s by batch size ([^:]+: \d+(?:, \d+: \d+)*): chunks of (\d+)/;

interface Warm {
  tokens: number;
  evaluated: number;
  ms: number;
}

export async function realFileBenchmark(tokenize: (text: string) => number[], quick: boolean) {
  const modelPath = await ensureShapedModel();
  const files = realFiles(quick);
  // Random weights never end a line, so each answer is capped at one average line of these files, in tokens: the
  // first ghost line then costs what a real model's first line costs.
  const lineTokens = Math.ceil(average(files.flatMap((f) => f.text.split('\n').filter((l) => l.trim() !== '').map((l) => tokenize(l.trim()).length))));
  const warms: Warm[] = [];
  const warmLog = new WarmLog();
  let serverCurve = '';
  const config = (disable: string[] = []): Config => ({
    settings: { modelPath, maxTokens: lineTokens, logLevel: 'debug' },
    disable,
    onLog: (line) => {
      warmLog.onLog(line);
      const warm = warmLine.exec(line);
      if (warm) warms.push({ tokens: Number(warm[1]), evaluated: Number(warm[2]), ms: Number(warm[3]) });
      const curve = curveLine.exec(line);
      if (curve) serverCurve = `${curve[1]} (chunks of ${curve[2]})`;
    },
  });
  const run = async (disable: string[], filesToType: ReplayFile[]) => {
    const metrics: CompletionMetrics[] = [];
    const cold: CompletionMetrics[] = [];
    const firstLine: number[] = [];
    const coldFirstLine: number[] = [];
    let keystrokes = 0;
    let typedTokens = 0;
    let stale = 0;
    for (const file of filesToType) {
      const { tally } = await typingTally(config(disable), tokenize, file, { awaitFirst: true });
      metrics.push(...tally.metrics);
      cold.push(...tally.coldMetrics);
      firstLine.push(...tally.firstLineMs);
      coldFirstLine.push(...tally.coldFirstLineMs);
      keystrokes += tally.keystrokes;
      typedTokens += tally.typedTokens;
      stale += tally.stale;
    }
    return summarize({ metrics, cold, firstLine, coldFirstLine, keystrokes, typedTokens, stale });
  };
  const on = await run([], files);
  // KV reuse off costs a whole prompt per keystroke (tens of seconds here): one line of one file is enough to show it.
  const off = await run(['kvReuse'], [{ ...files[0]!, lines: files[0]!.lines.slice(0, 1) }]);

  // Like with like: the user rests at a line until the background warm-up is done, then the server completes there
  // with the whole window. node-llama-cpp alone evaluates as many tokens in one batch, and decodes at that depth in
  // turns with the server (this machine's speed drifts by ±20 % over minutes: turns keep the comparison fair).
  warms.length = 0;
  const fileTokens = tokenize(files[0]!.text);
  const probe = await restedProbe(config(['cache']), files[0]!, warms, await runtimeAlone(modelPath, fileTokens));
  const curve = await runtimeCurve(modelPath, fileTokens, 1400);
  const warm = probe.warm;

  // Every wait a person sees: the awaited replay (and the same file reopened after a restart), then the paced one.
  const source = files[0]!;
  const awaitedInput = { text: source.text, languageId: source.languageId, extension: source.extension, block: blockOf(source.text, awaitedBlockStart) };
  warmLog.evaluated = warmLog.ms = warmLog.windows = 0;
  // The awaited session keeps its windows on disk, as the extension does; the reopened file is looked up there.
  const windowCacheDir = mkdtempSync(join(tmpdir(), 'hearth-bench-windows-'));
  // The user rests after the last line: the warm-up finishes the window and it is saved (waited for, up to 30 s).
  let saves = 0;
  const countSaves = (line: string) => {
    if (/Window cache: .*saved/.test(line)) saves++;
  };
  const rest = async () => {
    const before = saves;
    const deadline = performance.now() + 30_000;
    while (saves === before && performance.now() < deadline) await delay(200);
  };
  const withSaves: Config = { ...config(), windowCacheDir, onLog: (line) => (config().onLog!(line), countSaves(line)) };
  // The decode step while typing against node-llama-cpp alone at the whole window's depth, in turns: after every
  // `pairEvery` requests that held the whole window, node-llama-cpp decodes a line's steps while the server is idle
  // (this machine's speed drifts by ±20 % over minutes: only measurements seconds apart compare).
  const paired = await runtimeAlone(modelPath, fileTokens);
  const pairs: Array<{ server: number; alone: number }> = [];
  let awaitedSteps: Awaited<ReturnType<typeof awaitedReplay>>;
  let pairedDepth = 0;
  try {
    let since = 0;
    const afterStep = async (steps: readonly AwaitedStep[]) => {
      const step = steps.at(-1)!;
      if (!step.metrics.fullPrompt || step.metrics.generatedTokens <= 1) return;
      // At the first whole-window request: node-llama-cpp evaluates as many tokens (the replay waits meanwhile).
      if (pairedDepth === 0) {
        pairedDepth = step.metrics.promptTokens;
        await paired.prefill(0, pairedDepth);
      }
      if (++since < pairEvery) return;
      since = 0;
      const recent = steps.filter((s) => s.metrics.fullPrompt && s.metrics.generatedTokens > 1).slice(-pairEvery);
      pairs.push({ server: average(recent.map((s) => s.metrics.decodeStepMs)), alone: await paired.decodeStep(lineTokens) });
    };
    awaitedSteps = await awaitedReplay(withSaves, awaitedInput, { afterTyping: rest, afterStep });
  } finally {
    await paired.dispose();
  }
  const awaited = summarizeAwaited(awaitedSteps);
  const reopen = await reopenAfterRestart({ ...config(), windowCacheDir }, awaitedInput);
  rmSync(windowCacheDir, { recursive: true, force: true });
  const paced = summarizePauses(await pacedReplay(config(), { ...awaitedInput, block: blockOf(source.text, pacedBlockStart) }));
  const warmTokensPerSecond = warmLog.tokensPerSecond;
  const warmWindows = warmLog.windows;
  // node-llama-cpp alone decoding, in turns (the machine drifts): at the typing requests' median prompt length, and at
  // the awaited replay's first and last quarters' context lengths — how much of the decode step's growth over the
  // replay is the longer context (the whole window arriving), not the server.
  const typingDepth = awaited.promptTokensP50 + Math.ceil(lineTokens / 2);
  const depths = { typing: typingDepth, first: awaited.contextFirstQuarter, last: awaited.contextLastQuarter };
  const aloneAt = { typing: [] as number[], first: [] as number[], last: [] as number[] };
  const typingRuntime = await runtimeAlone(modelPath, fileTokens);
  try {
    for (let i = 0; i < 3; i++) {
      for (const at of ['typing', 'first', 'last'] as const) {
        await typingRuntime.prefill(0, Math.max(1, depths[at]));
        aloneAt[at].push(await typingRuntime.decodeStep(lineTokens));
      }
    }
  } finally {
    await typingRuntime.dispose();
  }
  const aloneGrowth = percentile(aloneAt.last, 50) / Math.max(1e-9, percentile(aloneAt.first, 50));
  // In turns where there were any (the whole window reached within the replay), else the measurements after it.
  const aloneStepMs = pairs.length > 0 ? percentile(pairs.map((p) => p.alone), 50) : percentile(aloneAt.typing, 50);
  const typingStepMs = pairs.length > 0 ? percentile(pairs.map((p) => p.server), 50) : percentile(awaitedSteps.filter((s) => s.metrics.generatedTokens > 1).map((s) => s.metrics.decodeStepMs), 50);
  const peer = await llamaServerPromptSpeed(modelPath, fileTokens.slice(0, Math.max(awaited.wholeWindowPromptTokens, 1024)));

  const serverDecodeStep = probe.serverDecodeStepMs;
  const runtime = { ...probe.runtime, ...curve, curveAt: 1400 };
  const serverPrefill = warm ? (warm.evaluated * 1000) / warm.ms : on.coldPrefillTokensPerSecond;
  return {
    model: 'Qwen2.5-Coder-0.5B-shaped, random weights, Q8_0, 1 thread, FIM order auto (prefix-first)',
    files: files.map((f) => `${f.extension}: ${f.text.split('\n').length} lines, typing ${f.lines.length} line(s)`),
    answerTokens: lineTokens,
    promptTokensPerFollowupKeystroke: on.promptTokensPerFollowupKeystroke,
    typedTokensPerFollowupKeystroke: on.typedTokensPerFollowupKeystroke,
    firstLineMsP50: on.firstLineMsP50,
    firstLineMsP95: on.firstLineMsP95,
    coldFirstLineMs: on.coldFirstLineMs,
    decodeStepMs: round(typingStepMs, 1),
    decodeRatio: round(aloneStepMs / Math.max(1e-9, typingStepMs)),
    decodeStepGrowth: awaited.decodeStepGrowth,
    decodeStepGrowthAlone: round(aloneGrowth),
    pauseFirstLineMsP50: paced.pauseFirstLineMsP50,
    pauseFirstLineMsP95: paced.pauseFirstLineMsP95,
    pausesShown: paced.pausesShown,
    wholeWindowShareAwaited: awaited.wholeWindowShareAwaited,
    wholeWindowSharePaced: paced.wholeWindowSharePaced,
    reopenFirstLineMs: reopen.reopenFirstLineMs,
    reopenWholeWindow: reopen.reopenWholeWindow,
    warmTokensPerSecond,
    llamaServerPromptTokensPerSecond: peer?.tokensPerSecond ?? null,
    prefillRatio: round(serverPrefill / Math.max(1e-9, runtime.prefillTokensPerSecond)),
    cancelToIdleMsP95: on.cancelToIdleMsP95,
    cancelDuringPrefillMsP95: on.cancelDuringPrefillMsP95,
    prefillChunkMs: on.prefillChunkMs,
    details: {
      awaited,
      paced,
      reopen,
      warmWindows,
      decodeWhileTyping: { serverStepMs: round(typingStepMs, 1), aloneStepMs: round(aloneStepMs, 1), depth: pairs.length > 0 ? pairedDepth : typingDepth, pairs: pairs.map((p) => ({ server: round(p.server, 1), alone: round(p.alone, 1) })), aloneAfterReplayMs: round(percentile(aloneAt.typing, 50), 1) },
      llamaServerPrompt: peer,
      restedDecode: { serverStepMs: round(serverDecodeStep, 1), aloneStepMs: runtime.decodeStepMs, ratio: round(runtime.decodeStepMs / Math.max(1e-9, serverDecodeStep)) },
      allOn: on,
      kvReuseOff: off,
      rested: probe,
      decodeStepWhileTypingMs: round(on.decodeStepMs, 1),
      serverPrefillTokensPerSecond: round(serverPrefill, 1),
      serverPrefillAt: warm ? `background warm-up: ${warm.evaluated} tokens from position ${warm.tokens - warm.evaluated}, in chunks` : 'cold requests',
      runtime,
      serverCurveAtLoad: serverCurve,
    },
  };
}

/**
 * Opens the file, completes in its middle (the cold request), rests until the server logs that the whole window is
 * warm, then completes there three times more (the completion cache off, so each reaches the model), each time
 * followed by node-llama-cpp decoding alone at the same depth.
 */
async function restedProbe(config: Config, file: ReplayFile, warms: Warm[], runtime: RuntimeAlone) {
  const lsp = await session(config);
  try {
    const uri = `untitled:rested.${file.extension}`;
    const { at, text } = sourceWithout(file, file.lines[0]!);
    await lsp.open(uri, file.languageId, text);
    const started = performance.now();
    await lsp.complete(uri, position(text, at));
    const cold = await lsp.nextMetrics();
    while (warms.length === 0 && performance.now() - started < 120_000) await delay(200);
    const restedMs = performance.now() - started;
    const warm = warms[0];
    const prefill = await runtime.prefill(warm ? warm.tokens - warm.evaluated : 0, warm?.evaluated ?? cold.promptTokens);
    const served: CompletionMetrics[] = [];
    const runtimeSteps: number[] = [];
    for (let i = 0; i < 3; i++) {
      await lsp.complete(uri, position(text, at));
      served.push(await lsp.nextMetrics());
      runtimeSteps.push(await runtime.decodeStep(12));
    }
    const decoded = served.filter((m) => m.generatedTokens > 1);
    return {
      coldPromptTokens: cold.promptTokens,
      warmedAfterMs: warm ? Math.round(restedMs) : null,
      warm,
      fullPrompt: served.every((m) => m.fullPrompt === true),
      promptTokens: Math.round(average(served.map((m) => m.promptTokens))),
      promptTokensEvaluated: Math.round(average(served.map((m) => m.promptTokens - m.reusedPromptTokens))),
      firstTokenMs: round(average(served.map((m) => m.firstTokenMs ?? 0)), 1),
      serverDecodeStepMs: percentile(decoded.map((m) => m.decodeStepMs), 50),
      runtime: { decodeStepMs: round(percentile(runtimeSteps, 50), 1), decodeAt: runtime.depth(), prefillTokensPerSecond: prefill.tokensPerSecond, prefillAt: prefill.at },
    };
  } finally {
    await lsp.stop();
    await runtime.dispose();
  }
}

interface Collected {
  metrics: CompletionMetrics[];
  cold: CompletionMetrics[];
  firstLine: number[];
  coldFirstLine: number[];
  keystrokes: number;
  typedTokens: number;
  stale: number;
}

function summarize(c: Collected) {
  const evaluated = (m: CompletionMetrics) => m.promptTokens - m.reusedPromptTokens;
  const followups = c.metrics.filter((m) => m.outcome !== 'cached' && m.outcome !== 'skipped' && m.promptTokens > 0);
  const cancels = c.metrics.filter((m) => m.cancelToIdleMs !== undefined);
  const generated = c.metrics.filter((m) => m.generatedTokens > 1);
  const coldServed = c.cold.filter((m) => m.firstTokenMs !== undefined && evaluated(m) > 0);
  const p = (values: number[], q: number) => (values.length === 0 ? null : round(percentile(values, q), 1));
  return {
    keystrokes: c.keystrokes,
    requests: c.metrics.length,
    served: c.metrics.filter((m) => m.outcome === 'served').length,
    cancelled: c.metrics.filter((m) => m.outcome === 'cancelled').length,
    fromCache: c.metrics.filter((m) => m.outcome === 'cached').length,
    staleCompletions: c.stale,
    promptTokensPerFollowupKeystroke: round(average(followups.map(evaluated))),
    typedTokensPerFollowupKeystroke: round(c.typedTokens / Math.max(1, c.keystrokes)),
    fullPromptShare: round(followups.filter((m) => m.fullPrompt).length / Math.max(1, followups.length)),
    firstLineMsP50: p(c.firstLine, 50),
    firstLineMsP95: p(c.firstLine, 95),
    shownFirstLines: c.firstLine.length,
    coldFirstLineMs: p(c.coldFirstLine, 50),
    coldPromptTokens: Math.round(average(c.cold.map((m) => m.promptTokens))),
    coldPrefillTokensPerSecond: round(average(coldServed.map((m) => (evaluated(m) * 1000) / Math.max(1, m.firstTokenMs! - m.decodeStepMs))), 1),
    medianPromptTokens: Math.round(percentile(c.metrics.filter((m) => m.promptTokens > 0).map((m) => m.promptTokens), 50)),
    decodeStepMs: round(percentile(generated.map((m) => m.decodeStepMs), 50), 1),
    cancelToIdleMsP95: p(cancels.filter((m) => m.generatedTokens > 0).map((m) => m.cancelToIdleMs!), 95),
    cancelDuringPrefillMsP95: p(cancels.filter((m) => m.generatedTokens === 0 && m.promptTokens > 0).map((m) => m.cancelToIdleMs!), 95),
    cancelsDuringDecoding: cancels.filter((m) => m.generatedTokens > 0).length,
    cancelsDuringPrefill: cancels.filter((m) => m.generatedTokens === 0 && m.promptTokens > 0).length,
    prefillChunkMs: p(c.metrics.flatMap((m) => (m.prefillChunkMs === undefined ? [] : [m.prefillChunkMs])), 50),
  };
}

const average = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

type RuntimeAlone = Awaited<ReturnType<typeof runtimeAlone>>;

/** node-llama-cpp alone, one thread, one sequence: a one-batch prefill, then decode steps at that depth on demand. */
async function runtimeAlone(modelPath: string, fileTokens: number[], { flashAttention = false, threads = 1 } = {}) {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: threads, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 4096, threads, flashAttention });
  const sequence = context.getSequence();
  const tokens = (count: number) => Array.from({ length: count }, (_, i) => fileTokens[i % fileTokens.length]!) as never[];
  let depth = 0;
  return {
    depth: () => depth,
    /** `count` tokens in one batch after `from`; the sequence then holds from + count tokens. */
    async prefill(from: number, count: number) {
      if (from > 0 && depth >= from) {
        await sequence.eraseContextTokenRanges([{ start: from, end: sequence.nextTokenIndex }]); // the same first tokens
      } else {
        await sequence.clearHistory();
        if (from > 0) await sequence.evaluateWithoutGeneratingNewTokens(tokens(from));
      }
      const t = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(tokens(from + count).slice(from));
      depth = from + count;
      return { tokensPerSecond: round((count * 1000) / (performance.now() - t), 1), at: { from, count } };
    },
    /** The mean of `steps` decode steps at the current depth (erased again afterwards). */
    async decodeStep(steps: number) {
      const times: number[] = [];
      let last = 0;
      for await (const _ of sequence.evaluate(tokens(depth + 1).slice(depth), { temperature: 0 })) {
        const now = performance.now();
        if (last > 0) times.push(now - last);
        last = now;
        if (times.length >= steps) break;
      }
      await sequence.eraseContextTokenRanges([{ start: depth, end: sequence.nextTokenIndex }]);
      return average(times);
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

/**
 * node-llama-cpp alone, `depth` tokens into the context: prompt throughput by batch size, and a decode step and a
 * 128-token batch with flash attention off and on.
 */
async function runtimeCurve(modelPath: string, fileTokens: number[], depth: number) {
  const measure = async (flashAttention: boolean, sizes: number[], threads = 1) => {
    const runtime = await runtimeAlone(modelPath, fileTokens, { flashAttention, threads });
    try {
      await runtime.prefill(0, depth);
      const curve: Record<number, number> = {};
      // The fastest of three tries: this machine's speed drifts, and a single try of a small batch says little.
      for (const size of sizes) curve[size] = 0;
      for (const size of sizes) {
        for (let i = 0; i < 3; i++) curve[size] = Math.max(curve[size]!, (await runtime.prefill(depth, size)).tokensPerSecond);
      }
      await runtime.prefill(0, depth);
      return { curve, decodeStepMs: round(await runtime.decodeStep(12), 1) };
    } finally {
      await runtime.dispose();
    }
  };
  const plain = await measure(false, [8, 16, 32, 64, 128, 256]);
  const flash = await measure(true, [128]);
  const twoThreads = await measure(false, [128], 2);
  return {
    tokensPerSecondByBatchSize: plain.curve,
    threads: {
      1: { decodeStepMs: plain.decodeStepMs, batchOf128TokensPerSecond: plain.curve[128]! },
      2: { decodeStepMs: twoThreads.decodeStepMs, batchOf128TokensPerSecond: twoThreads.curve[128]! },
    },
    flashAttention: {
      off: { decodeStepMs: plain.decodeStepMs, batchOf128TokensPerSecond: plain.curve[128]! },
      on: { decodeStepMs: flash.decodeStepMs, batchOf128TokensPerSecond: flash.curve[128]! },
    },
  };
}

export function renderRealFile(result: Awaited<ReturnType<typeof realFileBenchmark>>, command: string): string {
  const { allOn, kvReuseOff, runtime } = result.details;
  const rows: Array<[string, keyof typeof allOn]> = [
    ['keystrokes', 'keystrokes'],
    ['requests (served / cancelled / from cache)', 'requests'],
    ['prompt tokens evaluated per follow-up keystroke', 'promptTokensPerFollowupKeystroke'],
    ['tokens typed per keystroke', 'typedTokensPerFollowupKeystroke'],
    ['share of prompts with the whole window', 'fullPromptShare'],
    ['keystroke → first ghost line p50 (ms)', 'firstLineMsP50'],
    ['keystroke → first ghost line p95 (ms)', 'firstLineMsP95'],
    ['first ghost lines shown', 'shownFirstLines'],
    ['newly opened file → first ghost line (ms, p50)', 'coldFirstLineMs'],
    ['decode step (ms, p50)', 'decodeStepMs'],
    ['cancel → sequence free, during decoding, p95 (ms)', 'cancelToIdleMsP95'],
    ['cancel → sequence free, during prefill, p95 (ms)', 'cancelDuringPrefillMsP95'],
    ['one prefill chunk (ms)', 'prefillChunkMs'],
    ['stale completions shown', 'staleCompletions'],
  ];
  const cell = (s: typeof allOn, key: keyof typeof allOn) =>
    key === 'requests' ? `${s.requests} (${s.served} / ${s.cancelled} / ${s.fromCache})` : String(s[key] ?? '–');
  const curve = Object.entries(runtime.tokensPerSecondByBatchSize).map(([size, speed]) => `${size} → ${speed}`).join(', ');
  return `## Real files, real-sized model, prefix-first

Made by \`${command}\` (tools/src/realFileBench.ts) on ${new Date().toISOString().slice(0, 10)}, on this project's 2-core machine.
${result.model}. Files: ${result.files.join('; ')} (test/fixtures/realFiles). A line in the middle of each file is
emptied and typed again, one key every 80 ms, pausing 600 ms after a comma or an opening bracket and 2 s at the end of
the line; a request per keystroke, cancelled when the next key comes first. The first request in each newly opened
file is awaited (the cold figure). Answers are capped at ${result.answerTokens} tokens, one average line of these files: random weights
never end a line.

### Every wait a person sees

${renderWaits(result)}

### Typing lines, a request per keystroke

| measure | all on | KV reuse off |
| --- | --- | --- |
${rows.map(([label, key]) => `| ${label} | ${cell(allOn, key)} | ${cell(kvReuseOff, key)} |`).join('\n')}

Resting at the first line of ${result.files[0]} until the background warm-up is done (cold prompt ${result.details.rested.coldPromptTokens} tokens; whole window
warm after ${result.details.rested.warmedAfterMs ?? '–'} ms), then completing there: whole window in the prompt ${result.details.rested.fullPrompt}, ${result.details.rested.promptTokens} prompt tokens of which
${result.details.rested.promptTokensEvaluated} evaluated, first token after ${result.details.rested.firstTokenMs} ms.

Against node-llama-cpp alone (same model, 1 thread, same positions, quiet machine):
- decode at rest, whole window: server ${result.details.restedDecode.serverStepMs} ms a step (${result.details.decodeStepWhileTypingMs} ms while the typing replay typed over it), node-llama-cpp ${runtime.decodeStepMs} ms at ${runtime.decodeAt} tokens of context (ratio ${result.details.restedDecode.ratio});
- prefill: server ${result.details.serverPrefillTokensPerSecond} tokens/s (${result.details.serverPrefillAt}), node-llama-cpp in one batch ${runtime.prefillTokensPerSecond} tokens/s → **prefillRatio ${result.prefillRatio}**;
- prompt tokens/s by batch size, ${runtime.curveAt} tokens into the context: ${curve}. The server measures its own curve at load
  (128 tokens in): ${result.details.serverCurveAtLoad || '–'};
- flash attention, ${runtime.curveAt} tokens in: decode step ${runtime.flashAttention.off.decodeStepMs} ms off, ${runtime.flashAttention.on.decodeStepMs} ms on; 128-token batch
  ${runtime.flashAttention.off.batchOf128TokensPerSecond} tokens/s off, ${runtime.flashAttention.on.batchOf128TokensPerSecond} on. A short prompt: the decode step at ${runtime.decodeAt} tokens of context is
  ${runtime.decodeStepMs} ms, ${result.details.allOn.decodeStepMs === 0 ? '–' : round(result.details.allOn.decodeStepMs, 1)} ms over the quick prompts (about ${result.details.allOn.coldPromptTokens} tokens) while typing;
- threads, ${runtime.curveAt} tokens in (nothing else running): 1 thread decode step ${runtime.threads[1].decodeStepMs} ms, 128-token batch ${runtime.threads[1].batchOf128TokensPerSecond} tokens/s;
  2 threads ${runtime.threads[2].decodeStepMs} ms, ${runtime.threads[2].batchOf128TokensPerSecond} tokens/s.

JSON (\`--json FILE\`, key \`realFile\`): ${Object.keys(result).filter((k) => k !== 'details' && k !== 'model' && k !== 'files').map((k) => `\`${k}\``).join(', ')}.
`;
}

function renderWaits(result: Awaited<ReturnType<typeof realFileBenchmark>>): string {
  const { awaited, paced, reopen, decodeWhileTyping, llamaServerPrompt } = result.details;
  const value = (v: unknown) => (v === null || v === undefined ? '–' : String(v));
  return `Lines of format.ts (${result.files[0]!.replace(/^ts: (\d+) lines.*$/, '$1 lines')}) typed again key by key in one document, newlines included (tools/src/realFileWaits.ts).
**Awaited**: ${awaited.keystrokes} keystrokes, each request answered before the next key (${awaited.seconds} s).
**Paced**: ${paced.pauses} pauses (≥ 600 ms without a keystroke: after a comma or an opening bracket, at a line's end)
while typing at one key every 80 ms, a request per keystroke cancelled by the next key, the file's opening and the
cursor's rests sent as the client sends them. A pause that showed nothing before the next keystroke counts as the
longest wait (–: more than half of the waits, for p50, or more than 5 %, for p95, showed nothing). Whole-window
shares count requests from ${settleMs / 1000} s after the file was opened.

| measure | awaited | paced (at pauses) |
| --- | --- | --- |
| keystroke → first ghost line p50 (ms) | ${value(awaited.firstLineMsP50)} | **${value(paced.pauseFirstLineMsP50)}** |
| keystroke → first ghost line p95 (ms) | ${value(awaited.firstLineMsP95)} | **${value(paced.pauseFirstLineMsP95)}** |
| share that showed a line | ${awaited.shown} | **${paced.pausesShown}** (nothing to show ${paced.pausesAnsweredEmpty}, too late ${paced.pausesTooLate}) |
| prompt tokens p50 | ${awaited.promptTokensP50} | ${paced.pausePromptTokensP50} |
| whole window in the prompt, after ${settleMs / 1000} s | **${value(awaited.wholeWindowShareAwaited)}** (of ${awaited.requestsAfterSettling}) | **${value(paced.wholeWindowSharePaced)}** (of ${paced.pausesAfterSettling}) |
| decode step, first → last quarter (ms) | ${awaited.decodeStepMsFirstQuarter} → ${awaited.decodeStepMsLastQuarter} (**growth ${value(awaited.decodeStepGrowth)}**) | – |
| context decoded at, first → last quarter (tokens) | ${awaited.contextFirstQuarter} → ${awaited.contextLastQuarter} (node-llama-cpp alone: growth **${result.decodeStepGrowthAlone}**) | – |

- The whole window is ${awaited.wholeWindowPromptTokens || '–'} tokens here.
- Decode while typing: server ${decodeWhileTyping.serverStepMs} ms a step, node-llama-cpp alone ${decodeWhileTyping.aloneStepMs} ms at
  ${decodeWhileTyping.depth} tokens of context → **decodeRatio ${result.decodeRatio}** (${decodeWhileTyping.pairs.length > 0 ? `medians of ${decodeWhileTyping.pairs.length} pairs taken in turns: node-llama-cpp's line of steps after every ${pairEvery} whole-window requests, against those requests' mean step` : 'the awaited replay\'s p50 against node-llama-cpp after it'}; node-llama-cpp measured after the replay: ${decodeWhileTyping.aloneAfterReplayMs} ms).
- Reopened after a server restart: first line ${value(reopen.reopenFirstLineMs)} ms, whole window **${reopen.reopenWholeWindow}** (${reopen.reopenPromptTokens} prompt tokens, ${reopen.reopenEvaluated} evaluated).
- Warm-up throughput **${value(result.warmTokensPerSecond)} tokens/s** (whole chunks of the warm-up steps, evaluation time only; ${result.details.warmWindows} windows warmed whole) against
  llama-server's **${value(result.llamaServerPromptTokensPerSecond)} tokens/s** (${llamaServerPrompt ? `${llamaServerPrompt.tokens} tokens in one request, no cache, -t 1 -tb 1` : 'llama-server not available'}).`;
}
