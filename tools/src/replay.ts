// The typing replays the benchmarks drive the real server with, over LSP as the client drives it: a person re-typing
// lines of a source file (a request per keystroke, cancelled when the next key comes first) or accepting suggestions
// by typing them, and the tally of what the server reported and what the client saw.
import { join } from 'node:path';
import type { CompletionMetrics } from '../../common/protocol';
import { LspSession } from './lspSession';

const repoRoot = join(__dirname, '..', '..');
const serverPath = join(repoRoot, 'dist', 'server.js');
export const tinyTarget = join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf');
export const replayOptions = { trace: false };

/** One key every `keyMs`, pausing `pauseMs` after a comma or an opening bracket and `lineEndMs` at the end of a line. */
export interface TypingPace {
  keyMs: number;
  pauseMs: number;
  lineEndMs: number;
}
export const defaultPace: TypingPace = { keyMs: 80, pauseMs: 600, lineEndMs: 2_000 };
export const keyMs = defaultPace.keyMs;

export const percentile = (numbers: number[], p: number) => {
  if (numbers.length === 0) return 0;
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
export const round = (value: number, digits = 2) => Number(value.toFixed(digits));
export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One server configuration: settings as the client would send them, and features switched off (HEARTH_DISABLE). */
export interface Config {
  settings?: Record<string, unknown>;
  disable?: string[];
  /** Receives the server's log lines (raise `logLevel` in settings to see more). */
  onLog?: (line: string) => void;
  /** Where the server keeps evaluated windows between sessions (none by default). */
  windowCacheDir?: string;
  /** More environment for the server (XDG_RUNTIME_DIR: where a shared engine's socket goes). */
  env?: Record<string, string>;
}

export async function session(config: Config): Promise<LspSession> {
  const lsp = await LspSession.start({
    serverPath,
    settings: { threads: 1, logLevel: 'warn', ...config.settings },
    env: { ...config.env, ...(config.disable?.length ? { HEARTH_DISABLE: config.disable.join(',') } : {}) },
    onLog: config.onLog,
    windowCacheDir: config.windowCacheDir,
  });
  // A remote engine named in a benchmark's settings is agreed to: nothing but the bench's own file is sent there.
  const remote = config.settings?.engine === 'remote' ? (config.settings.remote as { url: string }) : undefined;
  if (remote) await lsp.remoteAccess({ url: remote.url, consented: true });
  const status = await lsp.waitForStatus((s) => s.state === 'ready' || (s.state === 'error' && !/Waiting for your agreement/.test(s.message)), 120_000);
  if (status.state === 'error') throw new Error(status.message);
  return lsp;
}

/** The target model's tokenizer (vocabulary only), to count what a keystroke changes in token terms. */
export async function loadTokenizer(): Promise<(text: string) => number[]> {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: tinyTarget, vocabOnly: true });
  return (text) => model.tokenize(text) as number[];
}

/** Tokens at the end of `after` that differ from `before`: the least a keystroke can cost to evaluate. */
export function changedTailTokens(before: number[], after: number[]): number {
  let common = 0;
  while (common < before.length && common < after.length && before[common] === after[common]) common++;
  return after.length - common;
}

export const position = (text: string, offset: number) => {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length - 1, character: lines.at(-1)!.length };
};

/** A source file the replays type into: lines of it are emptied and typed again. */
export interface ReplayFile {
  text: string;
  languageId: string;
  /** File name extension for the untitled documents the replays open. */
  extension: string;
  lines: string[];
}

/** The source file with one of its lines emptied, and where that line starts: where the replay types it again. */
export function sourceWithout(file: ReplayFile, line: string): { at: number; text: string } {
  const at = file.text.indexOf(line);
  if (at < 0) throw new Error(`replay line not in the file: ${line}`);
  return { at, text: file.text.slice(0, at) + file.text.slice(at + line.length) };
}

/** Everything the server reported, plus what the client side saw. */
export class Tally {
  readonly metrics: CompletionMetrics[] = [];
  readonly firstLineMs: number[] = [];
  /** The first request in each newly opened document, when the replay awaits it (kept out of the figures above). */
  readonly coldFirstLineMs: number[] = [];
  readonly coldMetrics: CompletionMetrics[] = [];
  stale = 0;
  lateDiscarded = 0;
  keystrokes = 0;
  typedTokens = 0;

