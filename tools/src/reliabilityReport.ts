// npm run reliability: runs the reliability tests (hostile input, faults, two windows, load) against the real server
// and writes what they tried, case by case, with the outcome and the figures they print, to docs/RELIABILITY.md.
// What each found and how it was fixed is kept in test/fixtures/reliability/findings.json beside them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reliabilityDocument, writeReportSection } from './reportFile';

const repoRoot = join(__dirname, '..', '..');
const suites: Array<{ section: string; title: string; file: string }> = [
  { section: 'hostile', title: 'Hostile documents and settings', file: 'hostileInput' },
  { section: 'faults', title: 'Faults: the model file changed under a loaded model, a model too large for memory', file: 'faults' },
  { section: 'twoWindows', title: 'Two windows on one workspace', file: 'twoWindows' },
  { section: 'load', title: 'Load: 20 keystrokes a second for 60 s across 3 documents', file: 'load' },
];

interface Finding {
  section: string;
  found: string;
  fix: string;
}

function main(): void {
  const findings = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'reliability', 'findings.json'), 'utf8')) as Finding[];
  let failed = 0;
  for (const suite of suites) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=tap', join(repoRoot, 'out', 'test', 'integration', `${suite.file}.test.js`)], {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const lines = run.stdout.split('\n');
    // Leaf tests (those without subtests of their own) with their outcome; the figures they print (# lines).
    const results = lines
      .map((line) => /^(\s*)(ok|not ok) \d+ - (.*?)(?: # .*)?$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ depth: m[1]!.length, ok: m[2] === 'ok', name: m[3]! }));
    // In TAP a test's subtests come before its own line, one level deeper: a test is a leaf when the line before it is not deeper.
    const tried = results.filter((r, i) => i === 0 || results[i - 1]!.depth <= r.depth);
    const figures = lines.filter((line) => /^\s*# /.test(line) && !/^\s*# (Subtest|tests|suites|pass|fail|cancelled|skipped|todo|duration_ms)\b/.test(line)).map((line) => line.replace(/^\s*# /, ''));
    failed += tried.filter((r) => !r.ok).length;
    const found = findings.filter((f) => f.section === suite.section);
    writeReportSection(
      suite.section,
      `## ${suite.title}

Made by \`npm run reliability\` on ${new Date().toISOString().slice(0, 10)} (test/integration/${suite.file}.test.ts, the real server and the
bundled model, ${seconds} s): ${tried.length} case(s), ${tried.filter((r) => r.ok).length} holding.

| case | holds |
| --- | --- |
${tried.map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ok ? 'yes' : '**no**'} |`).join('\n')}
${figures.length > 0 ? `\nWhat the run printed:\n\n${figures.map((f) => `    ${f}`).join('\n')}\n` : ''}${found.length > 0 ? `\nFound by these tests and fixed:\n\n${found.map((f) => `- ${f.found} Now: ${f.fix}`).join('\n')}\n` : ''}`,
      reliabilityDocument,
    );
    console.error(`${suite.file}: ${tried.filter((r) => r.ok).length}/${tried.length} in ${seconds} s`);
  }
  if (failed > 0) process.exitCode = 1;
}

main();
