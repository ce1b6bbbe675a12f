// One esbuild script for every entry point: the extension client, the language server, the headless completion
// CLI and the compiled tests. node-llama-cpp stays external: it is ESM with top-level await and native binaries.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
  // web-tree-sitter loads its own .wasm from beside its script: it ships as a package, not inside the bundle.
  external: ['vscode', 'node-llama-cpp', 'web-tree-sitter', 'mocha', 'playwright-core', '@vscode/test-electron'],
};

// Tree-sitter grammars, copied from their pinned npm packages into grammars/wasm/ (shipped in the .vsix; the
// queries beside them, grammars/queries/, are ours and committed). Each is checked to load with the pinned
// web-tree-sitter by test/unit/grammars.test.ts.
const grammarSources = {
  'tree-sitter-typescript.wasm': '@vscode/tree-sitter-wasm/wasm/tree-sitter-typescript.wasm',
  'tree-sitter-tsx.wasm': '@vscode/tree-sitter-wasm/wasm/tree-sitter-tsx.wasm',
  'tree-sitter-javascript.wasm': '@vscode/tree-sitter-wasm/wasm/tree-sitter-javascript.wasm',
  'tree-sitter-python.wasm': '@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm',
  'tree-sitter-go.wasm': '@vscode/tree-sitter-wasm/wasm/tree-sitter-go.wasm',
  'tree-sitter-rust.wasm': '@vscode/tree-sitter-wasm/wasm/tree-sitter-rust.wasm',
  'tree-sitter-java.wasm': '@vscode/tree-sitter-wasm/wasm/tree-sitter-java.wasm',
  'tree-sitter-cpp.wasm': '@vscode/tree-sitter-wasm/wasm/tree-sitter-cpp.wasm',
  'tree-sitter-c.wasm': 'tree-sitter-c/tree-sitter-c.wasm',
};
/** A file in an installed package, looked up as node resolves packages: the nearest node_modules up from the root
 * (a mutation-testing sandbox inside the clone has none of its own while it builds). */
function packageFile(from) {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', from);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${from} is not installed: run npm install`);
  }
}
mkdirSync(join(root, 'grammars', 'wasm'), { recursive: true });
for (const [file, from] of Object.entries(grammarSources)) {
  copyFileSync(packageFile(from), join(root, 'grammars', 'wasm', file));
}

rmSync(join(root, 'out'), { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: { extension: 'client/src/extension.ts', server: 'server/src/server.ts', engine: 'server/src/engine.ts', complete: 'tools/src/complete.ts', instruct: 'tools/src/instruct.ts', nextEdit: 'tools/src/nextEdit.ts', model: 'tools/src/model.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: findTests('test').filter((p) => !p.startsWith('test/fixtures')), outdir: 'out/test', outbase: 'test' }),
  build({ ...common, entryPoints: { demo: 'tools/src/demo.ts', bench: 'tools/src/bench.ts', makeShapedModel: 'tools/src/makeShapedModel.ts', eval: 'tools/src/eval.ts', indexBench: 'tools/src/indexBench.ts', fuzz: 'tools/src/fuzz.ts', fuzzWorker: 'tools/src/fuzz/fuzzWorker.ts', soak: 'tools/src/soak.ts', reliability: 'tools/src/reliabilityReport.ts', mutationReport: 'tools/src/mutationReport.ts' }, outdir: 'out/tools' }),
]);