  summary(peakRss: number | undefined) {
    const all = this.metrics;
    if (replayOptions.trace) for (const m of all) console.error(JSON.stringify(m));
    const followups = all.filter((m) => m.outcome !== 'cached' && m.outcome !== 'skipped' && m.promptTokens > 0).slice(1);
    const answered = all.filter((m) => m.outcome === 'served' || m.outcome === 'cached' || m.outcome === 'empty');
    const cancelled = all.filter((m) => m.cancelToIdleMs !== undefined);
    const generated = all.filter((m) => m.generatedTokens > 1);
    const decodeTokens = generated.reduce((sum, m) => sum + m.generatedTokens - 1, 0);
    const decodeMs = generated.reduce((sum, m) => sum + m.decodeStepMs * (m.generatedTokens - 1), 0);
    const accepted = all.reduce((sum, m) => sum + m.acceptedPredictions, 0);
    const refuted = all.reduce((sum, m) => sum + m.refutedPredictions, 0);
    return {
      keystrokes: this.keystrokes,
      requests: all.length,
      served: all.filter((m) => m.outcome === 'served').length,
      fromCache: all.filter((m) => m.outcome === 'cached').length,
      cancelled: all.filter((m) => m.outcome === 'cancelled').length,
      keptGoing: all.filter((m) => m.reason === 'kept going').length,
      staleCompletions: this.stale,
      lateAnswersDiscardedByClient: this.lateDiscarded,
      promptTokensPerFollowupKeystroke: round(followups.reduce((sum, m) => sum + m.promptTokens - m.reusedPromptTokens, 0) / Math.max(1, followups.length)),
      typedTokensPerFollowupKeystroke: round(this.typedTokens / Math.max(1, this.keystrokes)),
      // Keystroke → first ghost line at the client: the streamed first line, or the answer when it came whole.
      firstLineMsP50: round(percentile(this.firstLineMs, 50)),
      firstLineMsP95: round(percentile(this.firstLineMs, 95)),
      firstTokenMsP50: round(percentile(all.flatMap((m) => (m.firstTokenMs === undefined ? [] : [m.firstTokenMs])), 50)),
      completionMsP50: round(percentile(answered.map((m) => m.totalMs), 50)),
      completionMsP95: round(percentile(answered.map((m) => m.totalMs), 95)),
      cancelToIdleMsP95: round(percentile(cancelled.map((m) => m.cancelToIdleMs!), 95)),
      decodeStepMs: round(percentile(generated.map((m) => m.decodeStepMs), 50), 3),
      decodeTokensPerSecond: round(decodeMs > 0 ? (decodeTokens * 1000) / decodeMs : 0, 1),
      speculativeAcceptance: round(accepted / Math.max(1, accepted + refuted), 3),
      peakRssMiB: peakRss === undefined ? null : round(peakRss, 1),
    };
  }
}

/** Sends one request and records when its first ghost line would show at the client. */
export function request(lsp: LspSession, tally: Tally, uri: string, at: { line: number; character: number }) {
  const sent = performance.now();
  let firstLine: { at: number; text: string } | undefined;
  lsp.onFirstLine = (message) => (firstLine ??= { at: performance.now(), text: message.text });
  const pending = lsp.requestCompletion(uri, at);
  const shown = pending.result.then(
    (items) => {
      const shownAt = firstLine?.at ?? (items.length > 0 ? performance.now() : undefined);
      if (shownAt !== undefined) tally.firstLineMs.push(shownAt - sent);
      return items;
    },
    () => [] as string[],
  );
  /** The first line shown: streamed, or the answer's, or undefined when there was nothing (yet). */
  const firstShownLine = async (timeoutMs: number): Promise<string | undefined> => {
    const items = await Promise.race([shown, delay(timeoutMs).then(() => undefined)]);
    return firstLine?.text ?? items?.[0]?.split('\n')[0];
  };
  return { pending, shown, firstShownLine };
}

/**
 * A person re-typing lines of a real source file (one key every `keyMs`, pausing `pauseMs` after a comma or an
 * opening bracket and at the end of a line): each keystroke sends the change and asks for a completion; a request
 * still running when the next key comes is cancelled, as VS Code does.
 */
export async function typingReplay(...args: Parameters<typeof typingTally>) {
  const { tally, peak } = await typingTally(...args);
  return tally.summary(peak);
}

