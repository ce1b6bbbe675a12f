// `npm run mutate` (not in CI): runs StrykerJS (stryker.config.mjs) over the modules that decide what ghost text the
// user sees, then prints the mutation score per module and writes it to docs/RELIABILITY.md ("Mutation testing").
// `--report-only` reads the last run's JSON report (test-results/mutation/mutation.json, or `--report FILE`) without
// running Stryker and rewrites the rows of the modules it holds;
// `--module NAME` mutates one module only (its files), e.g. `--module "stop rules"`, and rewrites that module's row:
// each row says when its module was last run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readSection, reliabilityDocument, writeReportSection } from './reportFile';

const root = join(__dirname, '..', '..');
const reportPath = join(root, 'test-results', 'mutation', 'mutation.json');

/** The modules the issue names, by the files that make them up (as in stryker.config.mjs's `mutate`). */
export const mutatedModules: ReadonlyArray<{ name: string; files: RegExp; globs: string[] }> = [
  { name: 'completion pipeline', files: /^server\/src\/completion\/completionPipeline\.ts$/, globs: ['server/src/completion/completionPipeline.ts'] },
  { name: 'stop rules', files: /^server\/src\/completion\/stopRules\//, globs: ['server/src/completion/stopRules/*.ts'] },
  { name: 'filters', files: /^server\/src\/completion\/filters\//, globs: ['server/src/completion/filters/*.ts'] },
  { name: 'cache', files: /^server\/src\/completion\/completionCache\.ts$/, globs: ['server/src/completion/completionCache.ts'] },
  { name: 'FIM layout', files: /^server\/src\/model\/fimTemplate\.ts$/, globs: ['server/src/model/fimTemplate.ts'] },
  {
    name: 'context builder',
    files: /^server\/src\/context\/(context(Builder|Text|Source)|definitionsSource|receiverTypes|typeOutline|similarSource|recentEditsSource)\.ts$/,
    globs: ['contextBuilder', 'contextText', 'contextSource', 'definitionsSource', 'receiverTypes', 'typeOutline', 'similarSource', 'recentEditsSource'].map((name) => `server/src/context/${name}.ts`),
  },
  { name: "model's token loop", files: /^server\/src\/model\/(tokenStream|tokenLoop|kvReuse)\.ts$/, globs: ['server/src/model/tokenStream.ts', 'server/src/model/tokenLoop.ts', 'server/src/model/kvReuse.ts'] },
  { name: 'engines', files: /^server\/src\/engines\/engines\.ts$/, globs: ['server/src/engines/engines.ts'] },
  { name: 'client middleware', files: /^client\/src\/inlineMiddleware\.ts$/, globs: ['client/src/inlineMiddleware.ts'] },
];

/** The score threshold the issue sets for each module. */
export const requiredScore = 80;

interface MutantJson {
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
}
interface ReportJson {
  files: Record<string, { mutants: MutantJson[] }>;
}

export interface ModuleScore {
  name: string;
  mutants: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Stryker's mutation score: detected (killed or timed out) over valid mutants (detected, survived, not covered). */
  score: number;
}

export function moduleScores(report: ReportJson, base = root): ModuleScore[] {
  return mutatedModules.map((module) => {
    const counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0 };
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const path = relative(base, join(base, file)).split('\\').join('/');
      if (!module.files.test(path)) continue;
      for (const mutant of mutants) {
        if (mutant.status === 'Killed') counts.killed++;
        else if (mutant.status === 'Timeout') counts.timeout++;
        else if (mutant.status === 'Survived') counts.survived++;
        else if (mutant.status === 'NoCoverage') counts.noCoverage++;
      }
    }
    const valid = counts.killed + counts.timeout + counts.survived + counts.noCoverage;
    return { name: module.name, mutants: valid, ...counts, score: valid === 0 ? Number.NaN : (100 * (counts.killed + counts.timeout)) / valid };
  });
}

