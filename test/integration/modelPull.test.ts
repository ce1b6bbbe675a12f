// Pulling a model from a hub served on 127.0.0.1 the way Hugging Face serves files (test/support/localHub.ts):
// progress, verification, resume, refusal of wrong bytes, a dropped connection, 404s, cancel, no disk space, no
// network, and two pulls of one file at once.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type PullProgress, pullModel, pulledPath, sha256Of } from '../../server/src/download/modelPull';
import { LspSession } from '../../tools/src/lspSession';
import { LocalHub } from '../support/localHub';
import { LocalProxy } from '../support/localProxy';
import { draftModelPath, repoRoot, serverPath, targetModelPath } from '../support/paths';

let hub: LocalHub;
const repo = 'hearth/tiny-code';
const file = 'tiny-code-target-q8_0.gguf';
const source = readFileSync(targetModelPath);
const freshDir = () => mkdtempSync(join(tmpdir(), 'hearth-pull-'));

/** Bytes the Range headers of these requests asked for. */
function rangedBytes(ranges: ReadonlyArray<string | undefined>): number {
  return ranges.reduce((sum, range) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(range ?? '');
    return sum + (match ? Number(match[2]) - Number(match[1]) + 1 : 0);
  }, 0);
}

before(async () => {
  hub = await LocalHub.start([
    { repo, name: file, path: targetModelPath },
    { repo, name: 'draft/tiny-code-draft-q8_0.gguf', path: draftModelPath },
  ]);
});

after(async () => {
  await hub?.stop();
});

test('a pull reports progress, verifies the sha256, and a second pull reuses the file', async () => {
  hub.faults = { bytesPerSecond: 8 * 1024 * 1024 };
  const dir = freshDir();
  const progress: PullProgress[] = [];
  const pulled = await pullModel({ repo, file, dir, hub: hub.url, onProgress: (p) => progress.push(p) });
  assert.equal(pulled.reused, false);
  assert.ok(readFileSync(pulled.path).equals(source), 'byte-identical');
  assert.equal(pulled.sha256, await sha256Of(targetModelPath));
  assert.ok(progress.length >= 2 && progress.at(-1)!.downloadedBytes === source.length, `${progress.length} progress events`);
  assert.ok(progress.every((p) => p.totalBytes === source.length));
  assert.deepEqual(readdirSync(join(pulled.path, '..')).sort(), [file, `${file}.sha256`], 'no temporary or lock file left');
  const requests = hub.blobRequests.length;
  const again = await pullModel({ repo, file, dir, hub: hub.url });
  assert.equal(again.reused, true);
  assert.equal(hub.blobRequests.length, requests, 'nothing downloaded again');
  hub.faults = {};
});

test('a file in a folder of the repository, and files named alike from two repositories, do not meet', async () => {
  const dir = freshDir();
  const pulled = await pullModel({ repo, file: 'draft/tiny-code-draft-q8_0.gguf', dir, hub: hub.url });
  assert.ok(readFileSync(pulled.path).equals(readFileSync(draftModelPath)));
  assert.notEqual(pulledPath(dir, 'a/m', 'x.gguf'), pulledPath(dir, 'b/m', 'x.gguf'));
});

test('a download cancelled half-way resumes where it stopped and ends byte-identical', async () => {
  const dir = freshDir();
  hub.faults = { bytesPerSecond: 2 * 1024 * 1024 };
  const abort = new AbortController();
  // The downloader keeps what came in pieces of 5 MiB, fetched in parallel: cancel when about two thirds are in.
  const first = hub.blobRequests.length;
  await assert.rejects(
    pullModel({ repo, file, dir, hub: hub.url, signal: abort.signal, onProgress: (p) => p.downloadedBytes > 4.5 * 2 ** 20 && abort.abort() }),
    (error: Error & { kind?: string }) => error.kind === 'cancelled',
  );
  console.log(`first attempt: ${JSON.stringify(hub.blobRequests.slice(first).map((r) => r.range))}`);
  assert.ok(!existsSync(pulledPath(dir, repo, file)), 'no file under the real name');
  hub.faults = {};
  const before = hub.blobRequests.length;
  const pulled = await pullModel({ repo, file, dir, hub: hub.url });
  const resumed = hub.blobRequests.slice(before).map((r) => r.range);
  const fetchedAgain = rangedBytes(resumed);
  console.log(`resumed: ${JSON.stringify(resumed)}: ${fetchedAgain} of ${source.length} bytes fetched again`);
  assert.ok(fetchedAgain > 0 && fetchedAgain < source.length, `only what was missing is fetched again: ${JSON.stringify(resumed)}`);
  assert.ok(readFileSync(pulled.path).equals(source), 'byte-identical');
});

