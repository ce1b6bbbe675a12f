// npm run fuzz -- [--cases N] [--seed S] [--only I,J] [--model PATH] [--json FILE]
// Mutates a bundled model's GGUF header, metadata and tensor table (see fuzz/mutations.ts) and loads each case through
// Hearth's validation and node-llama-cpp in a child process: every case must end as a refusal or a working model,
// never a crash, a hang or memory past the bound. Prints the counts, writes them to --json FILE (cases, crashes,
// hangs, refused, loaded, maxRssMiB) and to docs/RELIABILITY.md when run on the default model with no --only.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mutationKinds } from './fuzz/mutations';
import { runFuzz } from './fuzz/fuzzRunner';
import { reliabilityDocument, writeReportSection } from './reportFile';

const repoRoot = join(__dirname, '..', '..');
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    only: { type: 'string' },
    model: { type: 'string' },
    json: { type: 'string' },
    'timeout-ms': { type: 'string', default: '30000' },
    'memory-mib': { type: 'string', default: '1024' },
  },
});

async function main(): Promise<void> {
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const cases = Number(values.cases);
  if (!Number.isInteger(seed) || !Number.isInteger(cases) || cases < 1) throw new Error('--seed and --cases take whole numbers');
  const indexes = values.only ? values.only.split(',').map(Number) : Array.from({ length: cases }, (_, i) => i);
  const modelPath = values.model ?? join(repoRoot, 'models', 'tiny-code-draft-q8_0.gguf');
  console.error(`Fuzzing ${modelPath}: ${indexes.length} cases, seed ${seed} (again: npm run fuzz -- --seed ${seed} --only I)`);
  const report = await runFuzz({
    modelPath,
    seed,
    indexes,
    timeoutMs: Number(values['timeout-ms']),
    memoryLimitMiB: Number(values['memory-mib']),
    workerScript: join(repoRoot, 'out', 'tools', 'fuzzWorker.js'),
    onCase: (result) => {
      if (!['refusedByHearth', 'refusedByLlamaCpp', 'loaded'].includes(result.outcome)) console.error(`case ${result.index} (${result.description}): ${result.outcome}: ${result.message}`);
      else if ((result.index + 1) % 100 === 0) console.error(`${result.index + 1} cases…`);
    },
  });
  const summary = { cases: report.cases, crashes: report.crashes, hangs: report.hangs, refused: report.refused, loaded: report.loaded, maxRssMiB: report.maxRssMiB, overMemory: report.overMemory, seed, seconds: report.seconds, byKind: report.byKind, failures: report.failures };
  console.log(JSON.stringify(summary, null, 2));
  if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 2));
  if (!values.only && !values.model) writeReportSection('fuzz', renderMarkdown(report, `npm run fuzz -- --cases ${cases} --seed ${seed}`), reliabilityDocument);
  if (report.crashes + report.hangs + report.overMemory > 0) process.exitCode = 1;
}

function regressions(): Array<{ seed: number; index: number; description: string; found: string }> {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'fuzz', 'regressions.json'), 'utf8'));
}

function renderMarkdown(report: Awaited<ReturnType<typeof runFuzz>>, command: string): string {
  const rows = mutationKinds.map((kind) => {
    const k = report.byKind[kind] ?? { cases: 0, refused: 0, loaded: 0, failed: 0 };
    return `| ${kind} | ${k.cases} | ${k.refused} | ${k.loaded} | ${k.failed} |`;
  });
  return `## GGUF fuzzing (\`npm run fuzz\`)

Made by \`${command}\` on ${new Date().toISOString().slice(0, 10)}, in ${report.seconds} s: the bundled draft model
(models/tiny-code-draft-q8_0.gguf) mutated ${report.cases} times — its header, metadata and tensor table (see
tools/src/fuzz/mutations.ts) — each case loaded in a child process as the server loads a model: Hearth's validation,
then llama.cpp through node-llama-cpp, then a few tokens evaluated. A case must end as a refusal with a message or a
working model; a crash, a hang (30 s) or more than 1 GiB resident is a failure.

| mutation | cases | refused | loaded | crash / hang / memory |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
| **all** | **${report.cases}** | **${report.refused}** | **${report.loaded}** | **${report.crashes} / ${report.hangs} / ${report.overMemory}** |

Largest resident memory of the loading process: ${report.maxRssMiB} MiB.

What fuzzing found (each case kept in test/fixtures/fuzz/regressions.json and replayed by
test/integration/fuzz.test.ts; the refusals are also unit tests in test/unit/ggufValidation.test.ts):

${regressions().map((r) => `- seed ${r.seed} case ${r.index}, ${r.description}: ${r.found}.`).join('\n')}${report.failures.length > 0 ? `\n\nFailures: ${report.failures.map((f) => `case ${f.index} (${f.description}): ${f.outcome}`).join('; ')}.` : ''}`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
