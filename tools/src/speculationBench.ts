// Speculative decoding where a decode step costs what a real model's does: the tiny target embedded in the
// Qwen2.5-Coder-0.5B shape (tools/src/embeddedModel.ts: the tiny pair's acceptance, the 0.5B's price per token), one
// thread, through the real server as users get it (the load-time cost check on): decode speed with speculation off,
// with the draft, with prompt lookup and with auto (the per-document gate choosing), on plain code and on repetitive
// edits, each a document where the user takes the suggestion's first line and asks again; acceptance, mean accepted
// length, what the gate chose; whether every mode completes exactly as plain decoding; what verifying a batch costs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompletionMetrics } from '../../common/protocol';
import { embeddedModelFacts, ensureEmbeddedModel, tinyTargetPath } from './embeddedModel';
import { type Config, position, round, session, Tally } from './replay';

const repoRoot = join(__dirname, '..', '..');
const draftPath = join(repoRoot, 'models', 'tiny-code-draft-q8_0.gguf');

/** Prompts that end where a completion starts: plain code, and three kinds of repetitive edit. */
const scenarios: Record<'plain' | 'repetitive', Array<{ name: string; text: string }>> = {
  plain: [
    { name: 'doc comment', text: '/**\n * Parses the options object and returns the settings it names.\n */\nexport function parseOptions(input: string) {\n  const' },
    { name: 'class body', text: 'export class Stack<T> {\n  private readonly items: T[] = [];\n\n  push(item: T): void {\n' },
    { name: 'python', text: 'def read_config(path):\n    """Reads the configuration file at path."""\n    with open(path) as f:\n' },
  ],
  repetitive: [
    {
      name: 'renaming',
      text: 'function area(shape: Shape): number {\n  const width = shape.width;\n  const height = shape.height;\n  return width * height;\n}\n\nfunction perimeter(shape: Shape): number {\n  const width = shape.width;\n  const height = shape.height;\n  return 2 * (width + height);\n}\n\nfunction diagonal(shape: Shape): number {\n  const width = shape.',
    },
    {
      name: 'repeated call',
      text: "router.get('/users', listUsers);\nrouter.get('/users/:id', getUser);\nrouter.post('/users', createUser);\nrouter.put('/users/:id', updateUser);\nrouter.delete('/users/:id', deleteUser);\nrouter.get('/orders', listOrders);\nrouter.get('/orders/:id', getOrder);\nrouter.post('/orders', createOrder);\nrouter.",
    },
    {
      name: 'test table',
      text: "const cases = [\n  { input: 'a', expected: 'A' },\n  { input: 'b', expected: 'B' },\n  { input: 'c', expected: 'C' },\n  { input: 'd', expected: 'D' },\n  { input: 'e', expected: 'E' },\n  { input: '",
    },
  ],
};

type Mode = 'off' | 'draft' | 'promptLookup' | 'auto';
const modes: Mode[] = ['off', 'draft', 'promptLookup', 'auto'];
type Kind = 'plain' | 'repetitive';
/** Requests per scenario document: auto measures lookup, the draft and plain decoding once each, then keeps the fastest. */
const requestsPerDocument = 5;

interface ModeResult {
  tokensPerSecond: number;
  acceptance: number;
  /** Proposed tokens accepted per proposal verified. */
  meanAcceptedLength: number;
  acceptedPerRequest: number;
  speculatedRequests: number;
  /** How requests decoded (the gate's choice); `none` where the load-time check switched speculation off. */
  chosen: Record<string, number>;
  texts: string[];
  /** Per request, how it decoded (as `chosen`). */
  modes: string[];
}

/** Where the user takes a suggestion: its first line (all of it when it has one), the line ended. */
function takeFirstLine(text: string): string {
  const newline = text.indexOf('\n');
  return `${newline >= 0 ? text.slice(0, newline) : text}\n`;
}

/**
 * One server per mode; each scenario a document completed `requestsPerDocument` times, the user taking the first
 * line each time, greedy, 32 tokens at most.
 */
