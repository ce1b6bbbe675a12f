// npm run eval [-- --project DIR [--language ts|py|go|rs|java|c|cpp]] [--max-samples N] [--json FILE] [--misses FILE] [--no-model]
// Whether the code the cursor needs reaches the prompt, and what the model makes of it, on real projects: by default
// the committed set in test/fixtures/evalProjects (projects.json: real multi-file projects as npm and Debian packages
// ship them, licenses kept), or any folder given with --project. Every reference to a symbol defined in another
// file of the project is a sample: the span from that identifier to the end of its line is masked. The workspace
// index is built over the folder as the server builds it; the context is built as the server builds it — the
// production budget (a quarter of a 4 096-token context) and its 25 ms deadline — with each source alone, all
// together, and none. Definition recall: the needed definition, or its signature, is in the context the prompt is laid
// out from. The bundled tiny model then completes each sample through the real pipeline (greedy, one line) with all
// sources and with none: identifier match (the completion's first identifier is the masked one, as CrossCodeEval
// reports it), exact match and edit similarity. Prints the figures and writes them to docs/BENCHMARKS.md (and FILE).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { GrammarName } from '../../common/languages';
import { defaultSettings } from '../../common/settings';
import { cursorRestMs } from '../../common/protocol';
import { CompletionCache } from '../../server/src/completion/completionCache';
import { completionEnvironment } from '../../server/src/completion/completionEnvironment';
import { type CompletionEnvironment, provideCompletion } from '../../server/src/completion/completionPipeline';
import { type ContextSnippet, workspaceContext, type ContextSource, contextSources } from '../../server/src/context/contextBuilder';
import { RecentEdits } from '../../server/src/context/recentEdits';
import { WorkspaceIndex } from '../../server/src/context/workspaceIndex';
import { snippetTokens, type TokenBudget } from '../../server/src/context/tokenBudget';
import { Logger } from '../../server/src/logger';
import type { CompletionModel } from '../../server/src/model/completionModel';
import { loadLlamaCompletionModel } from '../../server/src/model/llamaLoader';
import { DocumentTrees } from '../../server/src/syntax/documentTrees';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { makeSamples, openAround, type Project, recalled, sourceFiles } from './eval/samples';
import { writeReportSection } from './reportFile';
import { afterOpenSeconds, headerCurveTokens, headerSnippets, headerWarmAfter, identifierOccurrences, type ProjectDefinition, projectHeaderSnippets, projectHeaderTokens, quickHeaderTokens, quickPromptSnippets, shapedLatencyTokens, windowHeaderTokens } from './eval/budgeted';

const repoRoot = join(__dirname, '..', '..');
const evalSetDir = join(repoRoot, 'test', 'fixtures', 'evalProjects');
const { values } = parseArgs({
  options: { json: { type: 'string' }, misses: { type: 'string' }, 'no-model': { type: 'boolean', default: false }, project: { type: 'string', multiple: true }, language: { type: 'string' }, 'max-samples': { type: 'string' } },
});
/** Samples per project at most (spread evenly over its samples), so that one big project does not outweigh the rest. */
const maxSamples = Number(values['max-samples'] ?? 200);
/** What the server gives the context stage for a real model: a quarter of a 4 096-token context. */
const productionBudgetTokens = 4096 / 4;
/** The server's deadline for the context stage (server.ts contextDeadlineMs). */
const productionDeadlineMs = 25;
const languageAliases: Record<string, GrammarName> = { ts: 'typescript', typescript: 'typescript', tsx: 'tsx', js: 'javascript', javascript: 'javascript', py: 'python', python: 'python', go: 'go', rs: 'rust', rust: 'rust', java: 'java', c: 'c', cpp: 'cpp' };
/** Levenshtein distance, for edit similarity = 1 − distance / longer length. */
export function editSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const longer = Math.max(a.length, b.length);
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return 1 - previous[b.length]! / longer;
}

/** The first identifier of a completion (CrossCodeEval's identifier match compares these). */
export function firstIdentifier(text: string): string | undefined {
  return /[A-Za-z_$][\w$]*/.exec(text)?.[0];
}

