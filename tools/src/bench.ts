// npm run bench [-- --quick] [--json FILE]: the real server over LSP with the bundled tiny pair, driven as the
// client drives it. Measures typing (KV reuse, latency, cancellations, staleness) and speculative decoding.
// Prints the numbers and writes them to docs/BENCHMARKS.md (and to FILE as JSON).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CompletionMetrics } from '../../common/protocol';
import { LspSession } from './lspSession';

const repoRoot = join(__dirname, '..', '..');
const serverPath = join(repoRoot, 'dist', 'server.js');
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'string' } } });
const quick = values.quick ?? false;

const percentile = (numbers: number[], p: number) => {
  if (numbers.length === 0) return 0;
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function session(settings: Record<string, unknown>): Promise<LspSession> {
  const lsp = await LspSession.start({ serverPath, settings: { threads: 1, logLevel: 'warn', ...settings } });
  const status = await lsp.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
  if (status.state === 'error') throw new Error(status.message);
  return lsp;
}

/** The target model's tokenizer (vocabulary only), to count what a keystroke changes in token terms. */
async function loadTokenizer(): Promise<(text: string) => number[]> {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf'), vocabOnly: true });
  return (text) => model.tokenize(text) as number[];
}

/** Tokens at the end of `after` that differ from `before`: the least a keystroke can cost to evaluate. */
function changedTailTokens(before: number[], after: number[]): number {
  let common = 0;
  while (common < before.length && common < after.length && before[common] === after[common]) common++;
  return after.length - common;
}

const position = (text: string, offset: number) => {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length - 1, character: lines.at(-1)!.length };
};

/**
 * A person re-typing lines of a real source file at a steady pace (one key every `keyMs`): each keystroke sends the
 * change and asks for a completion; a request still running when the next key comes is cancelled, as VS Code does.
 */
async function typingReplay(settings: Record<string, unknown>, keyMs: number, tokenize: (text: string) => number[]) {
  const lsp = await session(settings);
  const latencies: number[] = [];
  let typedTokens = 0;
  const source = readFileSync(join(repoRoot, 'test/fixtures/workspace/src/math.ts'), 'utf8');
  const targets = quick ? ['  return { x: a.x + b.x, y: a.y + b.y };'] : ['  return { x: a.x + b.x, y: a.y + b.y };', '  x: number;', 'export function scale(p: Point, factor: number): Point {'];
  const all: CompletionMetrics[] = [];
  let stale = 0;
  let lateDiscarded = 0;
  let keystrokes = 0;
  for (const [index, line] of targets.entries()) {
    const uri = `untitled:replay-${index}.ts`;
    const at = source.indexOf(line);
    let text = source.slice(0, at) + source.slice(at + line.length);
    let version = 1;
    await lsp.open(uri, 'typescript', text);
    const typeKey = async (typed: number) => {
      typedTokens += changedTailTokens(tokenize(text.slice(0, at + typed - 1)), tokenize(text.slice(0, at + typed)));
      text = text.slice(0, at + typed - 1) + line[typed - 1] + text.slice(at + typed - 1);
      await lsp.replaceText(uri, ++version, text);
      keystrokes++;
    };
    let applied = 0;
    for (let typed = 0; typed <= line.length; typed++) {
      if (typed > applied) {
        await typeKey(typed);
        applied = typed;
      }
      const requestVersion = version;
      const sent = performance.now();
      let firstLineAt: number | undefined;
      lsp.onFirstLine = () => (firstLineAt ??= performance.now());
      const pending = lsp.requestCompletion(uri, position(text, at + typed));
      void pending.result.then(
        (items) => {
          const shownAt = firstLineAt ?? (items.length > 0 ? performance.now() : undefined);
          if (shownAt !== undefined) latencies.push(shownAt - sent);
        },
        () => undefined,
      );
      const answered = await Promise.race([pending.result.then((items) => items), delay(keyMs).then(() => undefined)]);
      if (answered === undefined) {
        // As in VS Code: the keystroke's change reaches the server first, then the cancellation.
        if (typed < line.length) {
          await typeKey(typed + 1);
          applied = typed + 1;
        }
        pending.cancel();
      }
      const items = (await pending.result.catch(() => [])) ?? [];
      const metrics = await lsp.nextMetrics();
      all.push(metrics);
      // The client drops answers to cancelled requests and for older versions (client/src/serverClient.ts);
      // count what it drops, and anything it would still show for a document that has moved on.
      if (items.length > 0 && (answered === undefined || requestVersion !== version)) lateDiscarded++;
      if (items.length > 0 && answered !== undefined && requestVersion !== version) stale++;
    }
  }
  const peakRss = lsp.peakRssMiB();
  await lsp.stop();
  const followups = all.filter((m) => m.outcome !== 'cached' && m.outcome !== 'skipped' && m.promptTokens > 0).slice(1);
  const answered = all.filter((m) => m.outcome === 'served' || m.outcome === 'cached' || m.outcome === 'empty');
  const cancelled = all.filter((m) => m.cancelToIdleMs !== undefined);
  return {
    keystrokes,
    requests: all.length,
    served: all.filter((m) => m.outcome === 'served').length,
    fromCache: all.filter((m) => m.outcome === 'cached').length,
    cancelled: cancelled.length,
    keptGoing: all.filter((m) => m.reason === 'kept going').length,
    staleCompletions: stale,
    lateAnswersDiscardedByClient: lateDiscarded,
    promptTokensPerFollowupKeystroke: round(followups.reduce((sum, m) => sum + m.promptTokens - m.reusedPromptTokens, 0) / Math.max(1, followups.length)),
    typedTokensPerFollowupKeystroke: round(typedTokens / Math.max(1, keystrokes)),
    // Keystroke → first ghost line at the client: the streamed first line, or the answer when it came whole.
    firstLineMsP50: round(percentile(latencies, 50)),
    firstLineMsP95: round(percentile(latencies, 95)),
    completionMsP50: round(percentile(answered.map((m) => m.totalMs), 50)),
    completionMsP95: round(percentile(answered.map((m) => m.totalMs), 95)),
    cancelToIdleMsP95: round(percentile(cancelled.map((m) => m.cancelToIdleMs!), 95)),
    decodeStepMs: round(percentile(all.filter((m) => m.generatedTokens > 1).map((m) => m.decodeStepMs), 50), 3),
    peakRssMiB: peakRss === undefined ? null : round(peakRss, 1),
  };
}

