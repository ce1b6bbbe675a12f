// npm run eval [-- --json FILE]: fill-in-the-middle quality with and without cross-file context, on the held-out
// multi-file project in test/fixtures/evalProject. Every call or reference to a symbol defined in another file of the
// project is a sample: the span from that identifier to the end of its line is masked and completed by the bundled
// tiny model through the real completion pipeline (same prompt budget, greedy), once per context configuration.
// Prints the figures and writes them to docs/BENCHMARKS.md (and FILE as JSON).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Node } from 'web-tree-sitter';
import { defaultSettings } from '../../common/settings';
import { CompletionCache } from '../../server/src/completion/completionCache';
import { type CompletionEnvironment, provideCompletion } from '../../server/src/completion/completionPipeline';
import { ContextBuilder, type ContextSource, contextSources } from '../../server/src/context/contextBuilder';
import { RecentEdits } from '../../server/src/context/recentEdits';
import { WorkspaceIndex } from '../../server/src/context/workspaceIndex';
import { Logger } from '../../server/src/logger';
import type { CompletionModel } from '../../server/src/model/completionModel';
import { loadLlamaCompletionModel } from '../../server/src/model/llamaLoader';
import { DocumentTrees } from '../../server/src/syntax/documentTrees';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { writeReportSection } from './reportFile';

const repoRoot = join(__dirname, '..', '..');
const projectRoot = join(repoRoot, 'test', 'fixtures', 'evalProject');
const { values } = parseArgs({ options: { json: { type: 'string' } } });

interface Sample {
  path: string;
  line: number;
  symbol: string;
  prefix: string;
  middle: string;
  suffix: string;
}

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

async function makeSamples(grammars: GrammarRegistry, index: WorkspaceIndex, texts: ReadonlyMap<string, string>): Promise<Sample[]> {
  const grammar = (await grammars.get('typescript'))!;
  const samples: Sample[] = [];
  for (const [path, text] of texts) {
    const tree = GrammarRegistry.parse(grammar, text);
    const seen = new Set<number>();
    const visit = (node: Node): void => {
      if (node.type === 'import_statement') return;
      if ((node.type === 'identifier' || node.type === 'type_identifier') && !seen.has(node.startIndex)) {
        const elsewhere = index.lookup(node.text).some((d) => d.path !== path);
        const definedHere = index.definitionsIn(path).some((d) => d.name === node.text);
        if (elsewhere && !definedHere) {
          seen.add(node.startIndex);
          const lineEnd = text.indexOf('\n', node.startIndex);
          samples.push({
            path,
            line: node.startPosition.row,
            symbol: node.text,
            prefix: text.slice(0, node.startIndex),
            middle: text.slice(node.startIndex, lineEnd),
            suffix: text.slice(lineEnd),
          });
        }
      }
      for (const child of node.children) if (child) visit(child);
    };
    visit(tree.rootNode);
    tree.delete();
  }
  return samples;
}