test('a pull whose process is killed half-way (a crash) resumes in the next process: its lock is taken over, the rest fetched, the file byte-identical', async () => {
  const dir = freshDir();
  hub.faults = { bytesPerSecond: 1024 * 1024 };
  const first = hub.blobRequests.length;
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'model.js'), 'pull', `${repo}/${file}`, '--dir', dir, '--hub', hub.url], { stdio: 'ignore' });
  const target = pulledPath(dir, repo, file);
  const partial = () => [`${target}.download.ipull`, `${target}.download`].map((p) => (existsSync(p) ? statSync(p).size : 0)).reduce((a, b) => Math.max(a, b), 0);
  const deadline = Date.now() + 30_000;
  // ipull writes in place into a file of the whole size: wait until a few pieces have been written.
  const sentBefore = hub.blobBytesSent;
  while (hub.blobBytesSent - sentBefore < 4.5 * 2 ** 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.ok(existsSync(`${target}.lock`), 'the killed process left its lock');
  assert.ok(partial() > 0 && !existsSync(target), `a partial file and no file under the real name (${partial()} bytes)`);
  console.log(`killed after ${hub.blobBytesSent - sentBefore} bytes were sent: ${JSON.stringify(hub.blobRequests.slice(first).map((r) => r.range))}`);
  hub.faults = {};
  const before = hub.blobRequests.length;
  const pulled = await pullModel({ repo, file, dir, hub: hub.url });
  const resumed = hub.blobRequests.slice(before).map((r) => r.range);
  const fetchedAgain = rangedBytes(resumed);
  console.log(`resumed: ${JSON.stringify(resumed)}: ${fetchedAgain} of ${source.length} bytes fetched again`);
  assert.ok(fetchedAgain > 0 && fetchedAgain < source.length, `only what was missing is fetched again: ${JSON.stringify(resumed)}`);
  assert.ok(readFileSync(pulled.path).equals(source), 'byte-identical');
  assert.deepEqual(readdirSync(join(target, '..')).sort(), [file, `${file}.sha256`], 'the stale lock and the partial file are gone');
});

test('bytes that do not match the stated sha256 are deleted and refused', async () => {
  const dir = freshDir();
  hub.faults = { corrupt: true };
  await assert.rejects(pullModel({ repo, file, dir, hub: hub.url }), (error: Error & { kind?: string }) => error.kind === 'checksum' && /deleted and not used/.test(error.message));
  hub.faults = {};
  const folder = join(pulledPath(dir, repo, file), '..');
  assert.deepEqual(readdirSync(folder), [], `nothing left behind: ${readdirSync(folder).join(', ')}`);
});

test('a connection dropped mid-file: the pull (or the next one) completes byte-identical', async () => {
  const dir = freshDir();
  hub.faults = { dropAfterBytes: 2 * 2 ** 20 };
  let pulled = await pullModel({ repo, file, dir, hub: hub.url }).catch((error: Error & { kind?: string }) => {
    assert.equal(error.kind, 'failed', error.message);
    return undefined;
  });
  hub.faults = {};
  pulled ??= await pullModel({ repo, file, dir, hub: hub.url });
  assert.ok(readFileSync(pulled.path).equals(source));
});

test('a repository or file the hub does not have, and no network, are clear errors', async () => {
  const dir = freshDir();
  await assert.rejects(pullModel({ repo: 'nobody/nothing', file, dir, hub: hub.url }), (error: Error & { kind?: string }) => error.kind === 'notFound' && /nobody\/nothing/.test(error.message));
  await assert.rejects(pullModel({ repo, file: 'missing.gguf', dir, hub: hub.url }), (error: Error & { kind?: string }) => error.kind === 'notFound' && /missing\.gguf/.test(error.message));
  await assert.rejects(pullModel({ repo, file, dir, hub: 'http://127.0.0.1:9' }), (error: Error & { kind?: string }) => error.kind === 'offline' && /No connection/.test(error.message));
  assert.deepEqual(readdirSync(dir), [], 'nothing written');
});

