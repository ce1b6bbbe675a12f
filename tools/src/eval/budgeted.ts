// Definition recall under the latency budget: the first request in a newly opened file gets the quick prompt, whose
// definitions are what its header share holds (promptPlanner.ts: half the quick prompt, the snippets' signatures in
// ranked order, fimTemplate.ts). The quick prompt's size follows what the Qwen2.5-Coder-0.5B-shaped model evaluates within
// the latency budget on one thread, measured here as the server measures it at load.
import type { ContextSnippet } from '../../../server/src/context/contextBuilder';
import { groupByPath } from '../../../server/src/completion/completionPipeline';
import { calibrate } from '../../../server/src/model/calibration';
import { firstLine, fitParts } from '../../../server/src/model/fimTemplate';
import { defaultPromptLatencyMs } from '../../../server/src/model/llamaCompletionModel';
import { chooseChunk } from '../../../server/src/model/promptChunks';
import { quickHeaderShare, quickSize } from '../../../server/src/model/promptPlanner';
import { ensureShapedModel } from '../shapedModel';

/** Prompt tokens the shaped 0.5B model evaluates within the latency budget on one thread (the server's own calibration). */
export async function shapedLatencyTokens(): Promise<{ tokens: number; msPerToken: number }> {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: await ensureShapedModel() });
  const context = await model.createContext({ contextSize: 4096, threads: 1 });
  try {
    const { prefillCurve } = await calibrate(context.getSequence(), model, false);
    const chunk = chooseChunk(prefillCurve);
    const timing = prefillCurve.find((t) => t.tokens === chunk)!;
    const msPerToken = timing.ms / timing.tokens;
    return { tokens: Math.floor(defaultPromptLatencyMs / msPerToken), msPerToken };
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

/** The definitions' room in the first request's quick prompt: its share of what the budget leaves after the middle. */
export function quickHeaderTokens(latencyTokens: number, middleTokens: number): number {
  return Math.floor(quickSize(latencyTokens - middleTokens) * quickHeaderShare);
}

/**
 * The snippets the first request's quick prompt holds, as the server lays them out: grouped by file, then snippet by
 * snippet in ranked order while they fit the header's share.
 */
export function quickPromptSnippets(snippets: readonly ContextSnippet[], filePath: string, prefix: string, count: (text: string) => number, latencyTokens: number): ContextSnippet[] {
  const line = prefix.slice(prefix.lastIndexOf('\n') + 1);
  const middle = count(line.trimStart()); // what was typed since the anchor at the line's code
  return headerSnippets(snippets, filePath, count, quickHeaderTokens(latencyTokens, middle));
}

/** The snippets a quick header of `headerTokens` holds: signatures, grouped by file, in ranked order while they fit. */
export function headerSnippets(snippets: readonly ContextSnippet[], filePath: string, count: (text: string) => number, headerTokens: number): ContextSnippet[] {
  const fitted = fitParts(groupByPath(snippets), filePath, count, headerTokens, firstLine);
  return fitted.map((file) => ({ path: file.path, text: file.text, source: 'definitions' }) as ContextSnippet);
}

/** Header sizes the recall curve is measured at: what the definitions would need for the target, in prompt tokens. */
export const headerCurveTokens = [32, 64, 128, 256, 512] as const;

/** Sizes of a project-wide header measured (`projectHeaderRecallByTokens`): what one evaluated once per workspace could hold. */
export const projectHeaderTokens = [512, 1024, 2048] as const;

export interface ProjectDefinition {
  /** Workspace-relative path of the file that defines it. */
  path: string;
  name: string;
  /** Its first line (its signature), trimmed. */
  line: string;
}

/**
 * A header for the whole project rather than the cursor: the signatures of the definitions the project's files refer to
 * most (their names' occurrences in files other than their own), laid out as the quick header is, within `tokens`.
 * Not built by the server: measured, to tell what a header evaluated once per workspace (in the background, kept on
 * disk) would give the first request in a newly opened file, where the quick prompt has no time for one. The file
 * being opened (`openedPath`) is not counted, so the reference a sample masks cannot rank its own definition.
 */
export function projectHeaderSnippets(
  definitions: readonly ProjectDefinition[],
  /** Identifier occurrences by file (workspace-relative path) and name. */
  occurrences: ReadonlyMap<string, ReadonlyMap<string, number>>,
  openedPath: string,
  count: (text: string) => number,
  tokens: number,
): ContextSnippet[] {
  const total = new Map<string, number>();
  for (const [path, names] of occurrences) {
    if (path === openedPath) continue;
    for (const [name, n] of names) total.set(name, (total.get(name) ?? 0) + n);
  }
  const referred = (d: ProjectDefinition) => (total.get(d.name) ?? 0) - (d.path === openedPath ? 0 : (occurrences.get(d.path)?.get(d.name) ?? 0));
  const ranked = definitions
    .filter((d) => d.path !== openedPath && d.line.length > 0)
    .map((d) => ({ d, n: referred(d) }))
    .filter(({ n }) => n > 0)
    .sort((a, b) => b.n - a.n || a.d.name.localeCompare(b.d.name));
  const snippets = ranked.map(({ d }) => ({ path: d.path, text: d.line, source: 'definitions' }) as ContextSnippet);
  return headerSnippets(snippets, openedPath, count, tokens);
}

/** Identifier occurrences in one file's text, by name. */
export function identifierOccurrences(text: string): Map<string, number> {
  const names = new Map<string, number>();
  for (const name of text.match(/[A-Za-z_$][\w$]*/g) ?? []) names.set(name, (names.get(name) ?? 0) + 1);
  return names;
}

/** Seconds after a file is opened at which the first request's recall is measured (`recallAfterOpenSeconds`). */
export const afterOpenSeconds = [1, 2, 4, 8] as const;

/**
 * The window's header in prompt tokens, as the whole window lays it out: each file's path line and its snippets whole
 * (what the warm-up evaluates first, and what a quick prompt borrows once it is all in the document's sequence).
 */
export function windowHeaderTokens(snippets: readonly ContextSnippet[], filePath: string, count: (text: string) => number, budget: number): number {
  const fitted = fitParts(groupByPath(snippets), filePath, count, budget);
  return fitted.reduce((sum, file) => sum + 1 + count(`${file.path}\n${file.text}\n`), 0);
}

/**
 * Whether the window's whole header is warm `seconds` after the file opened: the client reports the cursor's rest
 * after `restMs`, the warm-up then evaluates the header first at `msPerToken` (nothing else running).
 */
export function headerWarmAfter(seconds: number, headerTokens: number, msPerToken: number, restMs: number): boolean {
  return headerTokens <= Math.max(0, seconds * 1000 - restMs) / msPerToken;
}