async function main(): Promise<void> {
  const started = performance.now();
  const log = new Logger({ error: console.error, warn: console.error, info: () => undefined, log: () => undefined });
  const grammars = new GrammarRegistry(join(repoRoot, 'grammars'), log);
  const index = new WorkspaceIndex(grammars, log);
  await index.build([projectRoot], {});
  const files = readdirSync(join(projectRoot, 'src')).map((name) => join(projectRoot, 'src', name)).sort();
  // The project is read once: every configuration and sample sees the same files.
  const texts = new Map(files.map((path) => [path, readFileSync(path, 'utf8')]));
  const samples = await makeSamples(grammars, index, texts);
  const openDocuments = files.map((path) => ({ uri: pathToFileURL(path).href, path, text: texts.get(path)! }));
  const load = (fimOrder: 'psm' | 'spm', anchorPrompt = true) =>
    loadLlamaCompletionModel(
      {
        modelPath: join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf'),
        draftModelPath: '',
        threads: 1,
        adaptiveThreads: false,
        gpu: 'off',
        maxContextSize: 4096,
        fimOrder,
        speculation: 'off',
        reuseKvPrefix: true,
        anchorPrompt,
        // Quality, not speed, is measured here: every prompt holds the whole window.
        latencyBudget: false,
        promptLatencyMs: 0,
      },
      log,
    );
  let model: CompletionModel = await load('spm');

  const configs: Record<string, ContextSource[]> = {
    'no context': [],
    'all sources': [...contextSources],
    ...Object.fromEntries(contextSources.map((source) => [`${source} only`, [source]])),
  };
  type Result = { exactMatch: number; editSimilarity: number; withDefinitionInPrompt: number; meanContextFiles: number };
  const results: Record<string, Result> = {};
  const examples: Array<{ config: string; sample: string; expected: string; completion: string; prompt: string }> = [];
  const evaluate = async (name: string, sources: ContextSource[]): Promise<Result> => {
    const builder = new ContextBuilder({
      grammars,
      trees: new DocumentTrees(),
      index,
      roots: () => [projectRoot],
      // The other files of the project are open in editor tabs; nothing was edited (recent edits stay empty).
      openDocuments: () => openDocuments,
      recentEdits: new RecentEdits(),
      readText: async (path) => texts.get(path),
    });
    const enabled = Object.fromEntries(contextSources.map((source) => [source, sources.includes(source)])) as Record<ContextSource, boolean>;
    let exact = 0;
    let similarity = 0;
    let withDefinition = 0;
    let contextFiles = 0;
    for (const [i, sample] of samples.entries()) {
      const uri = pathToFileURL(sample.path).href;
      const text = sample.prefix + sample.suffix;
      const env: CompletionEnvironment = {
        settings: () => ({ ...defaultSettings, maxLines: 1, maxTokens: 48 }),
        model: () => model,
        isCurrent: () => true,
        currentText: () => text,
        beginGeneration: () => () => undefined,
        cache: new CompletionCache(0),
        keepGoing: false,
        onFirstLine: () => undefined,
        context:
          sources.length === 0
            ? undefined
            : async (request, budgetChars) => ({
                filePath: builder.relativePath(sample.path, uri),
                snippets: await builder.build(
                  { uri, path: sample.path, languageId: 'typescript', text: request.text, offset: request.offset },
                  // Generous deadline: quality, not speed, is measured here (the server's is 25 ms).
                  { budgetChars, deadline: performance.now() + 1000, sources: enabled },
                ),
              }),
      };
      const result = await provideCompletion({ uri, languageId: 'typescript', version: 1, text, offset: sample.prefix.length, signal: new AbortController().signal }, env);
      const completion = result.text.split('\n')[0]!.trimEnd();
      const expected = sample.middle.trimEnd();
      if (completion === expected) exact++;
      similarity += editSimilarity(completion, expected);
      const prompt = model.lastPrompt() ?? '';
      const definition = index.lookup(sample.symbol).find((d) => d.path !== sample.path);
      const definitionLine = definition && texts.get(definition.path)!.split('\n')[definition.startLine]!.trim();
      if (definitionLine && prompt.includes(definitionLine)) withDefinition++;
      contextFiles += result.metrics.contextSnippets ?? 0;
      if (i < 2 && (name === 'no context' || name === 'all sources')) {
        examples.push({ config: name, sample: `${sample.path.slice(projectRoot.length + 1)}:${sample.line + 1} ${sample.symbol}`, expected, completion, prompt });
      }
    }
    const result = {
      exactMatch: round(exact / samples.length),
      editSimilarity: round(similarity / samples.length),
      withDefinitionInPrompt: round(withDefinition / samples.length),
      meanContextFiles: round(contextFiles / samples.length),
    };
    console.error(`${name}: ${JSON.stringify(result)}`);
    return result;
  };
  for (const [name, sources] of Object.entries(configs)) results[name] = await evaluate(name, sources);
  await model.dispose();

  // The prefix-first layouts (what real models are trained on): anchored where the line's code starts, the typed part of the line
  // opening the middle (the server's), against the prompt split at the cursor; all context sources.
  const layouts: Record<string, Result> = {};
  for (const [name, anchored] of [['prefix-first, anchored where the line\'s code starts', true], ['prefix-first, split at the cursor', false]] as const) {
    model = await load('psm', anchored);
    layouts[name] = await evaluate(name, [...contextSources]);
    await model.dispose();
  }

  const withContext = results['all sources']!;
  const without = results['no context']!;
  const output = {
    model: 'tiny-code-target-q8_0',
    project: 'test/fixtures/evalProject',
    samples: samples.length,
    exactMatchWithContext: withContext.exactMatch,
    exactMatchWithoutContext: without.exactMatch,
    editSimilarityWithContext: withContext.editSimilarity,
    editSimilarityWithoutContext: without.editSimilarity,
    exactMatchRelativeLift: without.exactMatch > 0 ? round(withContext.exactMatch / without.exactMatch - 1) : null,
    byConfiguration: results,
    prefixFirstLayouts: layouts,
    examples,
    seconds: round((performance.now() - started) / 1000, 1),
  };
  console.log(JSON.stringify({ ...output, examples: undefined }, null, 2));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(output, null, 2)}\n`);
  writeReportSection('eval', renderMarkdown(output));
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function renderMarkdown(output: Record<string, any>): string {
  const rows = Object.entries(output.byConfiguration as Record<string, any>)
    .map(([name, r]) => `| ${name} | ${r.exactMatch} | ${r.editSimilarity} | ${r.withDefinitionInPrompt} | ${r.meanContextFiles} |`)
    .join('\n');
  const example = (output.examples as any[]).find((e) => e.config === 'all sources');
  return `## Quality: cross-file context (\`npm run eval\`)

Made by \`npm run eval\` (tools/src/eval.ts) on ${new Date().toISOString().slice(0, 10)}, in ${output.seconds} s, with ${output.model} through the
completion pipeline (greedy, one line, the same prompt budget for every configuration). ${output.samples} samples from
\`${output.project}\`: every reference to a symbol defined in another file of the project, masked from the identifier to
the end of its line. "definition in prompt" is the share of samples whose prompt held the first line of the symbol's
definition. The other project files count as open tabs; nothing was edited, so the recent-edits source has nothing to give.

| context | exact match | edit similarity | definition in prompt | context files per prompt |
| --- | --- | --- | --- | --- |
${rows}

The prompt layout, prefix-first as real models are trained (all sources; the table above is suffix-first, the order the
server uses for this bundled model): the server anchors the prompt where the line's code starts and puts the typed
part of the line at the start of the middle, so that typing re-evaluates only what was typed.

| prefix-first layout | exact match | edit similarity | definition in prompt | context files per prompt |
| --- | --- | --- | --- | --- |
${Object.entries(output.prefixFirstLayouts as Record<string, any>)
  .map(([name, r]) => `| ${name} | ${r.exactMatch} | ${r.editSimilarity} | ${r.withDefinitionInPrompt} | ${r.meanContextFiles} |`)
  .join('\n')}

Exact match with context ÷ without − 1: **${output.exactMatchRelativeLift ?? 'n/a (no exact match without context)'}** (target ≥ 0.3).

One prompt with all sources (\`${example?.sample}\`; expected \`${example?.expected}\`, got \`${example?.completion}\`):

\`\`\`
${example?.prompt ?? ''}
\`\`\`
`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
