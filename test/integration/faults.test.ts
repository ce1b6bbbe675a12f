// Faults around a loaded model, against the real server: its file truncated, replaced or deleted on disk while
// loaded, and a model too large for this machine. After each: a clear status, the server up, the next request works.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, renameSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LspSession } from '../../tools/src/lspSession';
import { draftModelPath, serverPath, targetModelPath } from '../support/paths';

const settings = { threads: 1, gpu: 'off', logLevel: 'info', speculation: 'off' };

async function servesCompletion(session: LspSession, version: number): Promise<void> {
  await session.open('untitled:f.ts', 'typescript', `function add${version}(a: number, b: number) {\n  return \n}\n`, version);
  await session.complete('untitled:f.ts', { line: 1, character: 9 });
  const metrics = await session.nextMetrics();
  assert.ok(['served', 'empty'].includes(metrics.outcome), `${metrics.outcome} ${metrics.reason ?? ''}`);
}

test('a loaded model whose file is truncated, replaced or deleted on disk: reloaded, refused with a message, or kept', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-faults-'));
  const model = join(dir, 'model.gguf');
  copyFileSync(targetModelPath, model);
  const session = await LspSession.start({ serverPath, settings: { ...settings, modelPath: model } });
  try {
    assert.equal((await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000)).state, 'ready');
    await servesCompletion(session, 1);

    // Deleted outright: the memory map keeps the loaded weights; completions go on.
    const kept = join(dir, 'kept.gguf');
    copyFileSync(model, kept);
    unlinkSync(model);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // the watcher polls once a second
    assert.equal(session.lastStatusState(), 'ready');
    await servesCompletion(session, 2);

    // Put back (a download finishing by rename over the path): the new file is loaded.
    const reloaded = session.waitForStatus((s) => s.state === 'loading', 30_000);
    renameSync(kept, model);
    await reloaded;
    assert.equal((await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000)).state, 'ready');
    await servesCompletion(session, 3);

    // Replaced by another model's bytes (written in place): loaded again, that model now.
    const replaced = session.waitForStatus((s) => s.state === 'loading', 30_000);
    copyFileSync(draftModelPath, model);
    await replaced;
    assert.equal((await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000)).state, 'ready');
    await servesCompletion(session, 4);

    // Truncated in place (a download restarted over it): unloaded before a read could fault, refused with the reason.
    const refused = session.waitForStatus((s) => s.state === 'error', 30_000);
    truncateSync(model, Math.floor(statSync(model).size / 2));
    const status = await refused;
    assert.match(status.message, /model\.gguf is damaged: it ends before its tensor data does/);
    assert.equal(session.hasExited, false);
    await session.open('untitled:f.ts', 'typescript', 'const x = ', 5);
    assert.deepEqual(await session.complete('untitled:f.ts', { line: 0, character: 10 }), []);
    assert.equal((await session.nextMetrics()).reason, 'no model loaded');

    // Choosing another model brings completions back.
    await session.updateSettings({ ...settings, modelPath: '' });
    await session.waitForStatus((s) => s.state === 'ready', 120_000);
    await servesCompletion(session, 6);
  } finally {
    await session.stop();
  }
});

test('a model larger than this machine’s memory is refused before loading, with what it needs and what there is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-faults-'));
  const huge = join(dir, 'huge.gguf');
  copyFileSync(targetModelPath, huge);
  truncateSync(huge, totalmem() + 8 * 2 ** 30); // sparse: a well-formed header, the size of a model too big for here
  const session = await LspSession.start({ serverPath, settings: { ...settings, modelPath: huge } });
  try {
    const status = await session.waitForStatus((s) => s.state === 'error' || s.state === 'ready', 60_000);
    assert.equal(status.state, 'error');
    assert.match(status.message, /^huge\.gguf needs \d+\.\d GB of memory; this machine has \d+\.\d GB in all/);
    assert.equal(session.peakRssMiB()! < 1024, true, `nothing was loaded (peak ${session.peakRssMiB()} MiB)`);
    await session.updateSettings({ ...settings, modelPath: '' });
    await session.waitForStatus((s) => s.state === 'ready', 120_000);
    await servesCompletion(session, 1);
  } finally {
    await session.stop();
    unlinkSync(huge);
  }
});
