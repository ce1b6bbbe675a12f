// Builds llama.cpp's `llama-server` from the source node-llama-cpp ships (a git bundle in its package), for the
// remote-engine tests and benchmarks. The build is cached outside the clone, keyed by the bundle's hash, so a later
// run (or another clone) finds it: `${XDG_CACHE_HOME:-~/.cache}/hearth/llama-server/<tag>-<hash>/bin/llama-server`.
// Prints the binary's path on stdout (progress goes to stderr). `--print-path` only prints where it would be.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const llamaFolder = join(root, 'node_modules', 'node-llama-cpp', 'llama');
const bundle = join(llamaFolder, 'gitRelease.bundle');

export function llamaServerCacheFolder() {
  const tag = JSON.parse(readFileSync(join(llamaFolder, 'llama.cpp.info.json'), 'utf8')).tag;
  const hash = createHash('sha256').update(readFileSync(bundle)).digest('hex').slice(0, 12);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'hearth', 'llama-server', `${tag}-${hash}`);
}

function run(command, args, cwd) {
  process.stderr.write(`$ ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`${command} ${args[0]} failed (exit ${result.status ?? result.signal})`);
}

export function buildLlamaServer() {
  const folder = llamaServerCacheFolder();
  const binary = join(folder, 'bin', 'llama-server');
  if (existsSync(binary)) return binary;
  const missing = [['git', 'git'], ['cmake', 'cmake'], ['g++', 'g++']].filter(([tool]) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    // As scripts/setup-e2e.sh does for its tools: Debian's packages, when this is Debian and we may install.
    const root = process.getuid?.() === 0;
    const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
    if (!apt || !(root || spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0)) throw new Error(`building llama-server needs ${missing.join(', ')} (apt-get install ${missing.join(' ')})`);
    const asRoot = (args) => (root ? run(args[0], args.slice(1)) : run('sudo', ['-n', ...args]));
    asRoot(['apt-get', 'update', '-qq']);
    asRoot(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', ...missing]);
  }
  const work = `${folder}.building-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dirname(folder), { recursive: true });
  const started = Date.now();
  run('git', ['clone', '--quiet', bundle, join(work, 'src')]);
  run('cmake', ['-S', join(work, 'src'), '-B', join(work, 'build'), '-DCMAKE_BUILD_TYPE=Release', '-DLLAMA_CURL=OFF', '-DLLAMA_BUILD_SERVER=ON',
    '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_EXAMPLES=OFF', '-DGGML_NATIVE=ON', '-DBUILD_SHARED_LIBS=OFF', ...(spawnSync('ninja', ['--version'], { stdio: 'ignore' }).status === 0 ? ['-G', 'Ninja'] : [])], work);
  run('cmake', ['--build', join(work, 'build'), '--target', 'llama-server', '--parallel', String(cpus().length)], work);
  mkdirSync(join(work, 'bin'), { recursive: true });
  renameSync(join(work, 'build', 'bin', 'llama-server'), join(work, 'bin', 'llama-server'));
  rmSync(join(work, 'build'), { recursive: true, force: true });
  rmSync(join(work, 'src'), { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
  renameSync(work, folder);
  process.stderr.write(`llama-server built in ${Math.round((Date.now() - started) / 1000)} s: ${binary}\n`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--print-path')) console.log(join(llamaServerCacheFolder(), 'bin', 'llama-server'));
  else console.log(buildLlamaServer());
}
