// A characterization test of the context builder on real code: for references spread over every committed eval
// project, the exact context built (each snippet's source, file, length and a hash of its text) is what
// test/fixtures/contextGolden.json recorded. Unlike the recall floors (contextRecall.test.ts), which hold the builder
// to finding definitions, this catches any change in what it picks, orders, cuts or leaves out — intended or not.
// After an intended change, review the differences it prints, then record the new context:
//   node scripts/build.mjs --quiet && HEARTH_UPDATE_GOLDEN=1 node --test out/test/unit/contextGolden.test.js
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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
import { makeSamples, openAround, type Project, sourceFiles } from '../../tools/src/eval/samples';
import { repoRoot } from '../support/paths';

const evalSet = join(repoRoot, 'test', 'fixtures', 'evalProjects');
const goldenPath = join(repoRoot, 'test', 'fixtures', 'contextGolden.json');
const samplesPerProject = 15;
/** Two budgets: the production one, and a tight one where signatures and leaving out decide. */
const budgets = [1024, 160];

const log = new Logger({ error: console.error, warn: console.error, info: () => undefined, log: () => undefined });
const grammars = new GrammarRegistry(join(repoRoot, 'grammars'), log);
const projects = (JSON.parse(readFileSync(join(evalSet, 'projects.json'), 'utf8')) as Project[]).map((p) => ({ ...p, root: join(evalSet, p.name) }));

type Recorded = Record<string, string[]>;

async function contexts(project: Project & { root: string }): Promise<Recorded> {
  const index = new WorkspaceIndex(grammars, log);
  await index.build([project.root], {});
  const files = sourceFiles(project.root, undefined);
  const texts = new Map(files.map((path) => [path, readFileSync(path, 'utf8')]));
  const samples = await makeSamples(project, grammars, index, texts, samplesPerProject);
  // The editor has the sample's file open and a few of its neighbours (as in npm run eval): the similar-code source
  // searches those; one neighbour was just edited, for the recent-edits source.
  let current = samples[0]!;
  const recentEdits = new RecentEdits();
  const builder = workspaceContext({
    grammars,
    trees: new DocumentTrees(),
    index,
    roots: () => [project.root],
    openDocuments: () => openAround(files, texts, current.path),
    recentEdits,
    readText: async (path) => texts.get(path) ?? readFileSync(path, 'utf8'),
  });
  const sources = Object.fromEntries(contextSources.map((source) => [source, true])) as Record<(typeof contextSources)[number], boolean>;
  const recorded: Recorded = {};
  for (const tokens of budgets) {
    const budget: TokenBudget = { tokens, count: approximateTokenCount };
    for (const sample of samples) {
      current = sample;
      const neighbour = files[(files.indexOf(sample.path) + 1) % files.length]!;
      const before = texts.get(neighbour)!;
      const lines = before.split('\n');
      const middle = Math.floor(lines.length / 2);
      recentEdits.record(pathToFileURL(neighbour).href, before, [...lines.slice(0, middle), `${lines[middle]} // edited`, ...lines.slice(middle + 1)].join('\n'));
      const text = sample.prefix + sample.middle.slice(0, Math.ceil(sample.middle.length / 2)) + sample.suffix;
      // The cursor in the middle of the masked reference, as while typing it (a member access shapes the context).
      const offset = sample.prefix.length + Math.ceil(sample.middle.length / 2);
      const snippets = await builder.build({ uri: pathToFileURL(sample.path).href, path: sample.path, languageId: sample.languageId, text, offset }, { budget, deadline: performance.now() + 60_000, sources });
      recorded[`${relative(project.root, sample.path)}:${sample.line + 1} ${sample.symbol} @${tokens}`] = snippets.map(
        (s) => `${s.source} ${s.path} ${s.text.length} ${createHash('sha256').update(s.text).digest('hex').slice(0, 10)}`,
      );
    }
  }
  return recorded;
}

test('the context builder builds exactly the recorded context for references in every eval project', async () => {
  const now: Record<string, Recorded> = {};
  for (const project of projects) now[project.name] = await contexts(project);
  if (process.env.HEARTH_UPDATE_GOLDEN) {
    writeFileSync(goldenPath, `${JSON.stringify(now, null, 1)}\n`);
    console.log(`recorded ${goldenPath}`);
    return;
  }
  const golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as Record<string, Recorded>;
  const differences: string[] = [];
  for (const [project, recorded] of Object.entries(golden)) {
    for (const [sample, snippets] of Object.entries(recorded)) {
      const got = now[project]?.[sample];
      if (JSON.stringify(got) !== JSON.stringify(snippets)) differences.push(`${project} ${sample}:\n  recorded ${JSON.stringify(snippets)}\n  now      ${JSON.stringify(got)}`);
    }
  }
  const samples = Object.values(golden).reduce((sum, r) => sum + Object.keys(r).length, 0);
  assert.ok(samples > 150, `${samples} recorded contexts`);
  assert.equal(differences.length, 0, `${differences.length} of ${samples} contexts differ from the record:\n${differences.slice(0, 8).join('\n')}`);
});
