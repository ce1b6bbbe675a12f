// Ghost text while an explanation is generating, at a real model's price: the Qwen2.5-Coder-0.5B-shaped model, 1
// thread, a 365-line real file. Completions while typing are timed idle, then while an explanation of a function
// in the same file streams (the explanation pauses between decode steps for each); and the explanation's own speed
// alone and with the completions going first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionMetrics } from '../../common/protocol';
import { percentile, position, round, session } from './replay';
import { ensureShapedModel } from './shapedModel';

const repoRoot = join(__dirname, '..', '..');
const file = join(repoRoot, 'test', 'fixtures', 'realFiles', 'format.ts');

export async function instructBenchmark(quick: boolean) {
  const modelPath = await ensureShapedModel();
  const text = readFileSync(file, 'utf8');
  const uri = pathToFileURL(file).href;
  const lsp = await session({ settings: { modelPath, speculation: 'off', maxTokens: 16, maxLines: 1 } });
  const samples = quick ? 4 : 8;
  try {
    await lsp.open(uri, 'typescript', text);
    // Completions at the end of a line in the middle of the file, one typed character each (as typing does).
    const lineStart = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
    const lineEnd = text.indexOf('\n', lineStart);
    let version = 1;
    let typed = '';
    const typeAndComplete = async (): Promise<CompletionMetrics> => {
      typed += 'x';
      const current = text.slice(0, lineEnd) + typed + text.slice(lineEnd);
      await lsp.replaceText(uri, ++version, current);
      await lsp.complete(uri, position(current, lineEnd + typed.length));
      return lsp.nextMetrics(300_000);
    };
    await typeAndComplete(); // the whole window evaluated once
    const idle: CompletionMetrics[] = [];
    for (let i = 0; i < samples; i++) idle.push(await typeAndComplete());

    // A function in the first third of the file, explained; its text stays as the explanation asks for it.
    const target = position(text, text.indexOf('function', Math.floor(text.length / 3)) + 2);
    let explanationEnded = 0;
    const explain = async (whileRunning?: () => Promise<void>) => {
      let started: Promise<void> | undefined;
      const result = await lsp.instruct({ task: 'explain', uri, version, position: target }, () => {
        started ??= whileRunning?.();
      }).result;
      explanationEnded = performance.now();
      await started;
      return result;
    };
    const alone = quick ? undefined : await explain();
    const during: CompletionMetrics[] = [];
    const answeredAt: number[] = [];
    const shared = await explain(async () => {
      for (let i = 0; i < samples; i++) {
        during.push(await typeAndComplete());
        answeredAt.push(performance.now());
      }
    });
    const ms = (metrics: CompletionMetrics[], key: 'totalMs' | 'firstTokenMs') => metrics.map((m) => m[key] ?? Number.NaN).filter(Number.isFinite);
    const rate = (result: typeof shared | undefined) => (result?.stats ? round(result.stats.generatedTokens / (result.stats.totalMs / 1000), 1) : undefined);
    return {
      model: 'Qwen2.5-Coder-0.5B shape, random weights, Q8_0, 1 thread',
      file: 'test/fixtures/realFiles/format.ts',
      completions: samples,
      idle: { p50Ms: round(percentile(ms(idle, 'totalMs'), 50), 0), p95Ms: round(percentile(ms(idle, 'totalMs'), 95), 0), firstTokenP50Ms: round(percentile(ms(idle, 'firstTokenMs'), 50), 0) },
      whileExplaining: {
        p50Ms: round(percentile(ms(during, 'totalMs'), 50), 0),
        p95Ms: round(percentile(ms(during, 'totalMs'), 95), 0),
        firstTokenP50Ms: round(percentile(ms(during, 'firstTokenMs'), 50), 0),
        answeredBeforeTheExplanationEnded: answeredAt.filter((at) => at < explanationEnded).length,
      },
      explanation: {
        tokens: shared.stats?.generatedTokens,
        promptTokens: shared.stats?.promptTokens,
        tokensPerSecondAlone: rate(alone),
        tokensPerSecondWithCompletions: rate(shared),
        pauses: shared.stats?.preemptions,
        error: shared.error,
      },
    };
  } finally {
    await lsp.stop();
  }
}

export function renderInstruct(result: Awaited<ReturnType<typeof instructBenchmark>>, command: string): string {
  const e = result.explanation;
  return `## Ghost text while explaining

Made by \`${command}\` (tools/src/instructBench.ts) on ${new Date().toISOString().slice(0, 10)}: ${result.model}, ${result.file}.
Completions at the end of a middle line, one typed character before each (16 tokens, one line), ${result.completions} idle, then
${result.completions} while **Hearth: Explain** streams an explanation of a function of the same file (the explanation gives way
between its decode steps, its KV state kept, and resumes).

| completion (ms) | p50 | p95 | first token p50 |
| --- | --- | --- | --- |
| idle | ${result.idle.p50Ms} | ${result.idle.p95Ms} | ${result.idle.firstTokenP50Ms} |
| while an explanation generates | ${result.whileExplaining.p50Ms} | ${result.whileExplaining.p95Ms} | ${result.whileExplaining.firstTokenP50Ms} |

${result.whileExplaining.answeredBeforeTheExplanationEnded} of ${result.completions} completions were answered before the explanation ended.

Explanation: ${e.tokens} tokens after a ${e.promptTokens}-token prompt; ${e.tokensPerSecondAlone ?? '–'} tokens/s alone, ${e.tokensPerSecondWithCompletions} tokens/s
with the completions going first (${e.pauses} pauses)${e.error ? `; error: ${e.error}` : ''}. JSON key \`instruct\`.
`;
}
