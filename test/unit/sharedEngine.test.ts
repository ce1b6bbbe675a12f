// The shared engine's channel and host, over real Unix sockets in a temporary folder, with a fake model: who may
// connect, how requests from two windows reach one model, what a cancellation and a window going away do, and when the
// engine ends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createMessageConnection, type MessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-languageserver/node';
import type { GeneratedToken } from '../../server/src/model/completionModel';
import { ChannelError, type EngineIdentity, engineFiles, engineKey, ensurePrivateDir, probeSocket, readSecret, runtimeDir, writeSecret } from '../../server/src/sharedEngine/engineChannel';
import { EngineHost, windowKey } from '../../server/src/sharedEngine/engineHost';
import { calibrationMaxAgeMs, keptCalibration, takeLock } from '../../server/src/sharedEngine/engineProcess';
import { EngineFocusNotification, HelloRequest } from '../../server/src/sharedEngine/engineProtocol';
import { type LaunchOptions, loadSharedCompletionModel } from '../../server/src/sharedEngine/engineLauncher';
import { WindowFocus } from '../../server/src/sharedEngine/sharedEngineFeature';
import { Logger } from '../../server/src/logger';
import type { ModelSpec } from '../../server/src/model/modelHost';
import { SharedCompletionModel, sharedModel } from '../../server/src/sharedEngine/sharedCompletionModel';
import { isTextModel } from '../../server/src/model/completionModel';
import { FakeModel } from '../support/fakeModel';
import { estimateTokens, measureCharsPerToken } from '../../server/src/sharedEngine/tokenEstimate';