async function measureMode(modelPath: string, mode: Mode, kind: Kind): Promise<ModeResult> {
  const config: Config = {
    settings: { modelPath, draftModelPath: draftPath, speculation: mode, maxTokens: 32, maxLines: 100 },
    disable: ['cache'],
  };
  const lsp = await session(config);
  const metrics: CompletionMetrics[] = [];
  const texts: string[] = [];
  const modes: string[] = [];
  try {
    for (const [i, scenario] of scenarios[kind].entries()) {
      const uri = `untitled:spec-${kind}-${i}.${scenario.name === 'python' ? 'py' : 'ts'}`;
      let text = scenario.text;
      // Opened as a language without a grammar: the syntax stage would keep some of these to one line.
      await lsp.open(uri, 'ruby', text);
      for (let request = 1; request <= requestsPerDocument; request++) {
        const [completion = ''] = await lsp.complete(uri, position(text, text.length));
        const m = await lsp.nextMetrics();
        metrics.push(m);
        texts.push(completion);
        modes.push(m.speculationMode ?? 'none');
        text += takeFirstLine(completion);
        await lsp.replaceText(uri, request + 1, text);
      }
    }
  } finally {
    await lsp.stop();
  }
  const tally = new Tally();
  tally.metrics.push(...metrics);
  const { decodeTokensPerSecond, speculativeAcceptance } = tally.summary(undefined);
  const accepted = metrics.reduce((sum, m) => sum + m.acceptedPredictions, 0);
  const proposals = metrics.reduce((sum, m) => sum + (m.proposals ?? 0), 0);
  const chosen: Record<string, number> = {};
  for (const m of metrics) chosen[m.speculationMode ?? 'none'] = (chosen[m.speculationMode ?? 'none'] ?? 0) + 1;
  return {
    tokensPerSecond: decodeTokensPerSecond,
    acceptance: speculativeAcceptance,
    meanAcceptedLength: round(accepted / Math.max(1, proposals), 2),
    acceptedPerRequest: round(accepted / Math.max(1, metrics.length), 2),
    speculatedRequests: metrics.filter((m) => m.acceptedPredictions + m.refutedPredictions > 0).length,
    chosen,
    texts,
    modes,
  };
}

/** Two measurements of one configuration as one: speeds averaged, counts added; texts must agree between them. */
function mergeResults(a: ModeResult, b: ModeResult): ModeResult {
  const chosen = { ...a.chosen };
  for (const [mode, count] of Object.entries(b.chosen)) chosen[mode] = (chosen[mode] ?? 0) + count;
  return {
    tokensPerSecond: round((a.tokensPerSecond + b.tokensPerSecond) / 2, 1),
    acceptance: round((a.acceptance + b.acceptance) / 2, 3),
    meanAcceptedLength: round((a.meanAcceptedLength + b.meanAcceptedLength) / 2, 2),
    acceptedPerRequest: round((a.acceptedPerRequest + b.acceptedPerRequest) / 2, 2),
    speculatedRequests: a.speculatedRequests + b.speculatedRequests,
    chosen,
    texts: a.texts.map((text, i) => (text === b.texts[i] ? text : `${text} ≠ ${b.texts[i]}`)),
    // A request counts as speculative if it was in either measurement.
    modes: a.modes.map((mode, i) => (mode === 'off' || mode === 'none' ? b.modes[i]! : mode)),
  };
}

/** Greedy continuations of the tiny target and of the embedded model on `count` prompts cut from a real file. */
async function greedyAgreement(modelPath: string, count: number, tokens: number) {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const tokenizer = await llama.loadModel({ modelPath: tinyTargetPath, vocabOnly: true });
  const source = tokenizer.tokenize(readFileSync(join(repoRoot, 'test', 'fixtures', 'realFiles', 'format.ts'), 'utf8'));
  const prompts = Array.from({ length: count }, (_, i) => source.slice(i * 37, i * 37 + 40 + (i % 5) * 20));
  const greedy = async (path: string) => {
    const model = await llama.loadModel({ modelPath: path });
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    const sequence = context.getSequence();
    const outputs: string[] = [];
    for (const prompt of prompts) {
      await sequence.clearHistory();
      const out: number[] = [];
      for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
        out.push(token);
        if (out.length >= tokens) break;
      }
      outputs.push(out.join(','));
    }
    await context.dispose();
    await model.dispose();
    return outputs;
  };
  const tiny = await greedy(tinyTargetPath);
  const embedded = await greedy(modelPath);
  await llama.dispose();
  return { prompts: count, tokensEach: tokens, identical: tiny.filter((out, i) => out === embedded[i]).length };
}

