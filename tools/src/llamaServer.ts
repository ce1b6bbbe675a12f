// A real llama-server on 127.0.0.1 for the remote-engine tests and benchmarks: built once from the llama.cpp source
// node-llama-cpp ships (scripts/build-llama-server.mjs, cached outside the clone), serving a model on a free port.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
/** The clone's root, from wherever this module was bundled to (out/tools, out/test/…). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'build-llama-server.mjs'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Hearth clone above ${__dirname}`);
  }
}

/** The llama-server binary, built now if the cache has none (about 10 minutes on 2 cores; progress on stderr). */
export function llamaServerBinary(): string {
  const output = execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build-llama-server.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return output.trim().split('\n').at(-1)!;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

export interface LlamaServer {
  url: string;
  port: number;
  process: ChildProcess;
  log: string[];
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export interface LlamaServerOptions {
  model: string;
  slots?: number;
  contextSize?: number;
  apiKey?: string;
  port?: number;
}

export async function startLlamaServer(binary: string, options: LlamaServerOptions): Promise<LlamaServer> {
  const port = options.port ?? (await freePort());
  const slots = options.slots ?? 2;
  const args = ['-m', options.model, '--host', '127.0.0.1', '--port', String(port), '-np', String(slots), '-c', String((options.contextSize ?? 2048) * slots), '-t', '1', '-tb', '1', '--no-webui', '--no-kv-unified'];
  if (options.apiKey) args.push('--api-key', options.apiKey);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (log.length > 2000) log.splice(0, log.length - 2000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited (${child.exitCode}):\n${log.slice(-20).join('\n')}`);
    const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`llama-server did not become healthy:\n${log.slice(-20).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined));
  return {
    url,
    port,
    process: child,
    log,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited();
      clearTimeout(timer);
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited();
    },
  };
}