const root = mkdtempSync(join(tmpdir(), 'hearth-shared-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const folder = () => {
  const dir = join(root, `d${folders++}`);
  ensurePrivateDir(dir);
  return dir;
};
const quiet = { info: () => undefined, warn: () => undefined };
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** How a test's window connects: to engines in `dir`, starting `enginePath` where none runs, the model file taken as sound. */
const launchOptions = (dir: string, enginePath: string): LaunchOptions => ({
  enginePath,
  version: '1.0.0',
  dir,
  idleMs: 1000,
  logLevel: 'warn',
  windowCacheMegabytes: 0,
  log: new Logger({ error() {}, warn() {}, info() {}, log() {} }),
  validateModel: async () => undefined,
});

const identity: EngineIdentity = { version: '1.0.0', modelPath: '/m/a.gguf', draftModelPath: '', threads: 1, adaptiveThreads: false, gpu: 'off', fimOrder: 'psm', speculation: 'auto' };

test('an engine is named by the version and the settings its model is loaded with', () => {
  assert.equal(engineKey(identity), engineKey({ ...identity }));
  const changes: Array<Partial<EngineIdentity>> = [{ version: '1.0.1' }, { modelPath: '/m/b.gguf' }, { threads: 2 }, { draftModelPath: '/m/d.gguf' }, { gpu: 'auto' }];
  for (const change of changes) {
    assert.notEqual(engineKey({ ...identity, ...change }), engineKey(identity), JSON.stringify(change));
  }
  assert.equal(runtimeDir({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/hearth');
  assert.equal(runtimeDir({}, 1000), join(tmpdir(), 'hearth-1000'));
});

test('the private folder is made 0700; one open to others, a link, or another user’s is refused', { skip: process.platform === 'win32' }, () => {
  const dir = join(root, 'private');
  ensurePrivateDir(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const open = join(root, 'open');
  mkdirSync(open, { mode: 0o755 });
  chmodSync(open, 0o755);
  assert.throws(() => ensurePrivateDir(open), (error: Error) => error instanceof ChannelError && /open to other users \(mode 755\)/.test(error.message));
  const link = join(root, 'link');
  symlinkSync(dir, link);
  assert.throws(() => ensurePrivateDir(link), /not a directory/);
  assert.throws(() => ensurePrivateDir(dir, statSync(dir).uid + 1), /belongs to another user/);
});

test('the secret is written 0600 and read back; none reads as undefined', { skip: process.platform === 'win32' }, () => {
  const dir = folder();
  const files = engineFiles(dir, 'k');
  assert.equal(readSecret(files.secret), undefined);
  const secret = writeSecret(files.secret);
  assert.equal(secret.length, 64);
  assert.equal(readSecret(files.secret), secret);
  assert.equal(statSync(files.secret).mode & 0o777, 0o600);
});

test('a socket no engine listens on any more is told from a live one and from none', { skip: process.platform === 'win32' }, async () => {
  const dir = folder();
  const socket = join(dir, 'probe.sock');
  assert.equal(await probeSocket(socket), 'absent');
  // An engine killed outright leaves its socket file behind.
  const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  assert.equal(await probeSocket(socket), 'live');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(existsSync(socket));
  assert.equal(await probeSocket(socket), 'stale');
});

test('one engine per key takes the lock; a dead engine’s lock is taken over', async () => {
  const dir = folder();
  const lock = join(dir, 'e.lock');
  assert.equal(await takeLock(lock), true);
  writeFileSync(lock, String(process.ppid)); // a live process holds it
  assert.equal(await takeLock(lock), false);
  writeFileSync(lock, '999999999'); // no such process
  assert.equal(await takeLock(lock), true);
});

/** An engine host on a socket in a fresh private folder, with `model`. */
async function engine(model: FakeModel, options: { idleMs?: number; onIdle?: () => void; dir?: string; key?: string } = {}) {
  const dir = options.dir ?? folder();
  const files = engineFiles(dir, options.key ?? 'test');
  const secret = writeSecret(files.secret);
  const host = new EngineHost({ model: Promise.resolve(model), modelPath: '/m/a.gguf', secret, version: '1.0.0', idleMs: options.idleMs ?? 60_000, log: quiet, onIdle: options.onIdle ?? (() => undefined) });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    host.attach(createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket)), () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(files.socket, resolve));
  const clients = new Set<Socket>();
  const connectRaw = async () => {
    const socket = connect(files.socket);
    clients.add(socket);
    await new Promise((resolve) => socket.once('connect', resolve));
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    connection.listen();
    return { socket, connection };
  };
  const open = async (): Promise<MessageConnection> => (await connectRaw()).connection;
  const window = async () => {
    const { socket, connection } = await connectRaw();
    const hello = await connection.sendRequest(HelloRequest, { secret, version: '1.0.0', pid: process.pid });
    return { socket, connection, hello, model: sharedModel(connection, hello, async () => connection.dispose()) };
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    host.dispose();
    server.close();
    for (const socket of [...sockets, ...clients]) socket.destroy();
  };
  return { host, open, window, stop, secret };
}

const collect = async (tokens: AsyncIterable<GeneratedToken>) => {
  let text = '';
  for await (const token of tokens) text += token.text;
  return text;
};

test('a connection without the engine’s secret is refused and closed; nothing else is answered before it', async () => {
  const model = new FakeModel(['a']);
  const { open, host, stop } = await engine(model);
  try {
    const stranger = await open();
    const closed = new Promise((resolve) => stranger.onClose(resolve));
    await assert.rejects(stranger.sendRequest(HelloRequest, { secret: 'guess', version: '1.0.0', pid: 1 }), /Refused/);
    await closed;
    assert.equal(host.windowCount, 0);
    const rude = await open();
    const shared = new SharedCompletionModel(rude, { engine: { pid: 0, version: '', windows: 0 }, model: { name: 'x', contextBudgetTokens: 0, modelPath: '', charsPerToken: 3 } }, async () => rude.dispose());
    await assert.rejects(shared.infill({ prefix: 'a', suffix: '', maxTokens: 4, signal: new AbortController().signal }).done, /say hello/);
    assert.equal(model.requests.length, 0);
    rude.dispose();
  } finally {
    stop();
  }
});

test('two windows on one engine: each gets its own tokens and stats, its documents keyed by its window', async () => {
  const model = new FakeModel(['one', ' two', ' three']);
  const { window, host, stop } = await engine(model);
  try {
    const first = await window();
    const second = await window();
    assert.equal(second.hello.engine.windows, 2);
    assert.equal(host.windowCount, 2);
    assert.equal(first.model.name, 'fake.gguf');
    assert.equal(first.model.contextBudgetTokens, 256);
    const a = first.model.infill({ prefix: 'x', suffix: '', maxTokens: 2, documentKey: 'file:///a.ts', signal: new AbortController().signal });
    const b = second.model.infill({ prefix: 'y', suffix: '', maxTokens: 3, documentKey: 'file:///a.ts', signal: new AbortController().signal });
    assert.deepEqual(await Promise.all([collect(a.tokens), collect(b.tokens)]), ['one two', 'one two three']);
    assert.equal((await a.done).generatedTokens, 2);
    assert.equal((await b.done).generatedTokens, 3);
    const keys = model.requests.map((r) => r.documentKey);
    assert.equal(new Set(keys).size, 2, 'the same file in two windows is two documents to the engine');
    assert.ok(keys.every((key) => key?.endsWith('|file:///a.ts')));
    assert.equal(second.model.lastPrompt(), model.lastPrompt());
    assert.deepEqual(model.requests.map((r) => r.unfocused), [false, false], 'a window is taken as focused until it says otherwise');
    // The user moved to the second window: the first one's requests wait behind the focused window's.
    void first.connection.sendNotification(EngineFocusNotification, { focused: false });
    await collect(first.model.infill({ prefix: 'z', suffix: '', maxTokens: 1, signal: new AbortController().signal }).tokens);
    await collect(second.model.infill({ prefix: 'z', suffix: '', maxTokens: 1, signal: new AbortController().signal }).tokens);
    assert.deepEqual(model.requests.slice(2).map((r) => r.unfocused), [true, false]);
    first.model.prepare({ prefix: 'p', suffix: '', maxTokens: 1, documentKey: 'file:///b.ts' });
    for (let i = 0; i < 50 && model.prepared.length === 0; i++) await delay(10);
    assert.equal(model.prepared[0]?.documentKey, windowKey(1, 'file:///b.ts'));
    await first.model.dispose();
    await second.model.dispose();
  } finally {
    stop();
  }
});

test('a cancelled request and one whose reader stopped both stop the engine’s generation', async () => {
  const model = new FakeModel(Array.from({ length: 200 }, (_, i) => `t${i} `));
  const { window, stop } = await engine(model);
  try {
    const { model: shared } = await window();
    model.beforeToken = () => delay(2);
    const controller = new AbortController();
    const run = shared.infill({ prefix: 'x', suffix: '', maxTokens: 200, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await collect(run.tokens);
    const stats = await run.done;
    assert.ok(stats.generatedTokens < 200, `stopped after ${stats.generatedTokens} tokens`);
    assert.ok(model.requests[0]!.signal.aborted, 'the engine’s signal was aborted');

    const reader = shared.infill({ prefix: 'y', suffix: '', maxTokens: 200, signal: new AbortController().signal });
    for await (const token of reader.tokens) if (token.text === 't2 ') break;
    const stopped = await reader.done;
    assert.ok(stopped.generatedTokens < 200, `stopped after ${stopped.generatedTokens} tokens`);
    assert.ok(model.requests[1]!.signal.aborted);
    await shared.idle();
  } finally {
    stop();
  }
});

test('a window that goes away mid-request has its request aborted; the engine ends once no window is left for the idle time', async () => {
  const model = new FakeModel(Array.from({ length: 500 }, () => 'x'));
  let ended = false;
  const { window, host, stop } = await engine(model, { idleMs: 100, onIdle: () => (ended = true) });
  try {
    const first = await window();
    const second = await window();
    model.beforeToken = () => delay(2);
    const lost = first.model.infill({ prefix: 'x', suffix: '', maxTokens: 500, signal: new AbortController().signal });
    await delay(30);
    first.socket.destroy(); // the window's server was killed: its end of the socket is gone
    await assert.rejects(lost.done, /disposed/, 'the request does not hang');
    for (let i = 0; i < 100 && !model.requests[0]!.signal.aborted; i++) await delay(10);
    assert.ok(model.requests[0]!.signal.aborted, 'its generation stopped');
    for (let i = 0; i < 100 && model.released.length === 0; i++) await delay(10);
    assert.equal(model.released.length, 1, 'its documents were let go of');
    const [belongs] = model.released;
    assert.equal(belongs!(model.requests[0]!.documentKey!), true, 'the window’s own document');
    assert.equal(belongs!(windowKey(1, 'file:///other.ts')), true);
    assert.equal(belongs!(windowKey(2, 'file:///a.ts')), false, 'not the other window’s');
    assert.equal(belongs!(windowKey(11, 'file:///a.ts')), false, 'not a window whose number starts the same');
    model.beforeToken = () => undefined;
    assert.equal(await collect(second.model.infill({ prefix: 'y', suffix: '', maxTokens: 3, signal: new AbortController().signal }).tokens), 'xxx', 'the other window is unaffected');
    assert.equal(host.windowCount, 1);
    await delay(200);
    assert.equal(ended, false, 'one window is still connected');
    await second.model.dispose();
    for (let i = 0; i < 100 && !ended; i++) await delay(10);
    assert.equal(ended, true);
  } finally {
    stop();
  }
});

test('explain and refactor go to the engine too, where its model writes free text; cancelling stops it', async () => {
  const model = new FakeModel(['x']);
  model.textScript = Array.from({ length: 100 }, (_, i) => `w${i} `);
  const { window, stop } = await engine(model);
  try {
    const { model: shared } = await window();
    assert.ok(isTextModel(shared));
    assert.equal(shared.instructFormat, 'chat');
    assert.equal(shared.instructContextTokens, 4096);
    const prompt = { system: 'Explain.', user: 'const a = 1;', plain: 'const a = 1;' };
    const run = shared.generateText({ prompt, maxTokens: 3, signal: new AbortController().signal });
    assert.equal(await collect(run.tokens), 'w0 w1 w2 ');
    assert.equal((await run.done).generatedTokens, 3);
    assert.equal(shared.lastInstructPrompt(), JSON.stringify(prompt));
    model.beforeToken = () => delay(2);
    const controller = new AbortController();
    const long = shared.generateText({ prompt, maxTokens: 100, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await collect(long.tokens);
    assert.ok((await long.done).generatedTokens < 100);
    await shared.dispose();
  } finally {
    stop();
  }
});

test('a restarted engine reuses the calibration measured at the last start, unless it is a day old or the model file changed', () => {
  const dir = folder();
  const model = join(dir, 'm.gguf');
  writeFileSync(model, 'weights');
  let clock = 1_000_000;
  const cache = keptCalibration(join(dir, 'e.calibration.json'), model, () => clock);
  assert.equal(cache.read(), undefined, 'nothing kept yet');
  const calibration = { prefillCurve: [{ tokens: 64, ms: 500 }], batchCosts: [{ tokens: 3, steps: 3.3 }] };
  cache.write(calibration);
  assert.deepEqual(cache.read(), calibration);
  clock += calibrationMaxAgeMs + 1;
  assert.equal(cache.read(), undefined, 'too old');
  clock -= calibrationMaxAgeMs;
  writeFileSync(model, 'other weights');
  assert.equal(cache.read(), undefined, 'another model file at the same path');
  writeFileSync(join(dir, 'e.calibration.json'), '{broken');
  assert.equal(cache.read(), undefined, 'a damaged file is measured again');
});

test('a window finds the running engine its settings name (reading its secret again while it is a dead one’s), says where the user is, and hears when the engine goes away', async () => {
  const model = new FakeModel(['a']);
  const spec: ModelSpec = { modelPath: '/m/a.gguf', draftModelPath: '', threads: 1, adaptiveThreads: false, gpu: 'off', fimOrder: 'psm', speculation: 'off', shared: true };
  const dir = folder();
  const key = engineKey({ version: '1.0.0', ...spec });
  const { stop, host, secret } = await engine(model, { dir, key });
  // A dead engine's secret is still there: the new one writes its own once it listens; the window reads it again.
  writeSecret(engineFiles(dir, key).secret, 'stale');
  setTimeout(() => writeSecret(engineFiles(dir, key).secret, secret), 200);
  const focus = new WindowFocus();
  const engines: Array<{ windows: number; log: string }> = [];
  let lost = 0;
  try {
    const shared = await loadSharedCompletionModel(spec, {
      ...launchOptions(dir, '/nonexistent/engine.js'), // an engine runs: nothing is started
      onEngine: (e) => engines.push(e),
      onLost: () => lost++,
      focus,
    });
    assert.equal(host.windowCount, 1);
    assert.equal(engines.at(-1)?.windows, 1);
    assert.match(engines.at(-1)!.log, /engine-[0-9a-f]{16}\.log$/);
    // The fake model counts a token a word or mark; the window estimates from the engine's measure, erring long.
    const code = 'const total = items.reduce((sum, item) => sum + item.price * item.count, 0);';
    assert.ok(shared.countTokens(code) >= model.countTokens(code), `${shared.countTokens(code)} ≥ ${model.countTokens(code)}`);
    assert.ok(shared.countTokens(code) <= model.countTokens(code) * 1.5, `${shared.countTokens(code)} ≤ 1.5 × ${model.countTokens(code)}`);
    focus.set(false);
    await collect(shared.infill({ prefix: 'x', suffix: '', maxTokens: 1, signal: new AbortController().signal }).tokens);
    focus.set(true);
    await collect(shared.infill({ prefix: 'y', suffix: '', maxTokens: 1, signal: new AbortController().signal }).tokens);
    assert.deepEqual(model.requests.map((r) => r.unfocused), [true, false], 'the window’s focus reached the engine before each request');
    stop(); // the engine goes away
    for (let i = 0; i < 100 && lost === 0; i++) await delay(10);
    assert.equal(lost, 1, 'the window is told, once, so that it loads again');
    await shared.dispose();
    assert.equal(lost, 1, 'letting go of the engine itself is no loss');
  } finally {
    stop();
  }
});

test('a window introduced to an engine that ends under it connects again, rather than failing', async () => {
  const model = new FakeModel(['a']);
  const spec: ModelSpec = { modelPath: '/m/a.gguf', draftModelPath: '', threads: 1, adaptiveThreads: false, gpu: 'off', fimOrder: 'psm', speculation: 'off', shared: true };
  const dir = folder();
  const files = engineFiles(dir, engineKey({ version: '1.0.0', ...spec }));
  const secret = writeSecret(files.secret);
  const host = new EngineHost({ model: Promise.resolve(model), modelPath: spec.modelPath, secret, version: '1.0.0', idleMs: 60_000, log: quiet, onIdle: () => undefined });
  let connections = 0;
  const server: Server = createServer((socket) => {
    // The first connection reaches an engine that is ending: it reads the hello and is gone without an answer.
    if (connections++ === 0) socket.once('data', () => socket.destroy());
    else host.attach(createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket)), () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(files.socket, resolve));
  try {
    const shared = await loadSharedCompletionModel(spec, launchOptions(dir, '/nonexistent/engine.js'));
    assert.equal(connections, 2, 'connected again');
    assert.equal(host.windowCount, 1);
    assert.equal(await collect(shared.infill({ prefix: 'x', suffix: '', maxTokens: 1, signal: new AbortController().signal }).tokens), 'a');
    await shared.dispose();
  } finally {
    host.dispose();
    server.close();
  }
});

test('a model file the loader would refuse fails in the window with its message; no engine is started for it', async () => {
  const dir = folder();
  const spec: ModelSpec = { modelPath: '/m/broken.gguf', draftModelPath: '', threads: 1, adaptiveThreads: false, gpu: 'off', fimOrder: 'psm', speculation: 'off', shared: true };
  await assert.rejects(
    loadSharedCompletionModel(spec, {
      ...launchOptions(dir, join(dir, 'would-start.js')),
      validateModel: async (path) => {
        throw new Error(`${path} is not a GGUF file`);
      },
    }),
    /broken\.gguf is not a GGUF file/,
  );
  const files = engineFiles(dir, engineKey({ version: '1.0.0', ...spec }));
  assert.equal(existsSync(files.lock) || existsSync(files.socket), false, 'no engine was started');
});

test('a window counts tokens by the engine’s measure of its tokenizer, erring long', () => {
  // A tokenizer of 4 characters a token: the window takes a token to be 3.6 characters.
  const perToken = measureCharsPerToken((text) => Math.ceil(text.length / 4));
  assert.ok(Math.abs(perToken - 3.6) < 0.01, String(perToken));
  const text = 'x'.repeat(400);
  assert.equal(estimateTokens(text, perToken), 112);
  assert.equal(estimateTokens('', perToken), 0);
  assert.equal(measureCharsPerToken(() => 0), 1, 'a tokenizer that says nothing: a character a token');
});