/** What evaluating a batch of 1 + k tokens costs, in single-token decode steps (the fastest of three tries each). */
async function verifyCost(modelPath: string) {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  const sequence = context.getSequence();
  const tokens = model.tokenize(scenarios.repetitive[0]!.text);
  await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 100));
  // Warm up first: this machine reclaims the pages of a model file left unread for a while.
  for (let i = 0; i < 3; i++) await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(100, 109)).then(() => sequence.eraseContextTokenRanges([{ start: 100, end: sequence.nextTokenIndex }]));
  const batch = async (size: number) => {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const start = sequence.nextTokenIndex;
      const t = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(100, 100 + size));
      best = Math.min(best, performance.now() - t);
      await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
    }
    return best;
  };
  const single = await batch(1);
  const cost: Record<number, number> = { 1: 1 };
  for (const size of [2, 3, 5, 9]) cost[size] = round((await batch(size)) / single);
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return { decodeStepMs: round(single, 1), batchCostInSteps: cost };
}

export async function speculationBenchmark(quick: boolean) {
  const modelPath = await ensureEmbeddedModel();
  const agreement = await greedyAgreement(modelPath, quick ? 20 : 50, 16);
  const cost = await verifyCost(modelPath);
  // Each mode twice, in forward then reverse order, merged: this machine's speed drifts over minutes.
  const rounds: Array<Map<Mode, Record<Kind, ModeResult>>> = [];
  for (const order of [modes, [...modes].reverse()]) {
    const measuredRound = new Map<Mode, Record<Kind, ModeResult>>();
    for (const mode of order) measuredRound.set(mode, { plain: await measureMode(modelPath, mode, 'plain'), repetitive: await measureMode(modelPath, mode, 'repetitive') });
    rounds.push(measuredRound);
  }
  const measured = {} as Record<Mode, Record<Kind, ModeResult>>;
  for (const mode of modes) {
    const [a, b] = rounds.map((r) => r.get(mode)!);
    measured[mode] = { plain: mergeResults(a!.plain, b!.plain), repetitive: mergeResults(a!.repetitive, b!.repetitive) };
  }
  const off = measured.off;
  const speedup = (mode: Mode, kind: Kind) => round(measured[mode][kind].tokensPerSecond / Math.max(1e-9, off[kind].tokensPerSecond));
  const ratios = modes.filter((mode) => mode !== 'off').flatMap((mode) => (['plain', 'repetitive'] as const).map((kind) => speedup(mode, kind)));
  const all = (mode: Mode) => [...measured[mode].plain.texts, ...measured[mode].repetitive.texts];
  const reference = all('off');
  const requestNames = [...scenarios.plain, ...scenarios.repetitive].flatMap((scenario) => Array.from({ length: requestsPerDocument }, (_, i) => `${scenario.name} #${i + 1}`));
  const differing = requestNames.filter((_, i) => modes.some((mode) => all(mode)[i] !== reference[i]));
  // Differences where neither run speculated: llama.cpp's batch shapes (prompt chunks sized by each server's
  // calibration) flip near ties, whatever speculation does.
  const allModes = (mode: Mode) => [...measured[mode].plain.modes, ...measured[mode].repetitive.modes];
  const plainDecoding = (m: string | undefined) => m === 'off' || m === 'none';
  const differingWithoutSpeculation = requestNames.filter((_, i) => modes.some((mode) => all(mode)[i] !== reference[i] && plainDecoding(allModes(mode)[i]) && allModes('off')[i] === 'none'));
  return {
    model: embeddedModelFacts(),
    outputsDiffering: differing,
    outputsDifferingWithoutSpeculation: differingWithoutSpeculation,
    greedyAgreementWithTinyTarget: agreement,
    verifyCost: cost,
    repetitiveSpeedup: speedup('auto', 'repetitive'),
    plainSpeedup: speedup('auto', 'plain'),
    minSpeedup: Math.min(...ratios),
    outputsIdentical: differing.length === 0,
    acceptance: Object.fromEntries(modes.map((mode) => [mode, { plain: measured[mode].plain.acceptance, repetitive: measured[mode].repetitive.acceptance }])),
    speedups: Object.fromEntries(modes.filter((mode) => mode !== 'off').map((mode) => [mode, { plain: speedup(mode, 'plain'), repetitive: speedup(mode, 'repetitive') }])),
    details: measured,
  };
}