/** The typing replay's tally itself, for callers that need every request's figures. */
export async function typingTally(
  config: Config,
  tokenize: (text: string) => number[],
  file: ReplayFile,
  { pace = defaultPace, awaitFirst = false }: { pace?: TypingPace; /** Await the first request in each newly opened document (the cold one) before typing. */ awaitFirst?: boolean } = {},
) {
  const lsp = await session(config);
  const tally = new Tally();
  for (const [index, line] of file.lines.entries()) {
    const uri = `untitled:replay-${index}.${file.extension}`;
    const { at, text: withoutLine } = sourceWithout(file, line);
    let text = withoutLine;
    let version = 1;
    await lsp.open(uri, file.languageId, text);
    const typeKey = async (typed: number) => {
      tally.typedTokens += changedTailTokens(tokenize(text.slice(0, at + typed - 1)), tokenize(text.slice(0, at + typed)));
      text = text.slice(0, at + typed - 1) + line[typed - 1] + text.slice(at + typed - 1);
      await lsp.replaceText(uri, ++version, text);
      tally.keystrokes++;
    };
    let applied = 0;
    for (let typed = 0; typed <= line.length; typed++) {
      if (typed === 0 && awaitFirst) {
        const cold = new Tally();
        await request(lsp, cold, uri, position(text, at)).shown;
        tally.coldFirstLineMs.push(...cold.firstLineMs);
        tally.coldMetrics.push(await lsp.nextMetrics());
        continue;
      }
      if (typed > applied) {
        await typeKey(typed);
        applied = typed;
      }
      const requestVersion = version;
      const { pending, shown } = request(lsp, tally, uri, position(text, at + typed));
      // A person pauses after a comma or an opening brace, and at the end of the line: the request may finish then.
      const pause = typed === line.length ? pace.lineEndMs : /[,{(]$/.test(line.slice(0, typed)) ? pace.pauseMs : pace.keyMs;
      const answered = await Promise.race([shown, delay(pause).then(() => undefined)]);
      if (answered === undefined) {
        // As in VS Code: the keystroke's change reaches the server first, then the cancellation.
        if (typed < line.length) {
          await typeKey(typed + 1);
          applied = typed + 1;
        }
        pending.cancel();
      }
      const items = await shown;
      tally.metrics.push(await lsp.nextMetrics());
      // The client drops answers to cancelled requests and for older versions (client/src/serverClient.ts);
      // count what it drops, and anything it would still show for a document that has moved on.
      if (items.length > 0 && (answered === undefined || requestVersion !== version)) tally.lateDiscarded++;
      if (items.length > 0 && answered !== undefined && requestVersion !== version) tally.stale++;
    }
  }
  const peak = lsp.peakRssMiB();
  await lsp.stop();
  return { tally, peak };
}

/**
 * A person accepting suggestions by typing them: at the start of each replayed line the suggestion's first line is
 * read as soon as it shows, then typed one key every `keyMs` (up to 24 keys), a request per keystroke. Typed-through
 * requests are what the completion cache serves; a keystroke that arrives while the model is still writing the rest
 * is what keep-going lets go on.
 */
export async function acceptanceReplay(config: Config, file: ReplayFile) {
  const lsp = await session({ ...config, settings: { maxLines: 8, ...config.settings } });
  const tally = new Tally();
  for (const [index, line] of file.lines.entries()) {
    const uri = `untitled:accept-${index}.${file.extension}`;
    const { at, text: withoutLine } = sourceWithout(file, line);
    let text = withoutLine;
    let version = 1;
    await lsp.open(uri, file.languageId, text);
    let offset = at;
    let current = request(lsp, tally, uri, position(text, offset));
    let sent = 1;
    const suggestion = (await current.firstShownLine(10_000)) ?? '';
    for (const char of suggestion.slice(0, 24)) {
      text = text.slice(0, offset) + char + text.slice(offset);
      offset++;
      await lsp.replaceText(uri, ++version, text);
      tally.keystrokes++;
      current.pending.cancel(); // VS Code cancels the request the keystroke overtook (a no-op once answered)
      current = request(lsp, tally, uri, position(text, offset));
      sent++;
      await Promise.race([current.shown, delay(keyMs)]);
    }
    await current.shown;
    for (let i = 0; i < sent; i++) tally.metrics.push(await lsp.nextMetrics());
  }
  const peak = lsp.peakRssMiB();
  await lsp.stop();
  return tally.summary(peak);
}

