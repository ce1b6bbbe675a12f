// Hostile documents and settings against the real server and the bundled model: each case gets an answer or a clear
// message, the server stays up and serves the next request, and nothing is written into the workspace.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspSession } from '../../tools/src/lspSession';
import { fixtureWorkspace, serverPath } from '../support/paths';

const baseSettings = { threads: 1, gpu: 'off', logLevel: process.env.HEARTH_TEST_LOG ?? 'info' };

/** Every file under `dir` with its size and modification time. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const info = statSync(join(dir, name));
    files[relative(dir, join(dir, name))] = info.isDirectory() ? 'dir' : `${info.size}:${info.mtimeMs}`;
  }
  return files;
}

describe('hostile documents and settings: an answer or a clear message, the server up, nothing lost', () => {
  let session: LspSession;
  let workspace: string;
  let storage: string;
  let before_: Record<string, string>;
  const logs: string[] = [];
  let probeVersion = 0;

  /** A plain completion after each case: the server still serves. */
  async function stillServes(): Promise<void> {
    assert.equal(session.hasExited, false, 'the server is still running');
    probeVersion++;
    // A settings change may be reloading the model: the probe waits for it, as the editor's next keystroke would.
    await session.waitForStatus((s) => s.state === 'ready', 120_000);
    await session.open('untitled:probe.ts', 'typescript', `function times${probeVersion}(x: number) {\n  return \n}\n`, probeVersion);
    const items = await session.complete('untitled:probe.ts', { line: 1, character: 9 });
    assert.ok(Array.isArray(items));
    const metrics = await session.nextMetrics();
    assert.ok(['served', 'empty'].includes(metrics.outcome), `probe: ${metrics.outcome} ${metrics.reason ?? ''}`);
  }

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'hearth-hostile-ws-'));
    cpSync(fixtureWorkspace, workspace, { recursive: true });
    storage = mkdtempSync(join(tmpdir(), 'hearth-hostile-storage-'));
    before_ = snapshot(workspace);
    session = await LspSession.start({ serverPath, settings: baseSettings, workspaceFolder: workspace, indexCacheDir: storage, onLog: (line) => logs.push(line) });
    const status = await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
    assert.equal(status.state, 'ready', status.message);
  });

  after(async () => {
    await session?.stop();
  });

  const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);
  const binary = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 256)).toString('latin1');
  const documents: Array<{ name: string; uri: string; languageId: string; text: string; position: { line: number; character: number } }> = [
    { name: 'a 10 MB single-line file', uri: 'untitled:oneline.js', languageId: 'javascript', text: `const s = "${tenMegabytes}";\nconst t = `, position: { line: 1, character: 10 } },
    { name: 'the middle of a 10 MB line', uri: 'untitled:oneline2.js', languageId: 'javascript', text: `const s = "${tenMegabytes}";`, position: { line: 0, character: 5 * 1024 * 1024 } },
    { name: 'binary content', uri: 'untitled:blob.ts', languageId: 'typescript', text: binary, position: { line: 0, character: 10 } },
    { name: 'NUL bytes in code', uri: 'untitled:nul.ts', languageId: 'typescript', text: 'const a = "\0\0\0";\nconst b = \0\nfunction f(\0) {\n  return ', position: { line: 3, character: 9 } },
    { name: 'lone UTF-16 surrogates', uri: 'untitled:surrogates.ts', languageId: 'typescript', text: 'const hi = "\uD800";\nconst lo = "\uDC00";\nconst x = \uD83D', position: { line: 2, character: 10 } },
    { name: 'CRLF line ends', uri: 'untitled:crlf.ts', languageId: 'typescript', text: 'function add(a, b) {\r\n  return a + b;\r\n}\r\n\r\nconst sum = add(\r\n', position: { line: 4, character: 16 } },
    { name: 'mixed line ends (LF, CRLF, lone CR)', uri: 'untitled:mixed.py', languageId: 'python', text: 'def f(x):\n    return x\r\n\rdef g(y):\r    return \n', position: { line: 4, character: 11 } },
    {
      name: 'a 100 000-line file',
      uri: pathToFileURL(join(tmpdir(), 'hearth-lines.ts')).href,
      languageId: 'typescript',
      text: Array.from({ length: 100_000 }, (_, i) => `export const value${i} = ${i};`).join('\n'),
      position: { line: 50_000, character: 13 },
    },
    { name: 'a git: URI (a diff view)', uri: 'git:/repo/src/a.ts?%7B%22path%22%3A%22%2Frepo%2Fsrc%2Fa.ts%22%2C%22ref%22%3A%22HEAD%22%7D', languageId: 'typescript', text: 'export function a() {\n  return \n}\n', position: { line: 1, character: 9 } },
    { name: 'a notebook cell', uri: 'vscode-notebook-cell:/home/u/nb.ipynb#W1sZmlsZQ%3D%3D', languageId: 'python', text: 'import math\nradius = 2\narea = math.', position: { line: 2, character: 12 } },
    { name: 'an untitled document', uri: 'untitled:Untitled-1', languageId: 'typescript', text: 'let count = 0;\ncount = count ', position: { line: 1, character: 14 } },
    { name: 'an unknown language id', uri: 'untitled:spell.klingon', languageId: 'klingon', text: "Qapla' batlh\nghItlh ", position: { line: 1, character: 7 } },
    { name: 'a position past the end of the document', uri: 'untitled:short.ts', languageId: 'typescript', text: 'const a = 1;\n', position: { line: 40, character: 900 } },
  ];

  for (const document of documents) {
    test(document.name, async () => {
      await session.open(document.uri, document.languageId, document.text);
      const started = performance.now();
      const items = await session.complete(document.uri, document.position);
      const metrics = await session.nextMetrics();
      console.log(`${document.name}: ${metrics.outcome}${metrics.reason ? ` (${metrics.reason})` : ''} in ${Math.round(performance.now() - started)} ms; ${items.length} item(s)`);
      assert.ok(Array.isArray(items));
      assert.ok(['served', 'empty', 'skipped'].includes(metrics.outcome), `${metrics.outcome} ${metrics.reason ?? ''}`);
      for (const item of items) assert.ok(!item.includes('\0'), 'no NUL byte is inserted');
      await stillServes();
    });
  }

  const fifo = join(mkdtempSync(join(tmpdir(), 'hearth-fifo-')), 'model.gguf');
  before(() => execFileSync('mkfifo', [fifo]));
  const badModels: Array<{ name: string; modelPath: unknown; message: RegExp }> = [
    { name: 'a model path that is a directory', modelPath: tmpdir(), message: /is not a file/ },
    { name: 'a model path that is a FIFO (opening it would block)', modelPath: fifo, message: /is not a file/ },
    { name: 'a relative model path', modelPath: 'models/q.gguf', message: /hearth\.modelPath is "models\/q\.gguf", a relative path/ },
    { name: 'a ~ path to a file that is not there', modelPath: '~/no-such-model.gguf', message: new RegExp(`${join(homedir(), 'no-such-model\\.gguf').replace(/\//g, '\\/')} does not exist`) },
  ];
  for (const { name, modelPath, message } of badModels) {
    test(`settings: ${name} gives a clear message and no model, and clearing it brings completions back`, async () => {
      await session.updateSettings({ ...baseSettings, modelPath });
      const status = await session.waitForStatus((s) => s.state === 'error');
      assert.match(status.message, message);
      assert.equal(session.hasExited, false);
      await session.updateSettings(baseSettings);
      await session.waitForStatus((s) => s.state === 'ready', 120_000);
      await stillServes();
    });
  }

  test('settings of the wrong type, negative or huge fall back to defaults or bounds; the model loads again with them', async () => {
    // gpu: 42 falls back to the default ('auto'), which differs from 'off': the model is loaded again.
    const reloaded = session.waitForStatus((s) => s.state === 'loading', 30_000);
    await session.updateSettings({ ...baseSettings, modelPath: 12, threads: -4, maxLines: 1e12, maxTokens: 'many', enabledLanguages: 'yes', gpu: 42, fimOrder: ['psm'], speculation: null, enable: 'true' });
    await reloaded;
    await stillServes();
    // threads: 1e9 is bounded (a thread count change loads the model again too).
    const again = session.waitForStatus((s) => s.state === 'loading', 30_000);
    await session.updateSettings({ ...baseSettings, threads: 1e9, maxTokens: -1 });
    await again;
    await stillServes();
    await session.updateSettings(baseSettings);
    assert.equal((await session.waitForStatus((s) => s.state === 'ready')).state, 'ready');
  });

  test('nothing Hearth wrote landed in the workspace; its index went to the storage folder', async () => {
    await session.stop();
    assert.deepEqual(snapshot(workspace), before_);
    assert.ok(readdirSync(storage).length > 0, 'the server did write (its index) — elsewhere');
    mkdirSync(storage, { recursive: true });
  });
});