export function renderSpeculation(result: Awaited<ReturnType<typeof speculationBenchmark>>, command: string): string {
  const chosen = (r: ModeResult) => Object.entries(r.chosen).map(([mode, n]) => `${mode} ${n}`).join(', ');
  const row = (mode: Mode) => {
    const r = result.details[mode];
    return `| ${mode} | ${r.plain.tokensPerSecond} | ${r.plain.acceptance} | ${r.plain.meanAcceptedLength} | ${chosen(r.plain)} | ${r.repetitive.tokensPerSecond} | ${r.repetitive.acceptance} | ${r.repetitive.meanAcceptedLength} | ${chosen(r.repetitive)} |`;
  };
  const m = result.model;
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  return `## Speculative decoding at a real model's price

Made by \`${command}\` (tools/src/speculationBench.ts) on ${new Date().toISOString().slice(0, 10)}, on this project's 2-core machine, 1 thread.
Target: the tiny target embedded in the Qwen2.5-Coder-0.5B shape (tools/src/embeddedModel.ts): ${m.layers} layers, ${mb(m.weightBytesPerToken)} MiB of
weights read per token (the 0.5B shape: ${mb(m.qwen05bWeightBytesPerToken)} MiB); KV cache ${m.kvCacheBytesPerToken} bytes per token (the real model: ${m.qwen05bKvCacheBytesPerToken}).
Greedy output equals the tiny target's on ${result.greedyAgreementWithTinyTarget.identical} of ${result.greedyAgreementWithTinyTarget.prompts} prompts (${result.greedyAgreementWithTinyTarget.tokensEach} tokens each; the norms' rescaling by
√(256/896) is exact only up to float rounding, which can flip a near tie). Draft: the bundled 1 M draft.

A batch of 1 + k tokens costs, in single-token decode steps (${result.verifyCost.decodeStepMs} ms): ${Object.entries(result.verifyCost.batchCostInSteps).map(([k, v]) => `${k} → ${v}`).join(', ')}.
Speculation can only pay where a batch costs well under its size in steps.

Each scenario is a document completed ${requestsPerDocument} times, the user taking the suggestion's first line before asking again
(32 tokens at most, cache off), as shipped (the load-time cost check on); every mode twice, in opposite orders, averaged.
"chosen" counts how requests decoded: the gate's choice per document (\`none\`: speculation switched off at load).

| mode | plain tok/s | acceptance | mean accepted length | chosen | repetitive tok/s | acceptance | mean accepted length | chosen |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${modes.map(row).join('\n')}

Auto ÷ off: repetitive **${result.repetitiveSpeedup}×** (target ≥ 1.5), plain **${result.plainSpeedup}×** (target ≥ 1.2), lowest of any mode **${result.minSpeedup}×**
(target ≥ 0.95); each mode: ${Object.entries(result.speedups).map(([mode, s]) => `${mode} ${s.repetitive}× repetitive, ${s.plain}× plain`).join('; ')}.
Every mode's completions identical to plain decoding: **${result.outputsIdentical}**${result.outputsDiffering.length > 0 ? ` (differing: ${result.outputsDiffering.join(', ')}; of these, decoded without any speculation in both runs and still different: ${result.outputsDifferingWithoutSpeculation.join(', ') || 'none'} — llama.cpp's CPU kernels are not bit-exact across batch shapes, and each server sizes its prompt chunks from its own timing, so a near tie can flip whatever speculation does; \`npm test\` checks exact identity per mode on the tiny pair with the same chunking)` : ''}.

JSON (\`--json FILE\`, key \`speculation\`): \`repetitiveSpeedup\`, \`plainSpeedup\` (auto ÷ off), \`minSpeedup\`, \`outputsIdentical\`, \`acceptance\` (per mode).
`;
}