const tableHeader = ['| module | mutants | killed | timed out | survived | not covered | score | run on |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];

export function scoreRow(s: ModuleScore, runOn: string): string {
  return `| ${s.name} | ${s.mutants} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${Number.isNaN(s.score) ? 'not run' : `**${s.score.toFixed(1)} %**`} | ${runOn} |`;
}

/**
 * The table of every module: this run's rows for the modules it mutated, the earlier rows (from `previous`, the
 * section as it stands) for the others, each module's row found by its name; a module never run says so.
 */
export function mergedScoreTable(fresh: ReadonlyMap<string, string>, previous: string): string {
  const rows = mutatedModules.map((module) => {
    const row = fresh.get(module.name) ?? previous.split('\n').find((line) => line.startsWith(`| ${module.name} |`));
    return row ?? `| ${module.name} | | | | | | not run | |`;
  });
  return [...tableHeader, ...rows].join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const only = args.includes('--module') ? args[args.indexOf('--module') + 1] : undefined;
  const reportOnly = args.includes('--report-only');
  const reportFile = args.includes('--report') ? args[args.indexOf('--report') + 1]! : reportPath;
  const modules = only ? mutatedModules.filter((m) => m.name === only) : mutatedModules;
  if (modules.length === 0) throw new Error(`no module named ${only}: ${mutatedModules.map((m) => m.name).join(', ')}`);
  const started = Date.now();
  if (!reportOnly) {
    const stryker = join(root, 'node_modules', '.bin', 'stryker');
    const mutate = modules.flatMap((m) => m.globs).join(',');
    const run = spawnSync(stryker, ['run', '--mutate', mutate], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`stryker exited with ${run.status ?? run.signal}`);
  }
  if (!existsSync(reportFile)) throw new Error(`no mutation report at ${reportFile}: run npm run mutate`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ReportJson;
  // The modules this report holds (a --report-only of a one-module run holds one).
  const scores = moduleScores(report).filter((s) => modules.some((m) => m.name === s.name) && s.mutants > 0);
  const runOn = reportOnly ? statSync(reportFile).mtime.toISOString().slice(0, 10) : new Date().toISOString().slice(0, 10);
  const minutes = reportOnly ? undefined : ((Date.now() - started) / 60000).toFixed(0);
  const fresh = new Map(scores.map((s) => [s.name, scoreRow(s, minutes === undefined ? runOn : `${runOn} (${minutes} min${only ? '' : ', all modules'})`)]));
  const table = mergedScoreTable(fresh, readSection('mutation', reliabilityDocument));
  console.log(`\n${table}\n`);
  const below = scores.filter((s) => !(s.score >= requiredScore));
  console.log(below.length === 0 ? `every module run here at or above ${requiredScore} %` : `below ${requiredScore} %: ${below.map((s) => s.name).join(', ')}`);
  writeReportSection(
    'mutation',
    [
      '## Mutation testing (`npm run mutate`)',
      '',
      `Made by \`npm run mutate\` (all modules) or \`npm run mutate -- --module NAME\` (one row) on 2 cores: StrykerJS ${strykerVersion()} (tap runner over`,
      "node's test runner, per-test-file coverage) mutates each module below, builds once with esbuild and runs the compiled unit",
      'tests that reach each mutant. A mutant is detected when a test fails (killed) or the run times out; the score is',
      `detected over all valid mutants, not-covered ones included. The target is ≥ ${requiredScore} % per module. Surviving mutants are`,
      'listed, with the line and the change, at the end of the run and in test-results/mutation/mutation.html.',
      '',
      table,
    ].join('\n'),
    reliabilityDocument,
  );
}

function strykerVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', '@stryker-mutator', 'core', 'package.json'), 'utf8')) as { version: string }).version;
}

// Run as `node out/tools/mutationReport.js`, not when a test bundles this module (there require.main is the test).
if (require.main === module && /mutationReport\.js$/.test(process.argv[1] ?? '')) main();