test('a slow download is cancelled at once', async () => {
  const dir = freshDir();
  hub.faults = { bytesPerSecond: 100 * 1024 };
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 300);
  const started = performance.now();
  await assert.rejects(pullModel({ repo, file, dir, hub: hub.url, signal: abort.signal }), (error: Error & { kind?: string }) => error.kind === 'cancelled');
  hub.faults = {};
  const ms = performance.now() - started;
  assert.ok(ms < 3000, `cancelled after ${Math.round(ms)} ms`);
});

test('a file larger than the free disk space is refused before anything is downloaded', async () => {
  const dir = freshDir();
  hub.faults = { statedBytes: 2 ** 53 };
  const before = hub.blobRequests.length;
  await assert.rejects(pullModel({ repo, file, dir, hub: hub.url }), (error: Error & { kind?: string }) => error.kind === 'diskFull' && /free/.test(error.message));
  hub.faults = {};
  assert.equal(hub.blobRequests.length, before);
});

test('a disk that fills up half-way: a clear "disk filled up" error, what came is kept, and the pull resumes once there is space', async (t) => {
  // A small tmpfs needs a mount: in a user and mount namespace of its own (unshare -rm), or as root.
  const namespaced = spawnSync('unshare', ['-rm', 'true']).status === 0;
  if (!namespaced && process.getuid?.() !== 0) return t.skip('cannot mount a tmpfs here (no user namespaces, not root)');
  const helper = join(repoRoot, 'out', 'test', 'support', 'diskFullPull.js');
  const command = namespaced ? ['unshare', '-rm', process.execPath, helper] : [process.execPath, helper];
  hub.faults = { bytesPerSecond: 2 * 1024 * 1024 };
  const { stdout } = await promisify(execFile)(command[0]!, [...command.slice(1), hub.url, repo, file, targetModelPath], { timeout: 60_000 });
  hub.faults = {};
  const result = JSON.parse(stdout);
  console.log(stdout.trim());
  assert.equal(result.filled, true, 'the disk was filled during the download');
  assert.equal(result.first.kind, 'diskFull', result.first.message);
  assert.match(result.first.message, /disk filled up .* is kept: free some space and pull again to resume/);
  assert.deepEqual(result.left.map((f: { name: string }) => f.name), [`${file}.download`], 'the partial file stays for the resume, nothing under the real name');
  assert.deepEqual(result.second, { ok: true, identical: true, left: [file, `${file}.sha256`] });
});

test('two pulls of one file at once do one download', async () => {
  const dir = freshDir();
  hub.faults = { bytesPerSecond: 16 * 1024 * 1024 };
  const before = hub.blobRequests.length;
  const waiting: boolean[] = [];
  const [a, b] = await Promise.all([
    pullModel({ repo, file, dir, hub: hub.url }),
    pullModel({ repo, file, dir, hub: hub.url, onProgress: (p) => waiting.push(p.waitingForOther === true) }),
  ]);
  hub.faults = {};
  assert.equal(a.path, b.path);
  assert.ok(readFileSync(a.path).equals(source));
  assert.equal([a, b].filter((p) => p.reused).length, 1, 'the second found the first one’s file');
  assert.ok(waiting.includes(true), 'the second said it waits for the other');
  const downloads = hub.blobRequests.slice(before).filter((r) => r.range?.startsWith('bytes=0-')).length;
  assert.equal(downloads, 1, `one download: ${JSON.stringify(hub.blobRequests.slice(before))}`);
});

test('headless: `model pull` fetches and verifies, `model list` shows it, `model info` describes it', async () => {
  const dir = freshDir();
  const cli = join(repoRoot, 'dist', 'model.js');
  const run = (...args: string[]) => promisify(execFile)(process.execPath, [cli, ...args], { env: { ...process.env, HF_ENDPOINT: hub.url } });
  const pulled = JSON.parse((await run('pull', `${repo}/${file}`, '--dir', dir, '--json')).stdout);
  assert.equal(pulled.reused, false);
  assert.ok(readFileSync(pulled.path).equals(source));
  const listed = JSON.parse((await run('list', '--dir', dir, '--json')).stdout);
  assert.deepEqual(listed.map((m: { path: string }) => m.path), [pulled.path]);
  const info = (await run('info', pulled.path)).stdout;
  assert.match(info, /architecture llama, 6\.2 M parameters, Q8_0/);
  assert.match(info, /fill-in-the-middle: yes, from the GGUF metadata keys/);
  assert.match(info, /memory in Hearth: \d+ MiB .*: fits/);
  const missing = await run('pull', `${repo}/missing.gguf`, '--dir', dir).catch((error: { code: number; stderr: string }) => error);
  assert.equal((missing as { code: number }).code, 1);
  assert.match((missing as { stderr: string }).stderr, /has no file missing\.gguf/);
});

