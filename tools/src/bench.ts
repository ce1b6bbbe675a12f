// npm run bench [-- --quick] [--json FILE] [--trace] [--remote-only|--real-file-only|--speculation-only|--instruct-only] (--trace prints every request's metrics to stderr): the real server over LSP, driven as the client drives it, with the bundled
// tiny pair (every feature on, then each switched off in turn) and with a model in the exact shape of
// Qwen2.5-Coder-0.5B (random weights, made here: tools/src/shapedModel.ts). Measures typing (KV reuse, latency,
// cancellations, staleness), accepting suggestions by typing them (cache, keep-going) and speculative decoding.
// Prints the numbers and writes them to docs/BENCHMARKS.md (and to FILE as JSON).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { realFileBenchmark, renderRealFile } from './realFileBench';
import { renderWindows, windowsBenchmark } from './windowsBench';
import { nextEditBenchmark, renderNextEdit } from './nextEditBench';
import { renderSpeculation, speculationBenchmark } from './speculationBench';
import {
  acceptanceReplay,
  type Config,
  defaultPace,
  loadTokenizer,
  percentile,
  position,
  type ReplayFile,
  replayOptions,
  round,
  session,
  Tally,
  tinyTarget,
  typingReplay,
} from './replay';
import { instructBenchmark, renderInstruct } from './instructBench';
import { remoteBenchmark, renderRemote } from './remoteBench';
import { writeReportSection } from './reportFile';
import { ensureShapedModel, qwen25Coder05bShape } from './shapedModel';

const repoRoot = join(__dirname, '..', '..');
const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, json: { type: 'string' }, trace: { type: 'boolean', default: false }, 'real-file-only': { type: 'boolean', default: false }, 'speculation-only': { type: 'boolean', default: false }, 'instruct-only': { type: 'boolean', default: false }, 'remote-only': { type: 'boolean', default: false }, 'windows-only': { type: 'boolean', default: false }, 'next-edit-only': { type: 'boolean', default: false } },
});
const quick = values.quick ?? false;
replayOptions.trace = values.trace ?? false;
const { keyMs, pauseMs } = defaultPace;

const source = readFileSync(join(repoRoot, 'test/fixtures/workspace/src/math.ts'), 'utf8');
const mathFile: ReplayFile = {
  text: source,
  languageId: 'typescript',
  extension: 'ts',
  lines: quick
    ? ['  return { x: a.x + b.x, y: a.y + b.y };']
    : ['  return { x: a.x + b.x, y: a.y + b.y };', '  x: number;', 'export function scale(p: Point, factor: number): Point {'],
};
const firstLineOnly = (file: ReplayFile): ReplayFile => ({ ...file, lines: file.lines.slice(0, 1) });

/** Decode speed on code that repeats its context and on code that does not. */
async function decodeSpeed(config: Config, repetitive: boolean, runs: number) {
  const lsp = await session({ ...config, settings: { maxTokens: 96, maxLines: 100, ...config.settings } });
  const tally = new Tally();
  // A server's first request pays once for what later ones find ready (the grammar compiled, the code warm: its decode
  // steps measured 5–9× slower here); with the three runs of --quick it would weigh on the mean. Run, not counted.
  const first = 'export function warm(a: number) {\n  return a';
  await lsp.open('untitled:speed-warm.ts', 'typescript', first);
  await lsp.complete('untitled:speed-warm.ts', position(first, first.length));
  await lsp.nextMetrics();
  for (let i = 0; i < runs; i++) {
    const fn = (name: string) => `export function ${name}${i}(a: Point, b: Point): Point {\n  return { x: a.x + b.x, y: a.y + b.y };\n}\n\n`;
    const text = repetitive
      ? `${fn('add')}${fn('sum')}${fn('plus')}export function total${i}(a: Point, b: Point): Point {\n  return { x: a.x`
      : `/**\n * Parses the options object number ${i}.\n */\nexport function parse${i}(input: string) {\n  const`;
    const uri = `untitled:speed-${repetitive}-${i}.ts`;
    await lsp.open(uri, 'typescript', text);
    await lsp.complete(uri, position(text, text.length));
    tally.metrics.push(await lsp.nextMetrics());
  }
  await lsp.stop();
  const { decodeTokensPerSecond, speculativeAcceptance, firstTokenMsP50 } = tally.summary(undefined);
  return { tokensPerSecond: decodeTokensPerSecond, acceptance: speculativeAcceptance, firstTokenMsP50 };
}

