// One engine for every window, over LSP with the tiny model: three language servers (three windows) with
// hearth.sharedEngine on find one engine process — the first starts it, the others find it — and all complete on it;
// a window killed mid-request has its sequences freed while the others go on; the engine killed, each window's next
// completion comes from a new engine, which replaces the dead one's socket; the windows gone, the engine ends. The
// engine's channel is a socket only its user may open: another user id is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LspSession } from '../../tools/src/lspSession';
import { serverPath } from '../support/paths';
import { waitForLine } from '../support/logLines';

const runtime = mkdtempSync(join(tmpdir(), 'hearth-runtime-'));
const engineDir = join(runtime, 'hearth');
after(() => rmSync(runtime, { recursive: true, force: true }));
const settings = { threads: 1, gpu: 'off', logLevel: 'info', sharedEngine: true, sharedEngineIdleMinutes: 0 };

const engineFile = (suffix: string) => {
  const name = readdirSync(engineDir).find((n) => n.startsWith('engine-') && n.endsWith(suffix));
  return name && join(engineDir, name);
};
const enginePid = () => {
  const lock = engineFile('.lock');
  return lock && existsSync(lock) ? Number(readFileSync(lock, 'utf8')) : undefined;
};
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function window(logs: string[]): Promise<LspSession> {
  const lsp = await LspSession.start({ serverPath, settings, env: { XDG_RUNTIME_DIR: runtime }, onLog: (line) => logs.push(line) });
  assert.equal((await lsp.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000)).state, 'ready');
  return lsp;
}

async function completes(lsp: LspSession, name: string): Promise<void> {
  const uri = `untitled:${name}.ts`;
  await lsp.open(uri, 'typescript', `function ${name}(a: number) {\n  return \n}\n`);
  await lsp.complete(uri, { line: 1, character: 9 });
  const metrics = await lsp.nextMetrics();
  assert.ok(['served', 'empty'].includes(metrics.outcome), `${name}: ${metrics.outcome} ${metrics.reason ?? ''}`);
}

test('three windows share one engine; a window killed mid-request frees its sequences; a killed engine is replaced; the engine ends after the last window', { timeout: 300_000 }, async () => {
  const logs: string[][] = [[], [], []];
  const first = await window(logs[0]!);
  let second: LspSession | undefined;
  let third: LspSession | undefined;
  try {
    await waitForLine(logs[0]!, /Shared engine: started pid \d+, 1 window\(s\) on it/);
    second = await window(logs[1]!);
    await waitForLine(logs[1]!, /Shared engine: found pid \d+, 2 window\(s\) on it/);
    third = await window(logs[2]!);
    await waitForLine(logs[2]!, /Shared engine: found pid \d+, 3 window\(s\) on it/);
    const pid = enginePid();
    assert.ok(pid, 'the engine holds its lock');
    assert.equal(statSync(engineDir).mode & 0o777, 0o700);
    assert.equal(statSync(engineFile('.sock')!).mode & 0o777, 0o600);
    assert.equal(statSync(engineFile('.secret')!).mode & 0o777, 0o600);
    await completes(first, 'one');
    await completes(second, 'two');
    await completes(third, 'three');
    // The status says which engine and how many windows use it: the first window hears of the others.
    const shared = await first.waitForStatus((s) => s.sharedEngine?.windows === 3, 10_000);
    assert.equal(shared.sharedEngine!.log, engineFile('.log'));
    let engineLog = readFileSync(engineFile('.log')!, 'utf8');
    assert.match(engineLog, /window 3 \(pid \d+\) connected; 3 window\(s\)/);
    assert.equal(engineLog.match(/ready/g)?.length, 1, 'the model was loaded once, for all windows');

    // The third window's server killed while its request runs: its sequence is freed, the others go on.
    const thirdPid = third.pid!;
    const uri = 'untitled:three.ts';
    void third.complete(uri, { line: 1, character: 9 }).catch(() => undefined);
    await delay(30);
    process.kill(thirdPid, 'SIGKILL');
    for (let i = 0; i < 100 && !/sequence\(s\) freed: their window went away/.test(engineLog); i++) {
      await delay(100);
      engineLog = readFileSync(engineFile('.log')!, 'utf8');
    }
    assert.match(engineLog, new RegExp(`window 3 \\(pid ${thirdPid}\\) left; 2 window\\(s\\)`));
    assert.match(engineLog, /KV: 1 sequence\(s\) freed: their window went away/);
    await completes(first, 'oneAgain');
    await completes(second, 'twoAgain');
    assert.equal(enginePid(), pid, 'the same engine');

    // The engine killed: both windows connect to a new one, which replaces the dead one's socket, and complete on it.
    const from = logs.map((lines) => lines.length);
    process.kill(pid!, 'SIGKILL');
    const killed = performance.now();
    for (const [i, lsp] of [first, second].entries()) {
      await waitForLine(logs[i]!, /Shared engine: (started|found) pid \d+/, from[i]);
      await lsp.waitForStatus((s) => s.state === 'ready', 60_000);
      await completes(lsp, `after${i}`);
    }
    const recoveryMs = performance.now() - killed;
    const replacement = enginePid();
    assert.ok(replacement && replacement !== pid, 'a new engine');
    assert.match(readFileSync(engineFile('.log')!, 'utf8'), /a stale socket was left at .* \(its engine died\): replaced/);
    console.log(`engine killed → both windows completing again in ${Math.round(recoveryMs)} ms`);
  } finally {
    await Promise.all([first.stop(), second?.stop(), third?.stop()]);
  }
  // No window left, idle time 0: the engine ends and removes its socket, secret and lock.
  for (let i = 0; i < 100 && engineFile('.lock'); i++) await delay(100);
  assert.equal(engineFile('.lock'), undefined);
  assert.equal(engineFile('.sock'), undefined);
});

test('another user id cannot open the engine’s folder or socket', { skip: process.getuid?.() !== 0 ? 'needs root to act as a second user id' : false, timeout: 180_000 }, async () => {
  const logs: string[] = [];
  const lsp = await LspSession.start({ serverPath, settings, env: { XDG_RUNTIME_DIR: runtime }, onLog: (line) => logs.push(line) });
  try {
    await lsp.waitForStatus((s) => s.state === 'ready', 120_000);
    const socket = engineFile('.sock')!;
    const script = `require('node:net').connect(${JSON.stringify(socket)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`;
    const other = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8' });
    assert.equal(other.status, 0, other.stderr);
    assert.equal(other.stdout.trim(), 'EACCES', 'user 65534 is refused at the socket');
    const secret = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', engineFile('.secret')!], { encoding: 'utf8' });
    assert.notEqual(secret.status, 0, 'nor can it read the secret');
  } finally {
    await lsp.stop();
  }
});