test('over LSP (what Choose Model does): the server pulls from hearth.modelHub with progress, the model is then used; model info before loading', async () => {
  const dir = freshDir();
  const session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'info', modelHub: hub.url } });
  try {
    await session.waitForStatus((s) => s.state === 'ready', 120_000);
    hub.faults = { bytesPerSecond: 8 * 1024 * 1024 };
    const progress: number[] = [];
    const pulled = await session.pullModel({ repo, file, dir }, (p) => progress.push(p.downloadedBytes)).result;
    hub.faults = {};
    assert.equal(pulled.error, undefined);
    assert.ok(pulled.path && readFileSync(pulled.path).equals(source));
    assert.ok(progress.length >= 2 && progress.at(-1) === source.length, `progress: ${progress.join(', ')}`);
    const info = await session.modelInfo(pulled.path);
    assert.equal(info.fim, true);
    assert.ok(info.lines?.some((line) => /fill-in-the-middle: yes/.test(line)));
    await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info', modelHub: hub.url, modelPath: pulled.path });
    const status = await session.waitForStatus((s) => s.state === 'ready' && s.model === file, 60_000);
    assert.equal(status.model, file);
    // What Choose Model's recommendation starts from (gpu is off here, so no GPU is asked for).
    const machine = await session.machine();
    assert.ok(machine.totalBytes > machine.freeBytes && machine.freeBytes > 0 && machine.performanceCores >= 1, JSON.stringify(machine));
    assert.equal(machine.gpu, undefined);
    const missing = await session.pullModel({ repo, file: 'missing.gguf', dir }).result;
    assert.equal(missing.errorKind, 'notFound');
    const notGguf = await session.modelInfo(join(repoRoot, 'package.json'));
    assert.match(notGguf.error ?? '', /not a GGUF file/);
  } finally {
    await session.stop();
  }
});

test('through a proxy: http.proxy as the editor sends it (over LSP), and HTTPS_PROXY for the headless command; http.noProxy is honoured', async (t) => {
  const proxy = await LocalProxy.start();
  // A host name that resolves nowhere: only the proxy (which sends every host to 127.0.0.1) reaches the hub by it.
  const hiddenHub = hub.url.replace('127.0.0.1', 'hub.hearth.test');
  t.after(() => proxy.stop());
  const session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'info' } });
  try {
    const dir = freshDir();
    const direct = await session.pullModel({ repo, file, dir, hub: hiddenHub }).result;
    assert.equal(direct.errorKind, 'offline', `without the proxy the host is not reached: ${direct.error}`);
    const pulled = await session.pullModel({ repo, file, dir, hub: hiddenHub, proxy: { url: proxy.url, noProxy: [], strictSSL: true } }).result;
    assert.equal(pulled.error, undefined);
    assert.ok(readFileSync(pulled.path!).equals(source), 'byte-identical through the proxy');
    const port = new URL(hub.url).port;
    assert.ok(proxy.requests.some((r) => r.includes(`hub.hearth.test:${port}`)), `the proxy carried it: ${proxy.requests.join('; ')}`);
    const bypassed = await session.pullModel({ repo, file, dir: freshDir(), hub: hiddenHub, proxy: { url: proxy.url, noProxy: ['hub.hearth.test'], strictSSL: true } }).result;
    assert.equal(bypassed.errorKind, 'offline', `a host in http.noProxy is reached directly (and here, not at all): ${bypassed.error}`);
    const bad = await session.pullModel({ repo, file, dir: freshDir(), hub: hiddenHub, proxy: { url: 'proxy.example 3128', noProxy: [], strictSSL: true } }).result;
    assert.match(bad.error ?? '', /http\.proxy is not a URL/);
  } finally {
    await session.stop();
  }
  const seen = proxy.requests.length;
  const cli = join(repoRoot, 'dist', 'model.js');
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'pull', `${repo}/${file}`, '--dir', freshDir(), '--hub', hiddenHub, '--json'], { env: { ...process.env, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '' } });
  assert.ok(readFileSync(JSON.parse(stdout).path).equals(source));
  assert.ok(proxy.requests.length > seen, 'the headless command went through HTTPS_PROXY');
});