/**
 * The runtime's own limit: node-llama-cpp decoding greedily on one thread, with nothing of the server around it; and
 * what verifying a batch of proposed tokens costs in decode steps (the ceiling on any speculative speedup).
 */
async function runtimeDecode(modelPath: string, tokens: number) {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 1024, threads: 1 });
  const sequence = context.getSequence();
  const prompt = model.tokenize(source);
  const promptStart = performance.now();
  await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
  const promptMs = performance.now() - promptStart;
  const steps: number[] = [];
  let last = 0;
  for await (const _ of sequence.evaluate(prompt.slice(-1), { temperature: 0 })) {
    const now = performance.now();
    if (last > 0) steps.push(now - last); // decode steps only: the first token also paid for the prompt's last one
    last = now;
    if (steps.length >= tokens) break;
  }
  const stepMs = steps.reduce((a, b) => a + b, 0) / steps.length; // the mean, as the server reports it
  // A batch of 1 + k tokens, evaluated and erased again, as a verification of k proposed tokens is.
  const batchMs = async (size: number) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = sequence.nextTokenIndex;
      const t = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, size));
      times.push(performance.now() - t);
      await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
    }
    return percentile(times, 50);
  };
  const single = await batchMs(1);
  const verifyCostInSteps = { 3: round((await batchMs(3)) / single), 9: round((await batchMs(9)) / single) };
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return {
    promptTokensPerSecond: round(((prompt.length - 1) * 1000) / promptMs, 1),
    decodeTokensPerSecond: round(1000 / stepMs, 1),
    /** Cost of evaluating a batch of 3 or 9 tokens, in single-token steps: speculation pays only well below the size. */
    verifyCostInSteps,
  };
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

/** Each speed feature switched off in turn, against the same traces. */
const toggles: Record<string, Config> = {
  'all on': {},
  'KV reuse off': { disable: ['kvReuse'] },
  'speculation off': { settings: { speculation: 'off' } },
  'streaming off': { disable: ['streaming'] },
  'keep-going off': { disable: ['keepGoing'] },
  'cache off': { disable: ['cache'] },
  'prefix-first FIM order': { settings: { fimOrder: 'psm' } },
};

