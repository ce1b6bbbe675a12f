// The workspace index outlives the session: the server keeps it in the folder the client names (VS Code's storage for
// the workspace, never the workspace itself); a restart starts from it and re-reads only files that changed; a
// files.exclude change applies without a restart.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LspSession } from '../../tools/src/lspSession';
import { serverPath } from '../support/paths';
import { waitForLine } from '../support/logLines';

const settings = { threads: 1, gpu: 'off', logLevel: 'info' };

test('the index is kept between sessions, re-read only where files changed, and follows files.exclude without a restart', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'hearth-ws-'));
  const storage = mkdtempSync(join(tmpdir(), 'hearth-storage-'));
  mkdirSync(join(workspace, 'src', 'vendor'), { recursive: true });
  writeFileSync(join(workspace, 'src', 'math.ts'), 'export function add(a: number, b: number) {\n  return a + b;\n}\n');
  writeFileSync(join(workspace, 'src', 'shapes.py'), 'class Circle:\n    def area(self):\n        return 3.14\n');
  writeFileSync(join(workspace, 'src', 'vendor', 'lib.ts'), 'export function vendored() {}\n');

  const logs: string[] = [];
  let session = await LspSession.start({ serverPath, settings, workspaceFolder: workspace, indexCacheDir: storage, onLog: (line) => logs.push(line) });
  try {
    assert.match(await waitForLine(logs, /^Indexed \d+ files/), /^Indexed 3 files \(0 unchanged/);
  } finally {
    await session.stop();
  }
  assert.deepEqual(readdirSync(storage), ['workspace-index.json'], 'the index is kept in the storage folder');
  assert.ok(!readdirSync(workspace).some((name) => name !== 'src'), 'nothing written into the workspace');
  const cached = JSON.parse(readFileSync(join(storage, 'workspace-index.json'), 'utf8'));
  assert.deepEqual(Object.keys(cached.files).length, 3);

  // Between sessions one file changes.
  writeFileSync(join(workspace, 'src', 'math.ts'), 'export function add(a: number, b: number) {\n  return a + b;\n}\n\nexport function sub(a: number, b: number) {\n  return a - b;\n}\n');
  utimesSync(join(workspace, 'src', 'math.ts'), new Date(), new Date(Date.now() + 5000));
  const before = logs.length;
  session = await LspSession.start({ serverPath, settings, workspaceFolder: workspace, indexCacheDir: storage, onLog: (line) => logs.push(line) });
  try {
    assert.match(await waitForLine(logs, /workspace index of the last session/, before), /3 files, 4 definitions/);
    assert.match(await waitForLine(logs, /^Indexed \d+ files/, before), /^Indexed 3 files \(2 unchanged since they were last read\), 5 definitions/);

    const excluded = logs.length;
    await session.updateFilesExclude({ '**/.git': true, '**/vendor': true });
    await waitForLine(logs, /files\.exclude changed/, excluded);
    assert.match(await waitForLine(logs, /^Indexed \d+ files/, excluded), /^Indexed 2 files \(2 unchanged since they were last read\), 4 definitions/);
  } finally {
    await session.stop();
  }
  const after = JSON.parse(readFileSync(join(storage, 'workspace-index.json'), 'utf8'));
  assert.ok(!Object.keys(after.files).some((path) => path.includes('vendor')), 'the excluded file is gone from the kept index too');
});