/** Decode speed with each speculation mode, on code that repeats its context and on code that does not. */
async function decodeSpeed(speculation: string, repetitive: boolean) {
  const lsp = await session({ speculation, maxTokens: 96, maxLines: 100 });
  const runs = quick ? 3 : 8;
  let tokens = 0;
  let decodeMs = 0;
  let accepted = 0;
  let refuted = 0;
  for (let i = 0; i < runs; i++) {
    const fn = (name: string) => `export function ${name}${i}(a: Point, b: Point): Point {\n  return { x: a.x + b.x, y: a.y + b.y };\n}\n\n`;
    const text = repetitive
      ? `${fn('add')}${fn('sum')}${fn('plus')}export function total${i}(a: Point, b: Point): Point {\n  return { x: a.x`
      : `/**\n * Parses the options object number ${i}.\n */\nexport function parse${i}(input: string) {\n  const`;
    const uri = `untitled:speed-${speculation}-${repetitive}-${i}.ts`;
    await lsp.open(uri, 'typescript', text);
    await lsp.complete(uri, position(text, text.length));
    const metrics = await lsp.nextMetrics();
    if (metrics.generatedTokens > 1) {
      tokens += metrics.generatedTokens - 1;
      decodeMs += metrics.decodeStepMs * (metrics.generatedTokens - 1);
    }
    accepted += metrics.acceptedPredictions;
    refuted += metrics.refutedPredictions;
  }
  await lsp.stop();
  return { tokensPerSecond: round(decodeMs > 0 ? (tokens * 1000) / decodeMs : 0, 1), acceptance: round(accepted / Math.max(1, accepted + refuted), 3), accepted, refuted };
}

