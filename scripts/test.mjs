// `npm test`: type-check, build, then every test under node's test runner — unit (fake model), integration (the
// real server over LSP with the tiny model) and end-to-end (a real VS Code: code-server + Chromium). Installs the
// end-to-end tools first when missing (scripts/setup-e2e.sh) and llama-server for the remote-engine tests
// (scripts/build-llama-server.mjs). `--only unit|integration|e2e` narrows the run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { only: { type: 'string', multiple: true } } });
const kinds = values.only?.length ? values.only : ['unit', 'integration', 'e2e'];
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });
const started = Date.now();
let stageStart = started;
const stage = (name) => {
  const now = Date.now();
  console.log(`\n== ${name} (previous stage ${((now - stageStart) / 1000).toFixed(1)} s)`);
  stageStart = now;
};

if (kinds.includes('e2e')) {
  stage('setup end-to-end tools');
  run('bash', [join(root, 'scripts/setup-e2e.sh')]);
}
if (kinds.includes('integration')) {
  // The remote-engine tests serve the tiny model with a real llama-server, built from the llama.cpp source that
  // node-llama-cpp ships and cached outside the clone: about 10 minutes on 2 cores the first time, nothing after.
  stage('llama-server (built once, cached)');
  run(process.execPath, [join(root, 'scripts/build-llama-server.mjs')]);
}
stage('type-check');
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--noEmit']);
stage('build');
run(process.execPath, [join(root, 'scripts/build.mjs'), '--quiet']);

const files = kinds.flatMap((kind) => {
  const dir = join(root, 'out/test', kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith('.test.js')).sort().map((name) => join(dir, name));
});
if (files.length === 0) {
  console.error(`no test files for ${kinds.join(', ')}`);
  process.exit(1);
}
stage(`tests: ${kinds.join(', ')}`);
const result = spawnSync(
  process.execPath,
  // Every test has a bound (the longest, the end-to-end suites, take a few minutes), and a test file that exits with
  // code 0 part-way fails instead of passing with its later tests never run (test/support/exitGuard.cjs).
  ['--enable-source-maps', '--require', join(root, 'test/support/exitGuard.cjs'), '--test', '--test-timeout=900000', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'test/reporters/summary.mjs')}`, '--test-reporter-destination=stdout', ...files],
  { cwd: root, stdio: 'inherit' },
);
console.log(`tests took ${((Date.now() - stageStart) / 1000).toFixed(1)} s; npm test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(result.status ?? 1);
