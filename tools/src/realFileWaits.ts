// Every wait a person sees in a real file, counted: the paced replay's pauses (a pause is ≥ 600 ms without a
// keystroke: the first ghost line's time from the last keystroke, or nothing shown before the next one), the awaited
// replay's requests (each answered before the next key), a reopen after a server restart, and the warm-up's prompt
// throughput against llama-server's on the same model and thread count. Each figure beside what the prompt held.
import type { CompletionMetrics } from '../../common/protocol';
import { cursorRestMs } from '../../common/protocol';
import { type AwaitedReplayInput, type AwaitedStep, withoutBlock } from './awaitedReplay';
import { llamaServerBinary, startLlamaServer } from './llamaServer';
import { type Config, defaultPace, delay, percentile, position, request, round, session, Tally, type TypingPace } from './replay';

/** A pause is at least this long without a keystroke. */
export const pauseMs = 600;
/** The whole-window shares count from this long after the file was opened (the awaited replay: after it started). */
export const settleMs = 60_000;

/** Warm-up steps the server logs at debug level (server/src/model/windowWarmer.ts): whole chunks evaluated, and their time. */
const warmStepLine = /Warm step: (\d+) tokens of .* in whole chunks of (\d+), (\d+) ms evaluating/;
/** Whole windows warmed, as the server logs them. */
const warmDoneLine = /Warm: .*'s whole window \((\d+) tokens, (\d+) evaluated\)/;

/**
 * Collects the warm-up's prefill throughput from the server's log: the whole chunks each warm-up step evaluated over
 * the time they took (a step's last, shorter batch, and a few typed tokens caught up, are latency-bound and left out).
 */
export class WarmLog {
  evaluated = 0;
  ms = 0;
  windows = 0;
  readonly onLog = (line: string): void => {
    if (warmDoneLine.test(line)) this.windows++;
    const step = warmStepLine.exec(line);
    if (!step) return;
    this.evaluated += Number(step[1]);
    this.ms += Number(step[3]);
  };
  get tokensPerSecond(): number | null {
    return this.ms > 0 ? round((this.evaluated * 1000) / this.ms, 1) : null;
  }
}

export interface Pause {
  /** Seconds since the file was opened. */
  at: number;
  /** Keystroke → first ghost line, or null: nothing was shown before the next keystroke. */
  firstLineMs: number | null;
  promptTokens: number;
  wholeWindow: boolean;
  /** How long the pause lasted (ms), and how its request ended (served, empty, cancelled, ...). */
  pauseMs: number;
  outcome: string;
  /** The request's time in the server (ms), and the tokens it generated. */
  totalMs: number;
  generatedTokens: number;
  /** Prompt tokens it evaluated (not reused), and from the model taking it to its first token (ms): where the wait went. */
  evaluatedTokens: number;
  firstTokenMs: number | null;
}

/**
 * A person typing `block` into the file at its place, at `pace`, a request per keystroke (cancelled by the next key, as
 * VS Code does); the file is opened first and the cursor rests reported as the client reports them. Returns the pauses.
 */