async function main(): Promise<void> {
  const started = Date.now();
  const tokenize = await loadTokenizer();
  const only = values['real-file-only'] ? ' --real-file-only' : values['speculation-only'] ? ' --speculation-only' : values['instruct-only'] ? ' --instruct-only' : values['remote-only'] ? ' --remote-only' : values['windows-only'] ? ' --windows-only' : values['next-edit-only'] ? ' --next-edit-only' : '';
  const command = `npm run bench${quick || only ? ' --' : ''}${quick ? ' --quick' : ''}${only}`;
  // A section alone: measured, written to docs/BENCHMARKS.md, printed and (--json) saved under its key.
  const sections = {
    'instruct-only': async () => ['instruct', await instructBenchmark(quick), renderInstruct],
    'next-edit-only': async () => ['nextEdit', await nextEditBenchmark(quick), renderNextEdit],
    'windows-only': async () => ['windows', await windowsBenchmark(quick), renderWindows],
    'remote-only': async () => ['remote', await remoteBenchmark(tokenize, mathFile, firstLineOnly(mathFile)), renderRemote],
  } as const satisfies Record<string, () => Promise<readonly [string, unknown, (result: never, command: string) => string]>>;
  for (const [flag, measure] of Object.entries(sections)) {
    if (!values[flag as keyof typeof sections]) continue;
    const [key, measured, render] = (await measure()) as readonly [string, unknown, (result: unknown, command: string) => string];
    writeReportSection(key, render(measured, command));
    const result = { quick, [key]: measured, seconds: round((Date.now() - started) / 1000, 1) };
    console.log(JSON.stringify(result, null, 2));
    if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  if (values['speculation-only']) {
    const speculation = await speculationBenchmark(quick);
    writeReportSection('speculation', renderSpeculation(speculation, command));
    const result = { quick, speculation: { ...speculation, details: undefined }, seconds: round((Date.now() - started) / 1000, 1) };
    console.log(JSON.stringify(result, null, 2));
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ ...result, speculation }, null, 2)}\n`);
    return;
  }
  const realFile = await realFileBenchmark(tokenize, quick);
  writeReportSection('realFile', renderRealFile(realFile, command));
  console.error(`real files done at ${Math.round((Date.now() - started) / 1000)} s`);
  if (values['real-file-only']) {
    const result = { quick, realFile, seconds: round((Date.now() - started) / 1000, 1) };
    console.log(JSON.stringify(result, null, 2));
    if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }

  const tiny: Record<string, { typing: Awaited<ReturnType<typeof typingReplay>>; accepting: Awaited<ReturnType<typeof acceptanceReplay>> }> = {};
  for (const [name, config] of Object.entries(toggles)) {
    tiny[name] = { typing: await typingReplay(config, tokenize, mathFile), accepting: await acceptanceReplay(config, mathFile) };
    console.error(`tiny, ${name}: done at ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const busy = await whileBusy(() => typingReplay({}, tokenize, mathFile));
  const busyFixedThreads = await whileBusy(() => typingReplay({ settings: { threads: 2 } }, tokenize, mathFile));

  const runs = quick ? 3 : 8;
  const speed: Record<string, { repetitive: Awaited<ReturnType<typeof decodeSpeed>>; plain: Awaited<ReturnType<typeof decodeSpeed>> }> = {};
  for (const speculation of ['off', 'promptLookup', 'draft']) {
    const config = { settings: { speculation } };
    speed[speculation] = { repetitive: await decodeSpeed(config, true, runs), plain: await decodeSpeed(config, false, runs) };
  }
  const tinyRuntime = await runtimeDecode(tinyTarget, 96);
  console.error(`tiny done at ${Math.round((Date.now() - started) / 1000)} s`);

  // The size-realistic model: its own typing replay (one line), decode speed, and the runtime's limit.
  const shapedPath = await ensureShapedModel();
  const shapedConfig = (settings: Record<string, unknown> = {}): Config => ({ settings: { modelPath: shapedPath, fimOrder: 'spm', maxTokens: 32, ...settings } });
  const shaped = {
    shape: qwen25Coder05bShape,
    typing: await typingReplay(shapedConfig(), tokenize, firstLineOnly(mathFile)),
    typingKvReuseOff: quick ? null : await typingReplay({ ...shapedConfig(), disable: ['kvReuse'] }, tokenize, firstLineOnly(mathFile)),
    // A slow model is where keep-going shows: the first line streams while the rest is still being written.
    accepting: await acceptanceReplay(shapedConfig(), firstLineOnly(mathFile)),
    acceptingKeepGoingOff: await acceptanceReplay({ ...shapedConfig(), disable: ['keepGoing'] }, firstLineOnly(mathFile)),
    decode: {
      off: await decodeSpeed(shapedConfig({ speculation: 'off', maxTokens: 32 }), true, 2),
      promptLookup: await decodeSpeed(shapedConfig({ speculation: 'promptLookup', maxTokens: 32 }), true, 2),
    },
    runtime: await runtimeDecode(shapedPath, 32),
  };
  console.error(`shaped model done at ${Math.round((Date.now() - started) / 1000)} s`);

  const all = tiny['all on']!.typing;
  const result = {
    quick,
    model: 'tiny-code-target-q8_0 (+ tiny-code-draft-q8_0 for draft)',
    promptTokensPerFollowupKeystroke: all.promptTokensPerFollowupKeystroke,
    typedTokensPerFollowupKeystroke: all.typedTokensPerFollowupKeystroke,
    firstLineMsP50: all.firstLineMsP50,
    speculativeSpeedup: round(speed.promptLookup!.repetitive.tokensPerSecond / Math.max(1e-9, speed.off!.repetitive.tokensPerSecond)),
    cancelToIdleMsP95: all.cancelToIdleMsP95,
    decodeStepMs: all.decodeStepMs,
    staleCompletions: [...Object.values(tiny).flatMap((r) => [r.typing, r.accepting]), busy, busyFixedThreads, shaped.typing, shaped.accepting].reduce((sum, r) => sum + r.staleCompletions, 0),
    tiny: { features: tiny, busyMachine: { autoThreads: busy, twoThreads: busyFixedThreads }, decodeSpeed: speed, runtime: tinyRuntime },
    qwen25Coder05bShaped: shaped,
    realFile,
    speculation: await speculationBenchmark(quick).then((speculation) => {
      writeReportSection('speculation', renderSpeculation(speculation, command));
      return speculation;
    }),
    instruct: await instructBenchmark(quick).then((instruct) => {
      writeReportSection('instruct', renderInstruct(instruct, command));
      return instruct;
    }),
    remote: await remoteBenchmark(tokenize, mathFile, firstLineOnly(mathFile), quick ? [1, 2] : [1, 2, 4]).then((remote) => {
      writeReportSection('remote', renderRemote(remote, command));
      return remote;
    }),
    seconds: round((Date.now() - started) / 1000, 1),
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  writeReportSection('speed', renderMarkdown(result));
}