/** Runs `work` while another process spins on one core, as a busy machine would. */
async function whileBusy<T>(work: () => Promise<T>): Promise<T> {
  const spinner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  try {
    return await work();
  } finally {
    spinner.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const tokenize = await loadTokenizer();
  const typing = await typingReplay({}, 80, tokenize);
  const prefixFirst = await typingReplay({ fimOrder: 'psm' }, 80, tokenize);
  const busy = await whileBusy(() => typingReplay({}, 80, tokenize));
  const speed: Record<string, Record<string, Awaited<ReturnType<typeof decodeSpeed>>>> = {};
  for (const speculation of ['off', 'promptLookup', 'draft']) {
    speed[speculation] = { repetitive: await decodeSpeed(speculation, true), plain: await decodeSpeed(speculation, false) };
  }
  const result = {
    quick,
    model: 'tiny-code-target-q8_0 (+ tiny-code-draft-q8_0 for draft)',
    promptTokensPerFollowupKeystroke: typing.promptTokensPerFollowupKeystroke,
    typedTokensPerFollowupKeystroke: typing.typedTokensPerFollowupKeystroke,
    firstLineMsP50: typing.firstLineMsP50,
    speculativeSpeedup: round(speed.promptLookup!.repetitive.tokensPerSecond / Math.max(1e-9, speed.off!.repetitive.tokensPerSecond)),
    cancelToIdleMsP95: typing.cancelToIdleMsP95,
    decodeStepMs: typing.decodeStepMs,
    staleCompletions: typing.staleCompletions + prefixFirst.staleCompletions + busy.staleCompletions,
    typing: { suffixFirst: typing, prefixFirst, suffixFirstBusyMachine: busy },
    decodeSpeed: speed,
    seconds: round((Date.now() - started) / 1000, 1),
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(repoRoot, 'docs', 'BENCHMARKS.md'), renderMarkdown(result));
}

function renderMarkdown(result: Record<string, any>): string {
  const rows = (typing: Record<string, any>) =>
    ['keystrokes', 'requests', 'served', 'fromCache', 'cancelled', 'keptGoing', 'staleCompletions', 'lateAnswersDiscardedByClient', 'promptTokensPerFollowupKeystroke', 'typedTokensPerFollowupKeystroke', 'firstLineMsP50', 'firstLineMsP95', 'completionMsP50', 'completionMsP95', 'cancelToIdleMsP95', 'decodeStepMs', 'peakRssMiB']
      .map((key) => `| ${key} | ${result.typing.suffixFirst[key]} | ${typing[key]} | ${result.typing.suffixFirstBusyMachine[key]} |`)
      .join('\n');
  const speedRows = Object.entries(result.decodeSpeed as Record<string, any>)
    .map(([mode, r]) => `| ${mode} | ${r.repetitive.tokensPerSecond} | ${r.repetitive.acceptance} | ${r.plain.tokensPerSecond} | ${r.plain.acceptance} |`)
    .join('\n');
  return `# Benchmarks

Made by \`npm run bench${result.quick ? ' -- --quick' : ''}\` (tools/src/bench.ts) on ${new Date().toISOString().slice(0, 10)}, on this project's
2-core machine, with the bundled tiny models through the real server over LSP (1 thread). The file is rewritten by each run.

## Typing replay
Lines of \`test/fixtures/workspace/src/math.ts\` re-typed one key every 80 ms; a request per keystroke, cancelled
when the next key comes first.

| measure | suffix-first (default for the bundled model) | prefix-first | suffix-first, another process spinning on one core |
| --- | --- | --- | --- |
${rows(result.typing.prefixFirst)}

## Decode speed by speculation mode
Tokens per second after the first token (96-token completions); acceptance = accepted / (accepted + refuted)
proposed tokens.

| mode | repetitive code tok/s | acceptance | plain code tok/s | acceptance |
| --- | --- | --- | --- | --- |
${speedRows}

Speculative speedup on repetitive code (prompt lookup ÷ off): **${result.speculativeSpeedup}×**.

firstLineMs is keystroke → first ghost line at the client: the streamed first line of a multi-line completion
(hearth/firstLine), or the answer when it came whole. completionMs is the server's own time per request.

Not measured yet: a size-realistic (Qwen2.5-Coder-0.5B-shaped) model, keep-going on matching
keystrokes, each feature toggled off in turn (only the FIM order is).
`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
