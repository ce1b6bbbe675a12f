// The context builder on real code, in process: for a spread of references in each committed eval project (Go,
// Rust, Python, TypeScript), the first line of the referenced symbol's definition must reach the context. The
// expectations come from the projects themselves (where each symbol is defined), not from the builder; the floors
// below are what the builder recalls today, so that a change that loses a language's imports, a package's types or
// a base class fails here, with the samples it lost. `npm run eval` measures the same on more samples, with the model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import test from 'node:test';
import { pathToFileURL } from 'node:url';
import { workspaceContext, contextSources } from '../../server/src/context/contextBuilder';
import { RecentEdits } from '../../server/src/context/recentEdits';
import { approximateTokenCount, type TokenBudget } from '../../server/src/context/tokenBudget';
import { WorkspaceIndex } from '../../server/src/context/workspaceIndex';
import { Logger } from '../../server/src/logger';
import { DocumentTrees } from '../../server/src/syntax/documentTrees';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { makeSamples, type Project, recalled, sourceFiles } from '../../tools/src/eval/samples';
import { repoRoot } from '../support/paths';

const evalSet = join(repoRoot, 'test', 'fixtures', 'evalProjects');
/** Samples per project, spread evenly over all of its references. */
const samplesPerProject = 200;
/** References recalled today, per project, of how many samples it has (raise a floor when recall improves). */
const floors: Record<string, { recalled: number; of: number }> = {
  'msal-node': { recalled: 196, of: 200 },
  secretlint: { recalled: 151, of: 151 },
  email: { recalled: 173, of: 200 },
  jwt: { recalled: 144, of: 144 },
  yaml: { recalled: 188, of: 200 },
  'go-cmp': { recalled: 163, of: 200 },
  toml: { recalled: 161, of: 200 },
};

const log = new Logger({ error: console.error, warn: console.error, info: () => undefined, log: () => undefined });
const grammars = new GrammarRegistry(join(repoRoot, 'grammars'), log);
const projects = (JSON.parse(readFileSync(join(evalSet, 'projects.json'), 'utf8')) as Project[]).map((p) => ({ ...p, root: join(evalSet, p.name) }));
// The production budget (a quarter of a 4 096-token context), counted by the approximate count (no model here).
const budget: TokenBudget = { tokens: 1024, count: approximateTokenCount };

for (const project of projects) {
  const floor = floors[project.name]!;
  test(`context recall on ${project.name} (${project.language}) does not fall below ${floor.recalled} of ${floor.of} references`, async () => {
    const index = new WorkspaceIndex(grammars, log);
    await index.build([project.root], {});
    const files = sourceFiles(project.root, undefined);
    const texts = new Map(files.map((path) => [path, readFileSync(path, 'utf8')]));
    const samples = await makeSamples(project, grammars, index, texts, samplesPerProject);
    assert.equal(samples.length, floor.of, 'the sampler finds the references it found (a changed sampler changes the floors)');
    const builder = workspaceContext({
      grammars,
      trees: new DocumentTrees(),
      index,
      roots: () => [project.root],
      openDocuments: () => [],
      recentEdits: new RecentEdits(),
      readText: async (path) => texts.get(path) ?? readFileSync(path, 'utf8'),
    });
    const sources = Object.fromEntries(contextSources.map((source) => [source, true])) as Record<(typeof contextSources)[number], boolean>;
    const missed: string[] = [];
    for (const sample of samples) {
      const text = sample.prefix + sample.suffix;
      // A deadline no build reaches: what is recalled, not how fast (the eval and bench:index measure speed).
      const snippets = await builder.build({ uri: pathToFileURL(sample.path).href, path: sample.path, languageId: sample.languageId, text, offset: sample.prefix.length }, { budget, deadline: performance.now() + 60_000, sources });
      if (!recalled(sample, snippets)) missed.push(`${relative(project.root, sample.path)}:${sample.line + 1} ${sample.symbol}`);
    }
    const count = samples.length - missed.length;
    console.log(`${project.name}: ${count} of ${samples.length} recalled`);
    assert.ok(count >= floor.recalled, `${count} of ${samples.length} recalled, fewer than ${floor.recalled}; missed: ${missed.join(', ')}`);
  });
}
