// Two VS Code windows on one workspace: two servers with the same workspace, the same storage folder (VS Code gives
// both windows the workspace's) and the same model. Neither blocks or breaks the other — the index cache is written
// by rename from a file of each process's own, the model file is only read — and their combined memory is stated.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LspSession } from '../../tools/src/lspSession';
import { fixtureWorkspace, serverPath } from '../support/paths';

const settings = { threads: 1, gpu: 'off', logLevel: 'info' };

test('two windows on one workspace: both index and complete, the kept index stays whole, memory shared where it can be', { timeout: 300_000 }, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'hearth-two-ws-'));
  cpSync(fixtureWorkspace, workspace, { recursive: true });
  const storage = mkdtempSync(join(tmpdir(), 'hearth-two-storage-'));
  const logs: string[][] = [[], []];
  const sessions = await Promise.all(logs.map((lines) => LspSession.start({ serverPath, settings, workspaceFolder: workspace, indexCacheDir: storage, onLog: (line) => lines.push(line) })));
  try {
    for (const session of sessions) assert.equal((await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000)).state, 'ready');
    for (const [i, session] of sessions.entries()) {
      await session.open('untitled:w.ts', 'typescript', `function window${i}(a: number) {\n  return \n}\n`);
      await session.complete('untitled:w.ts', { line: 1, character: 9 });
      assert.ok(['served', 'empty'].includes((await session.nextMetrics()).outcome));
    }
    const deadline = Date.now() + 60_000;
    while (!logs.every((lines) => lines.some((l) => l.startsWith('Indexed '))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(logs.every((lines) => lines.some((l) => l.startsWith('Indexed '))), 'both indexed the workspace');
    const memory = sessions.map((s) => s.memoryMiB());
    if (memory.every((m) => m !== undefined)) {
      const rss = memory.reduce((sum, m) => sum + m!.rss, 0);
      const pss = memory.reduce((sum, m) => sum + m!.pss, 0);
      console.log(`two servers: RSS ${memory.map((m) => Math.round(m!.rss)).join(' + ')} = ${Math.round(rss)} MiB; proportional (shared pages once) ${Math.round(pss)} MiB`);
      assert.ok(pss < rss, 'some pages (the model file, the binaries) are shared between the two');
    }
  } finally {
    await Promise.all(sessions.map((s) => s.stop()));
  }
  // Both wrote the kept index; what is there is one whole index, and no temporary files are left behind.
  assert.deepEqual(readdirSync(storage), ['workspace-index.json']);
  const kept = JSON.parse(readFileSync(join(storage, 'workspace-index.json'), 'utf8')) as { files: Record<string, unknown> };
  assert.ok(Object.keys(kept.files).length > 0);
  for (const lines of logs) assert.ok(!lines.some((l) => /could not be (read|written)/.test(l)), lines.filter((l) => /could not/.test(l)).join('\n'));
  // A third window starts from it.
  const lines: string[] = [];
  const third = await LspSession.start({ serverPath, settings, workspaceFolder: workspace, indexCacheDir: storage, onLog: (line) => lines.push(line) });
  try {
    const deadline = Date.now() + 60_000;
    while (!lines.some((l) => l.startsWith('Indexed ')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(lines.find((l) => l.startsWith('Indexed ')) ?? '', /\((?!0 )\d+ unchanged/);
  } finally {
    await third.stop();
  }
});