export async function pacedReplay(config: Config, input: AwaitedReplayInput, pace: TypingPace = defaultPace): Promise<Pause[]> {
  const start = withoutBlock(input);
  const at = start.at;
  let text = start.text;
  const lsp = await session(config);
  const pauses: Pause[] = [];
  try {
    const uri = `untitled:paced.${input.extension}`;
    let version = 1;
    await lsp.open(uri, input.languageId, text);
    const opened = performance.now();
    await delay(cursorRestMs);
    await lsp.cursorRest(uri, version, position(text, at));
    const waits: Array<{ at: number; version: number; firstLineMs: number | null; pauseMs: number }> = [];
    const rests: Array<Promise<void>> = [];
    for (let typed = 1; typed <= input.block.length; typed++) {
      text = text.slice(0, at + typed - 1) + input.block[typed - 1] + text.slice(at + typed - 1);
      await lsp.replaceText(uri, ++version, text);
      const sent = performance.now();
      const tally = new Tally();
      const pending = request(lsp, tally, uri, position(text, at + typed));
      const char = input.block[typed - 1]!;
      const wait = typed === input.block.length || char === '\n' ? pace.lineEndMs : /[,{(]/.test(char) ? pace.pauseMs : pace.keyMs;
      const restVersion = version;
      const restAt = position(text, at + typed);
      if (wait >= cursorRestMs) rests.push(delay(cursorRestMs).then(() => (version === restVersion ? lsp.cursorRest(uri, restVersion, restAt) : undefined)));
      const answered = await Promise.race([pending.shown, delay(wait).then(() => undefined)]);
      // The next key comes when the pause is over, answered or not; an unanswered request is cancelled by it.
      if (answered === undefined) pending.pending.cancel();
      else await delay(Math.max(0, wait - (performance.now() - sent)));
      if (wait >= pauseMs) waits.push({ at: (sent - opened) / 1000, version, firstLineMs: answered !== undefined && tally.firstLineMs.length > 0 ? round(tally.firstLineMs[0]!, 1) : null, pauseMs: wait });
    }
    await Promise.all(rests);
    // Every request reports its figures once it has ended; matched to the pauses by document version.
    const byVersion = new Map<number, CompletionMetrics>();
    for (let i = 1; i <= input.block.length; i++) {
      const metrics = await lsp.nextMetrics();
      byVersion.set(metrics.version, metrics);
    }
    for (const wait of waits) {
      const metrics = byVersion.get(wait.version);
      pauses.push({
        at: wait.at,
        firstLineMs: wait.firstLineMs,
        promptTokens: metrics?.promptTokens ?? 0,
        wholeWindow: metrics?.fullPrompt === true,
        pauseMs: wait.pauseMs,
        outcome: metrics?.outcome ?? 'unknown',
        totalMs: round(metrics?.totalMs ?? 0, 1),
        generatedTokens: metrics?.generatedTokens ?? 0,
        evaluatedTokens: (metrics?.promptTokens ?? 0) - (metrics?.reusedPromptTokens ?? 0),
        firstTokenMs: metrics?.firstTokenMs === undefined ? null : round(metrics.firstTokenMs, 1),
      });
    }
  } finally {
    await lsp.stop();
  }
  return pauses;
}

export function summarizePauses(pauses: Pause[]) {
  const shown = pauses.flatMap((p) => (p.firstLineMs === null ? [] : [p.firstLineMs]));
  // Every pause counts: one that showed nothing waited the whole pause and more, so it sorts last.
  const waits = pauses.map((p) => p.firstLineMs ?? Number.POSITIVE_INFINITY);
  const settled = pauses.filter((p) => p.at * 1000 >= settleMs);
  const p = (q: number) => (waits.length === 0 ? null : Number.isFinite(percentile(waits, q)) ? round(percentile(waits, q), 1) : null);
  return {
    pauses: pauses.length,
    pausesShown: round(shown.length / Math.max(1, pauses.length)),
    // Why a pause showed nothing: the model answered nothing to show (random weights' first line is sometimes blank),
    // or the answer came after the next keystroke.
    pausesAnsweredEmpty: pauses.filter((p) => p.firstLineMs === null && p.outcome === 'empty').length,
    pausesTooLate: pauses.filter((p) => p.firstLineMs === null && p.outcome !== 'empty').length,
    pauseDetails: pauses.map((p) => ({ ...p, at: round(p.at, 1) })),
    pauseFirstLineMsP50: p(50),
    pauseFirstLineMsP95: p(95),
    pausePromptTokensP50: Math.round(percentile(pauses.map((x) => x.promptTokens), 50)),
    wholeWindowSharePaced: settled.length === 0 ? null : round(settled.filter((x) => x.wholeWindow).length / settled.length),
    pausesAfterSettling: settled.length,
  };
}

export function summarizeAwaited(steps: AwaitedStep[]) {
  const served = steps.filter((s) => s.metrics.outcome !== 'cached' && s.metrics.outcome !== 'skipped' && s.metrics.promptTokens > 0);
  const decoded = served.filter((s) => s.metrics.generatedTokens > 1);
  const quarter = Math.max(1, Math.floor(decoded.length / 4));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const [firstQuarter, lastQuarter] = [decoded.slice(0, quarter), decoded.slice(-quarter)];
  const first = mean(firstQuarter.map((s) => s.metrics.decodeStepMs));
  const last = mean(lastQuarter.map((s) => s.metrics.decodeStepMs));
  // The context each quarter decoded at (a step costs more at a longer context: node-llama-cpp alone is measured there).
  const firstContext = mean(firstQuarter.map((s) => s.metrics.promptTokens));
  const lastContext = mean(lastQuarter.map((s) => s.metrics.promptTokens));
  const settled = served.filter((s) => s.at * 1000 >= settleMs);
  const waits = steps.map((s) => s.firstLineMs ?? Number.POSITIVE_INFINITY);
  const p = (q: number) => (Number.isFinite(percentile(waits, q)) ? round(percentile(waits, q), 1) : null);
  return {
    keystrokes: steps.length - 1,
    seconds: round(steps.at(-1)?.at ?? 0, 1),
    firstLineMsP50: p(50),
    firstLineMsP95: p(95),
    shown: round(steps.filter((s) => s.firstLineMs !== undefined).length / Math.max(1, steps.length)),
    promptTokensP50: Math.round(percentile(served.map((s) => s.metrics.promptTokens), 50)),
    wholeWindowPromptTokens: Math.max(0, ...served.filter((s) => s.metrics.fullPrompt).map((s) => s.metrics.promptTokens)),
    decodeStepMsFirstQuarter: round(first, 1),
    decodeStepMsLastQuarter: round(last, 1),
    decodeStepGrowth: first > 0 ? round(last / first) : null,
    contextFirstQuarter: Math.round(firstContext),
    contextLastQuarter: Math.round(lastContext),
    wholeWindowShareAwaited: settled.length === 0 ? null : round(settled.filter((s) => s.metrics.fullPrompt).length / settled.length),
    requestsAfterSettling: settled.length,
  };
}

/** The file reopened in a restarted server: the first request's first line, and whether it held the whole window. */
export async function reopenAfterRestart(config: Config, input: AwaitedReplayInput) {
  const at = input.text.indexOf(input.block) + input.block.length;
  const lsp = await session(config);
  try {
    const uri = `untitled:awaited.${input.extension}`;
    await lsp.open(uri, input.languageId, input.text);
    const tally = new Tally();
    await request(lsp, tally, uri, position(input.text, at)).shown;
    const metrics = await lsp.nextMetrics();
    return { reopenFirstLineMs: tally.firstLineMs[0] === undefined ? null : round(tally.firstLineMs[0], 1), reopenWholeWindow: metrics.fullPrompt === true, reopenPromptTokens: metrics.promptTokens, reopenEvaluated: metrics.promptTokens - metrics.reusedPromptTokens };
  } finally {
    await lsp.stop();
  }
}

/**
 * llama-server's prompt throughput on the same model and thread count: the prompt evaluated in one request (its own
 * batching, no cache), as its `timings` report it. Null where llama-server cannot be built or started here.
 */
export async function llamaServerPromptSpeed(modelPath: string, promptTokens: number[]): Promise<{ tokensPerSecond: number; tokens: number } | null> {
  let binary: string;
  try {
    binary = llamaServerBinary();
  } catch {
    return null;
  }
  const server = await startLlamaServer(binary, { model: modelPath, slots: 1, contextSize: 4096 });
  try {
    const speeds: number[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.url}/completion`, { method: 'POST', body: JSON.stringify({ prompt: promptTokens, n_predict: 1, cache_prompt: false }) });
      const body = (await response.json()) as { timings?: { prompt_n: number; prompt_per_second: number } };
      if (body.timings) speeds.push(body.timings.prompt_per_second);
    }
    return speeds.length === 0 ? null : { tokensPerSecond: round(Math.max(...speeds), 1), tokens: promptTokens.length };
  } finally {
    await server.stop();
  }
}
