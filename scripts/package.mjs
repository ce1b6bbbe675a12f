// Builds and packages a platform-specific .vsix: the bundles, the bundled models, node-llama-cpp with its runtime
// dependencies, the target platform's CPU binary of llama.cpp and, where node-llama-cpp publishes one small enough,
// its GPU binary (Vulkan on linux-x64 and win-x64; Metal is the macOS arm64 build itself). CUDA is left out: its
// binaries alone are 600 MB. A release machine builds each target with `npm run package -- --target <os>-<arch>`
// once that platform's @node-llama-cpp/* packages are installed (npm install --os/--cpu, or on that platform).
//   node scripts/package.mjs [--target linux-x64] [--out FILE]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { target: { type: 'string' }, out: { type: 'string' } } });
const target = values.target ?? `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
const [os, arch] = target.split('-');
const llamaPlatform = `${os === 'win32' ? 'win' : os === 'darwin' ? 'mac' : os}-${arch}${os === 'darwin' && arch === 'arm64' ? '-metal' : ''}`;
/** GPU builds shipped beside the CPU one (node-llama-cpp picks the GPU build that loads, else the CPU). */
const gpuPlatforms = { 'linux-x64': ['linux-x64-vulkan'], 'win-x64': ['win-x64-vulkan'] }[llamaPlatform] ?? [];
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (!existsSync(join(root, 'node_modules/@node-llama-cpp', llamaPlatform))) {
  const version = JSON.parse(readFileSync(join(root, 'node_modules/node-llama-cpp/package.json'), 'utf8')).version;
  console.error(`No llama.cpp binary for ${target} is installed (node_modules/@node-llama-cpp/${llamaPlatform}): a .vsix without it could not run.`);
  console.error(`On a release machine: npm install --no-save --os=${os} --cpu=${arch} @node-llama-cpp/${llamaPlatform}@${version}${gpuPlatforms.map((name) => ` @node-llama-cpp/${name}@${version}`).join('')}`);
  process.exit(1);
}
const out = values.out ?? join(root, `hearth-${target}-${manifest.version}.vsix`);

// Bundled into dist/: not shipped again as node_modules.
const bundled = ['vscode-languageclient', 'vscode-languageserver', 'vscode-languageserver-protocol', 'vscode-languageserver-textdocument', 'vscode-jsonrpc', 'vscode-languageserver-types', 'diff', 'undici', 'picomatch'];
const ignore = [
  '**/*.map', '**/*.ts', '.vscode/**', '.ci/**', '.tools/**', '.test-state/**', 'client/**', 'server/**', 'common/**',
  'tools/**', 'test/**', 'out/**', 'scripts/**', 'docs/**', '!docs/images/**', '*.vsix', 'tsconfig.json', '**/.gitignore',
  '.cache/**', 'test-results/**', 'bench-results*.json', 'bench-results/**', '.stryker-tmp/**', 'stryker.config.mjs',
  ...bundled.map((name) => `node_modules/${name}/**`),
  'node_modules/@node-llama-cpp/**', `!node_modules/@node-llama-cpp/${llamaPlatform}/**`,
  ...gpuPlatforms.filter((name) => existsSync(join(root, 'node_modules/@node-llama-cpp', name))).map((name) => `!node_modules/@node-llama-cpp/${name}/**`),
  'node_modules/node-llama-cpp/llama/gitRelease.bundle', 'node_modules/node-llama-cpp/llama/xpack/**',
  // The repository's README stays out: the package's is docs/MARKETPLACE.md (vsce --readme-path).
  'node_modules/**/*.md', 'README.md', 'node_modules/**/test/**', 'node_modules/**/docs/**',
  'node_modules/web-tree-sitter/debug/**', 'node_modules/typescript/**', 'node_modules/@typescript/**',
];
writeFileSync(join(root, '.vscodeignore'), `# Written by scripts/package.mjs for ${target}; edit the script, not this file.\n${ignore.join('\n')}\n`);

execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
// The Extensions page shows the user's guide (docs/MARKETPLACE.md), not the repository's README, which opens with the
// contributor's commands. Its images ship in the package (docs/images) and are linked relatively: VS Code's Extensions
// page shows them from the installed folder; no repository URL is needed.
execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--target', target, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links', '--readme-path', 'docs/MARKETPLACE.md'], {
  cwd: root,
  stdio: 'inherit',
});
console.log(`packaged ${out}`);