type Summary = ReturnType<Tally['summary']>;

function table(columns: Record<string, Summary | null>, keys: (keyof Summary)[]): string {
  const names = Object.keys(columns);
  return [
    `| measure | ${names.join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    ...keys.map((key) => `| ${key} | ${names.map((name) => columns[name]?.[key] ?? '–').join(' | ')} |`),
  ].join('\n');
}

const typingKeys: (keyof Summary)[] = ['keystrokes', 'requests', 'served', 'fromCache', 'cancelled', 'keptGoing', 'staleCompletions', 'lateAnswersDiscardedByClient', 'promptTokensPerFollowupKeystroke', 'typedTokensPerFollowupKeystroke', 'firstLineMsP50', 'firstLineMsP95', 'firstTokenMsP50', 'completionMsP50', 'completionMsP95', 'cancelToIdleMsP95', 'decodeStepMs', 'decodeTokensPerSecond', 'speculativeAcceptance', 'peakRssMiB'];
const acceptingKeys: (keyof Summary)[] = ['keystrokes', 'requests', 'served', 'fromCache', 'cancelled', 'keptGoing', 'staleCompletions', 'firstLineMsP50', 'firstLineMsP95', 'completionMsP50', 'promptTokensPerFollowupKeystroke'];

function renderMarkdown(result: Record<string, any>): string {
  const features = result.tiny.features as Record<string, { typing: Summary; accepting: Summary }>;
  const pick = (part: 'typing' | 'accepting') => Object.fromEntries(Object.entries(features).map(([name, r]) => [name, r[part]]));
  const speedRows = Object.entries(result.tiny.decodeSpeed as Record<string, any>)
    .map(([mode, r]) => `| ${mode} | ${r.repetitive.tokensPerSecond} | ${r.repetitive.acceptance} | ${r.plain.tokensPerSecond} | ${r.plain.acceptance} |`)
    .join('\n');
  const shaped = result.qwen25Coder05bShaped;
  return `## Speed (typing replay, speculation, Qwen2.5-Coder-0.5B-shaped model)

Made by \`npm run bench${result.quick ? ' -- --quick' : ''}\` (tools/src/bench.ts) on ${new Date().toISOString().slice(0, 10)}, on this project's
2-core machine, through the real server over LSP (1 thread unless said), in ${result.seconds} s. The file is rewritten by each run.

### Typing replay, tiny pair, each feature switched off in turn
Lines of \`test/fixtures/workspace/src/math.ts\` re-typed one key every ${keyMs} ms, pausing ${pauseMs} ms after a comma or an
opening bracket and up to 2 s at the end of a line; a request per keystroke, cancelled when the next key comes first. Features are switched off with \`HEARTH_DISABLE\` (server/src/features.ts) or a setting.

${table(pick('typing'), typingKeys)}

### Accepting suggestions by typing them, tiny pair
At the start of each replayed line, the suggestion's first line is typed key by key as soon as it shows (up to 24
keys, one every ${keyMs} ms), a request per keystroke: the completion cache serves what was typed through; keep-going
lets a generation go on when the keystroke matches what the model is writing.

${table(pick('accepting'), acceptingKeys)}

### Busy machine (another process spinning on one core)

${table({ 'auto threads (fitted to load)': result.tiny.busyMachine.autoThreads, 'threads: 2 (fixed)': result.tiny.busyMachine.twoThreads }, typingKeys)}

### Decode speed by speculation mode, tiny pair
Tokens per second after the first token (96-token completions); acceptance = accepted / (accepted + refuted)
proposed tokens.

| mode | repetitive code tok/s | acceptance | plain code tok/s | acceptance |
| --- | --- | --- | --- | --- |
${speedRows}

Speculative speedup on repetitive code (prompt lookup ÷ off): **${result.speculativeSpeedup}×**.
node-llama-cpp alone (no server), 1 thread: decode ${result.tiny.runtime.decodeTokensPerSecond} tok/s, prompt ${result.tiny.runtime.promptTokensPerSecond} tok/s.
Verifying proposals costs, in single-token decode steps: a batch of 3 tokens ${result.tiny.runtime.verifyCostInSteps[3]}, of 9 tokens ${result.tiny.runtime.verifyCostInSteps[9]}
(speculation can only pay where a batch costs well under its size in steps).

### Qwen2.5-Coder-0.5B-shaped model (random weights, Q8_0, ${shaped.shape.layers} layers, width ${shaped.shape.width}, vocabulary ${shaped.shape.vocabulary})
Made by \`node out/tools/makeShapedModel.js\` (the benchmark makes it in \`.cache/\` when missing): the real model's
speed, not its text.

${table({ 'typing, all on': shaped.typing, 'typing, KV reuse off': shaped.typingKvReuseOff }, typingKeys)}

Accepting a suggestion by typing it (as above, one line):

${table({ 'all on': shaped.accepting, 'keep-going off': shaped.acceptingKeepGoingOff }, acceptingKeys)}

| | decode tok/s | acceptance | first token ms (p50) |
| --- | --- | --- | --- |
| server, speculation off | ${shaped.decode.off.tokensPerSecond} | – | ${shaped.decode.off.firstTokenMsP50} |
| server, prompt lookup | ${shaped.decode.promptLookup.tokensPerSecond} | ${shaped.decode.promptLookup.acceptance} | ${shaped.decode.promptLookup.firstTokenMsP50} |
| node-llama-cpp alone (the runtime's limit) | ${shaped.runtime.decodeTokensPerSecond} | – | – |

Prompt evaluation, node-llama-cpp alone: ${shaped.runtime.promptTokensPerSecond} tok/s. Verifying proposals costs, in decode steps: a batch of
3 tokens ${shaped.runtime.verifyCostInSteps[3]}, of 9 tokens ${shaped.runtime.verifyCostInSteps[9]}.

firstLineMs is keystroke → first ghost line at the client: the streamed first line of a multi-line completion
(hearth/firstLine), or the answer when it came whole. firstTokenMs is from the model taking the request to its first
token. completionMs is the server's own time per request.
`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