function loadProjects(): Project[] {
  if (values.project?.length) return values.project.map((root) => ({ name: basename(root), root, language: values.language }));
  const listed = JSON.parse(readFileSync(join(evalSetDir, 'projects.json'), 'utf8')) as Array<Omit<Project, 'root'>>;
  return listed.map((p) => ({ ...p, root: join(evalSetDir, p.name) }));
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);

interface ContextFigures {
  definitionRecall: number;
  contextMsP50: number;
  contextMsP95: number;
  /** Prompt tokens the context took, on average (the bundled model's tokenizer). */
  meanContextTokens: number;
}

interface ModelFigures {
  identifierMatch: number;
  exactMatch: number;
  editSimilarity: number;
}

async function main(): Promise<void> {
  const started = performance.now();
  const log = new Logger({ error: console.error, warn: console.error, info: () => undefined, log: () => undefined });
  const grammars = new GrammarRegistry(join(repoRoot, 'grammars'), log);
  const projects = loadProjects();
  const configs: Record<string, ContextSource[]> = {
    'no context': [],
    'all sources': [...contextSources],
    ...Object.fromEntries(contextSources.map((source) => [`${source} only`, [source]])),
  };
  const model: CompletionModel = await loadLlamaCompletionModel(
    {
      modelPath: join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf'),
      draftModelPath: '',
      threads: 1,
      adaptiveThreads: false,
      gpu: 'off',
      maxContextSize: 4096,
      fimOrder: 'spm',
      speculation: 'off',
      reuseKvPrefix: true,
      anchorPrompt: true,
      // Quality, not speed, is measured here: every prompt holds the whole window.
      latencyBudget: false,
      promptLatencyMs: 0,
    },
    log,
  );

  // Counted by the bundled model's tokenizer (a 4 096-entry byte-level BPE; a real model's larger vocabulary fits more
  // code in the same tokens).
  const budget: TokenBudget = { tokens: productionBudgetTokens, count: (text) => model.countTokens(text) };
  const perProject: Record<string, { samples: number; files: number; language: string; source?: string; license?: string; context: Record<string, ContextFigures>; model: Record<string, ModelFigures> }> = {};
  const all: { context: Record<string, { recalled: number; ms: number[]; tokens: number }>; model: Record<string, { identifier: number; exact: number; similarity: number }>; samples: number } = { context: {}, model: {}, samples: 0 };
  /** Samples whose definition the context missed (--misses FILE): for finding what the context stage lacks, not for tuning to them. */
  const misses: unknown[] = [];
  const examples: Array<{ project: string; sample: string; expected: string; withContext: string; withoutContext: string }> = [];

  // The first request in a newly opened file, under the latency budget at the shaped 0.5B model's speed (1 thread).
  const latency = await shapedLatencyTokens();
  console.error(`latency budget: ${latency.tokens} prompt tokens at ${latency.msPerToken.toFixed(1)} ms a token (0.5B shape, 1 thread)`);
  let budgetedRecalled = 0;
  /** Recall by the quick header's size: what a header of that many tokens would recall (the same fitting). */
  const curveRecalled = new Map<number, number>(headerCurveTokens.map((tokens) => [tokens, 0]));
  /** A project-wide header of each size: alone, and with the quick prompt's own header (projectHeaderSnippets). */
  const projectRecalled = new Map<number, { alone: number; withQuick: number }>(projectHeaderTokens.map((tokens) => [tokens, { alone: 0, withQuick: 0 }]));
  /** The first request N s after the file opened: the quick prompt, with the window's whole header once it is warm. */
  const afterOpenRecalled = new Map<number, number>(afterOpenSeconds.map((seconds) => [seconds, 0]));

  for (const project of projects) {
    const grammar = project.language ? languageAliases[project.language] : undefined;
    if (project.language && !grammar) throw new Error(`--language ${project.language}: not one of ${Object.keys(languageAliases).join(', ')}`);
    const index = new WorkspaceIndex(grammars, log);
    await index.build([project.root], {});
    const files = sourceFiles(project.root, grammar);
    const texts = new Map(files.map((path) => [path, readFileSync(path, 'utf8')]));
    const samples = await makeSamples(project, grammars, index, texts, maxSamples);
    const trees = new DocumentTrees(); // the samples' parse trees, for the completions' syntax stage
    console.error(`${project.name}: ${files.length} files, ${index.fileCount} indexed, ${samples.length} samples`);
    if (samples.length === 0) continue;
    all.samples += samples.length;
    const contextOf = new Map<string, ContextSnippet[][]>(); // config → snippets per sample
    const relativeTexts = [...texts].map(([path, text]) => [relative(project.root, path), text] as const);
    const occurrences = new Map(relativeTexts.map(([path, text]) => [path, identifierOccurrences(text)]));
    const definitions: ProjectDefinition[] = files.flatMap((path) => index.definitionsIn(path).map((d) => ({ path: relative(project.root, path), name: d.name, line: texts.get(path)?.split('\n')[d.startLine]?.trim() ?? '' })));
    const projectHeaders = new Map<string, ContextSnippet[]>(); // by opened file and size
    const figures: Record<string, ContextFigures> = {};
    for (const [name, sources] of Object.entries(configs)) {
      if (sources.length === 0) continue;
      const enabled = Object.fromEntries(contextSources.map((source) => [source, sources.includes(source)])) as Record<ContextSource, boolean>;
      let current = samples[0]!;
      const builder = workspaceContext({
        grammars,
        trees: new DocumentTrees(),
        index,
        roots: () => [project.root],
        openDocuments: () => openAround(files, texts, current.path),
        recentEdits: new RecentEdits(),
        readText: async (path) => texts.get(path) ?? readFileSync(path, 'utf8'),
      });
      const times: number[] = [];
      const found: ContextSnippet[][] = [];
      let recalledCount = 0;
      let tokens = 0;
      for (const sample of samples) {
        current = sample;
        const text = sample.prefix + sample.suffix;
        const t0 = performance.now();
        const snippets = await builder.build(
          { uri: pathToFileURL(sample.path).href, path: sample.path, languageId: sample.languageId, text, offset: sample.prefix.length },
          { budget, deadline: t0 + productionDeadlineMs, sources: enabled },
        );
        times.push(performance.now() - t0);
        found.push(snippets);
        if (recalled(sample, snippets)) recalledCount++;
        if (name === 'all sources') for (const tokens of headerCurveTokens) if (recalled(sample, headerSnippets(snippets, relative(project.root, sample.path), budget.count, tokens))) curveRecalled.set(tokens, curveRecalled.get(tokens)! + 1);
        if (name === 'all sources') {
          const opened = relative(project.root, sample.path);
          const quick = quickPromptSnippets(snippets, opened, sample.prefix, budget.count, latency.tokens);
          const headerTokens = windowHeaderTokens(snippets, opened, budget.count, budget.tokens);
          for (const seconds of afterOpenSeconds) {
            const borrowed = headerWarmAfter(seconds, headerTokens, latency.msPerToken, cursorRestMs);
            if (recalled(sample, borrowed ? snippets : quick)) afterOpenRecalled.set(seconds, afterOpenRecalled.get(seconds)! + 1);
          }
          for (const size of projectHeaderTokens) {
            const key = `${opened}|${size}`;
            if (!projectHeaders.has(key)) projectHeaders.set(key, projectHeaderSnippets(definitions, occurrences, opened, budget.count, size));
            const header = projectHeaders.get(key)!;
            const counts = projectRecalled.get(size)!;
            if (recalled(sample, header)) counts.alone++;
            if (recalled(sample, [...header, ...quick])) counts.withQuick++;
          }
        }
        if (name === 'all sources' && recalled(sample, quickPromptSnippets(snippets, relative(project.root, sample.path), sample.prefix, budget.count, latency.tokens))) budgetedRecalled++;
        else if (name === 'all sources') misses.push({ project: project.name, at: `${relative(project.root, sample.path)}:${sample.line + 1}`, symbol: sample.symbol, line: sample.middle.trim(), wanted: sample.definitionLines[0], got: snippets.map((s) => `${s.path}: ${s.text.split('\n')[0]}`), ms: round(performance.now() - t0, 1) });
        tokens += snippets.reduce((sum, s) => sum + snippetTokens(budget, s), 0);
      }
      contextOf.set(name, found);
      const sorted = [...times].sort((a, b) => a - b);
      figures[name] = { definitionRecall: round(recalledCount / samples.length), contextMsP50: round(percentile(sorted, 0.5), 2), contextMsP95: round(percentile(sorted, 0.95), 2), meanContextTokens: Math.round(tokens / samples.length) };
      const total = (all.context[name] ??= { recalled: 0, ms: [], tokens: 0 });
      total.recalled += recalledCount;
      total.ms.push(...times);
      total.tokens += tokens;
    }

    // The tiny model with all sources (the context found above, laid out by its own prompt budget) and with none.
    const modelFigures: Record<string, ModelFigures> = {};
    const completions: Record<string, string[]> = {};
    for (const name of values['no-model'] ? [] : ['no context', 'all sources']) {
      let identifier = 0;
      let exact = 0;
      let similarity = 0;
      completions[name] = [];
      for (const [i, sample] of samples.entries()) {
        const uri = pathToFileURL(sample.path).href;
        const text = sample.prefix + sample.suffix;
        const snippets = contextOf.get(name)?.[i];
        // The server's environment (its syntax stage included), with this sample as the one open document and the
        // context found above.
        const env: CompletionEnvironment = {
          ...completionEnvironment({
            settings: () => ({ ...defaultSettings, maxLines: 1, maxTokens: 48 }),
            model: () => model,
            documents: { get: (at) => (at === uri ? { version: 1, getText: () => text } : undefined) },
            grammars,
            trees,
            cache: new CompletionCache(0),
            keepGoing: false,
            context: snippets ? async () => ({ filePath: relative(project.root, sample.path), snippets }) : undefined,
          }),
          onFirstLine: () => undefined,
        };
        const result = await provideCompletion({ uri, languageId: sample.languageId, version: 1, text, offset: sample.prefix.length, signal: new AbortController().signal }, env);
        const completion = result.text.split('\n')[0]!.trimEnd();
        const expected = sample.middle.trimEnd();
        completions[name].push(completion);
        if (firstIdentifier(completion) === sample.symbol) identifier++;
        if (completion === expected) exact++;
        similarity += editSimilarity(completion, expected);
      }
      modelFigures[name] = { identifierMatch: round(identifier / samples.length), exactMatch: round(exact / samples.length), editSimilarity: round(similarity / samples.length) };
      const total = (all.model[name] ??= { identifier: 0, exact: 0, similarity: 0 });
      total.identifier += identifier;
      total.exact += exact;
      total.similarity += similarity;
    }
    for (const i of values['no-model'] ? [] : [0, Math.floor(samples.length / 2)]) {
      const sample = samples[i]!;
      examples.push({ project: project.name, sample: `${relative(project.root, sample.path)}:${sample.line + 1} ${sample.symbol}`, expected: sample.middle.trimEnd(), withContext: completions['all sources']![i]!, withoutContext: completions['no context']![i]! });
    }
    perProject[project.name] = { samples: samples.length, files: files.length, language: samples[0]!.languageId, source: project.source, license: project.license, context: figures, model: modelFigures };
    console.error(`${project.name}: ${JSON.stringify({ context: figures['all sources'], model: modelFigures })}`);
  }
  await model.dispose();

  const contextTotals = Object.fromEntries(
    Object.entries(all.context).map(([name, t]) => {
      const sorted = [...t.ms].sort((a, b) => a - b);
      return [name, { definitionRecall: round(t.recalled / all.samples), contextMsP50: round(percentile(sorted, 0.5), 2), contextMsP95: round(percentile(sorted, 0.95), 2), meanContextTokens: Math.round(t.tokens / all.samples) }];
    }),
  ) as Record<string, ContextFigures>;
  const modelTotals = Object.fromEntries(
    Object.entries(all.model).map(([name, t]) => [name, { identifierMatch: round(t.identifier / all.samples), exactMatch: round(t.exact / all.samples), editSimilarity: round(t.similarity / all.samples) }]),
  ) as Record<string, ModelFigures>;
  const none: ModelFigures = { identifierMatch: Number.NaN, exactMatch: Number.NaN, editSimilarity: Number.NaN }; // --no-model
  const withContext = modelTotals['all sources'] ?? none;
  const without = modelTotals['no context'] ?? none;
  const output = {
    model: 'tiny-code-target-q8_0',
    samples: all.samples,
    projects: Object.keys(perProject).length,
    definitionRecall: contextTotals['all sources']!.definitionRecall,
    budgetedDefinitionRecall: round(budgetedRecalled / Math.max(1, all.samples)),
    budgetedLatencyTokens: latency.tokens,
    budgetedHeaderTokens: quickHeaderTokens(latency.tokens, 0),
    budgetedRecallByHeaderTokens: Object.fromEntries([...curveRecalled].map(([tokens, n]) => [tokens, round(n / Math.max(1, all.samples))])),
    recallAfterOpenSeconds: Object.fromEntries([...afterOpenRecalled].map(([seconds, n]) => [seconds, round(n / Math.max(1, all.samples))])),
    projectHeaderRecallByTokens: Object.fromEntries([...projectRecalled].map(([tokens, n]) => [tokens, round(n.alone / Math.max(1, all.samples))])),
    budgetedRecallWithProjectHeaderByTokens: Object.fromEntries([...projectRecalled].map(([tokens, n]) => [tokens, round(n.withQuick / Math.max(1, all.samples))])),
    identifierMatchWithContext: withContext.identifierMatch,
    identifierMatchWithoutContext: without.identifierMatch,
    exactMatchWithContext: withContext.exactMatch,
    exactMatchWithoutContext: without.exactMatch,
    editSimilarityWithContext: withContext.editSimilarity,
    editSimilarityWithoutContext: without.editSimilarity,
    contextMsP50: contextTotals['all sources']!.contextMsP50,
    contextMsP95: contextTotals['all sources']!.contextMsP95,
    budgetTokens: productionBudgetTokens,
    deadlineMs: productionDeadlineMs,
    byConfiguration: contextTotals,
    byProject: perProject,
    examples,
    seconds: round((performance.now() - started) / 1000, 1),
  };
  console.log(JSON.stringify({ ...output, examples: undefined, byProject: undefined }, null, 2));
  if (values.misses) writeFileSync(values.misses, `${JSON.stringify(misses, null, 1)}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(output, null, 2)}\n`);
  if (!values.project?.length && !values['no-model']) writeReportSection('eval', renderMarkdown(output));
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function renderMarkdown(output: Record<string, any>): string {
  const configRows = Object.entries(output.byConfiguration as Record<string, ContextFigures>)
    .map(([name, r]) => `| ${name} | ${r.definitionRecall} | ${r.contextMsP50} | ${r.contextMsP95} | ${r.meanContextTokens} |`)
    .join('\n');
  const projectRows = Object.entries(output.byProject as Record<string, any>)
    .map(([name, p]) => {
      const c = p.context['all sources'] as ContextFigures;
      const w = p.model['all sources'] as ModelFigures;
      const n = p.model['no context'] as ModelFigures;
      return `| ${name} (${p.language}) | ${p.files} | ${p.samples} | ${c.definitionRecall} | ${c.contextMsP95} | ${w.identifierMatch} / ${n.identifierMatch} | ${w.exactMatch} / ${n.exactMatch} | ${w.editSimilarity} / ${n.editSimilarity} |`;
    })
    .join('\n');
  const sources = Object.entries(output.byProject as Record<string, any>)
    .map(([name, p]) => `- ${name}: ${p.source ?? 'given with --project'}; ${p.license ?? ''}`)
    .join('\n');
  return `## Quality: cross-file context on real projects (\`npm run eval\`)

Made by \`npm run eval\` (tools/src/eval.ts) on ${new Date().toISOString().slice(0, 10)}, in ${output.seconds} s. ${output.samples} samples from
${output.projects} real projects (test/fixtures/evalProjects, as their packages ship them; at most ${maxSamples} per project, spread
evenly): every reference to a symbol defined in another file of the project, masked from the identifier to the end of
its line — a bare name (not a declaration, not a name the file imports from outside the project), or a member whose
owner is known without types (\`self\`/\`this\`, a project type, a project module or Go package: \`value.Len()\` on some
value is left out, since a name match there is no evidence that the member is the project's). The context is built as the server builds it: production budget ${output.budgetTokens} tokens (a quarter of a
4 096-token context, counted by the bundled model's tokenizer) and the ${output.deadlineMs} ms deadline; the sample's file and its neighbours in the folder are the open tabs.
**Definition recall**: the first line of the symbol's definition (its signature) is in that context.

**Under the latency budget** (the first request in a newly opened file, before any of its window is warm): the quick
prompt holds what the Qwen2.5-Coder-0.5B-shaped model evaluates within ${output.budgetedLatencyTokens} tokens (its measured speed, one thread, 1 s), the
definitions taking half of it (${output.budgetedHeaderTokens} tokens at most), snippet by snippet in ranked order: definition recall there
**${output.budgetedDefinitionRecall}** (\`budgetedDefinitionRecall\`), against **${output.definitionRecall}** once the window is warm (\`definitionRecall\`).
What a header of each size would recall, fitted the same way (\`budgetedRecallByHeaderTokens\`): ${Object.entries(output.budgetedRecallByHeaderTokens as Record<string, number>)
    .map(([tokens, recall]) => `${tokens} tokens → ${recall}`)
    .join(', ')}: at the shaped model's ${output.budgetedLatencyTokens} prompt tokens a second (one thread), a header of N tokens adds N / ${output.budgetedLatencyTokens} s to the first request's wait.
The warm-up evaluates the window's header first (from the cursor's first rest, ${cursorRestMs} ms after the file opens), and
once all of it is in the document's sequence a quick prompt starts with it, copied rather than evaluated: the first
request N seconds after the file opened (\`recallAfterOpenSeconds\`, at the same measured speed, nothing else running):
${Object.entries(output.recallAfterOpenSeconds as Record<string, number>)
    .map(([seconds, recall]) => `${seconds} s → ${recall}`)
    .join(', ')}.
Not built yet, measured to size it: a header for the whole project rather than the cursor, evaluated once per workspace
in the background (and kept on disk), which every quick prompt could start with at no cost to the first request in a
newly opened file: the signatures of the definitions the project's other files refer to most (by their names'
occurrences, the opened file not counted), laid out the same way (\`projectHeaderRecallByTokens\`, alone): ${Object.entries(output.projectHeaderRecallByTokens as Record<string, number>)
    .map(([tokens, recall]) => `${tokens} tokens → ${recall}`)
    .join(', ')}; with the quick prompt's own header beside it (\`budgetedRecallWithProjectHeaderByTokens\`): ${Object.entries(output.budgetedRecallWithProjectHeaderByTokens as Record<string, number>)
    .map(([tokens, recall]) => `${tokens} tokens → ${recall}`)
    .join(', ')}.

${sources}

| context | definition recall | build p50 ms | build p95 ms | context tokens |
| --- | --- | --- | --- | --- |
${configRows}

Per project, all sources; the model columns are with context / without, from the bundled 6 M-parameter model
(greedy, one line, its own 512-token context, so it sees at most 128 tokens of the context above):

| project | files | samples | definition recall | build p95 ms | identifier match | exact match | edit similarity |
| --- | --- | --- | --- | --- | --- | --- | --- |
${projectRows}

What the tiny model can and cannot show: it writes plausible-looking code, not the right call, so its identifier and
exact match rates are near zero with or without context; they prove the pipeline runs on these projects, not that
context helps. Definition recall does not depend on the model: it is what Hearth controls, and what a real model
(Qwen2.5-Coder, trained on the repository-level layout) is given.
`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
