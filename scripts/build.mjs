// One esbuild script for every entry point: the extension client, the language server, the headless completion
// CLI and the compiled tests. node-llama-cpp stays external: it is ESM with top-level await and native binaries.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const quiet = process.argv.includes('--quiet');
const root = new URL('..', import.meta.url).pathname;

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) found.push(...findTests(path));
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: quiet ? 'warning' : 'info',
  absWorkingDir: root,
  external: ['vscode', 'node-llama-cpp', 'mocha', 'playwright-core', '@vscode/test-electron'],
};

rmSync(join(root, 'out'), { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: { extension: 'client/src/extension.ts', server: 'server/src/server.ts', complete: 'tools/src/complete.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: findTests('test').filter((p) => !p.startsWith('test/fixtures')), outdir: 'out/test', outbase: 'test' }),
  build({ ...common, entryPoints: { demo: 'tools/src/demo.ts', bench: 'tools/src/bench.ts' }, outdir: 'out/tools' }),
]);
