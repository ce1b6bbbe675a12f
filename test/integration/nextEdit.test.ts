// Next-edit suggestions with a model that has the markers as special tokens (the bundled tiny target with Qwen2.5-Coder's
// FIM and file-separator tokens, and a cursor token, written with the project's GGUF writer): the prompt's markers
// are one token each and a file's text that spells one stays text; over LSP, a request is answered (the tiny model's
// rewrite is noise: these check the plumbing), a follow-up in the same place evaluates only the block again, and a
// completion asked meanwhile goes first.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Logger } from '../../server/src/logger';
import type { NextEditModel } from '../../server/src/model/completionModel';
import { ExclusiveLock } from '../../server/src/model/exclusiveLock';
import { loadLlamaNextEditModel } from '../../server/src/model/llamaNextEditModel';
import { DocumentEdits } from '../../server/src/nextEdit/editHistory';
import { buildNextEditPrompt, cursorMarker, fileSep } from '../../server/src/nextEdit/nextEditPrompt';
import { markerIsSpecial, promptTokens } from '../../server/src/nextEdit/predictNextEdit';
import { writeFimFamilyModel } from '../../tools/src/fimFamilyModels';
import { LspSession } from '../../tools/src/lspSession';
import { writeScriptedNextEditModel } from '../../tools/src/nextEditFixtureModel';
import { repoRoot, serverPath, targetModelPath } from '../support/paths';

const dir = mkdtempSync(join(tmpdir(), 'hearth-next-edit-'));
const quiet = new Logger({ error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined });
let cursorModelPath: string;
let model: NextEditModel;

before(async () => {
  cursorModelPath = await writeFimFamilyModel(dir, 'qwen', true, targetModelPath, { cursorToken: cursorMarker, contextLength: 4096 });
  model = await loadLlamaNextEditModel({ modelPath: cursorModelPath, threads: 1, gpu: 'off' }, 2048, new ExclusiveLock(), quiet);
});

after(async () => {
  await model?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('each marker is one special token; a file that spells a marker keeps it as text', () => {
  assert.equal(markerIsSpecial(model, fileSep), true);
  assert.equal(markerIsSpecial(model, cursorMarker), true);
  const sep = model.tokenize(fileSep, true)[0]!;
  const cursor = model.tokenize(cursorMarker, true)[0]!;
  assert.ok(model.tokenize(fileSep, false).length > 1, 'as text, its characters');
  const text = 'const marker = "<|file_sep|>";\nconst at = "<|cursor|>";\n';
  const edits = new DocumentEdits(text);
  edits.update(text.replace('const at', 'let at'));
  const prompt = buildNextEditPrompt({ path: 'm.ts', edits, cursor: { line: 1, character: 3 } });
  const tokens = promptTokens(prompt.parts, model);
  const specials = prompt.parts.filter((part) => 'special' in part);
  assert.equal(tokens.filter((t) => t === sep).length, specials.filter((p) => 'special' in p && p.special === fileSep).length, 'one separator token per section, none from the text');
  assert.equal(tokens.filter((t) => t === cursor).length, 1, 'one cursor token');
});

test('a vocabulary without a cursor token reads the marker as its characters', async () => {
  const plainPath = await writeFimFamilyModel(dir, 'qwen', true, targetModelPath);
  const plain = await loadLlamaNextEditModel({ modelPath: plainPath, threads: 1, gpu: 'off' }, 2048, new ExclusiveLock(), quiet);
  try {
    assert.equal(markerIsSpecial(plain, fileSep), true, "Qwen2.5-Coder's file separator");
    assert.equal(markerIsSpecial(plain, cursorMarker), false);
  } finally {
    await plain.dispose();
  }
});

test('over LSP: answered; a follow-up in the same place evaluates only the block; a completion asked meanwhile goes first', async () => {
  const logs: string[] = [];
  const session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'debug', nextEditModelPath: cursorModelPath }, onLog: (line) => logs.push(line) });
  try {
    const status = await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
    assert.equal(status.state, 'ready', status.message);
    const lines = Array.from({ length: 120 }, (_, i) => `export const value${i} = compute(${i}, 'item ${i}');`);
    const text = `${lines.join('\n')}\n`;
    const uri = 'untitled:values.ts';
    await session.open(uri, 'typescript', text);
    const one = text.replace("compute(60, 'item 60')", "compute(60, 'item 60', 1)");
    await session.replaceText(uri, 2, one);
    const first = await session.nextEdit({ uri, version: 2, position: { line: 60, character: 45 } }).result;
    assert.ok(first.metrics, `answered: ${first.reason}`);
    assert.ok(first.metrics.promptTokens > 1000, `the file section, the blocks: ${first.metrics.promptTokens} tokens`);

    // One more keystroke on that line: the file section and the block before the edit are as they were.
    await session.replaceText(uri, 3, one.replace("'item 60', 1)", "'item 60', 12)"));
    const second = await session.nextEdit({ uri, version: 3, position: { line: 60, character: 46 } }).result;
    const evaluated = second.metrics!.promptTokens - second.metrics!.reusedPromptTokens;
    const blockTokens = await session.countTokens(one.split('\n').slice(50, 71).join('\n'));
    console.log(`next edit: ${first.metrics.promptTokens} prompt tokens, then ${evaluated} evaluated of ${second.metrics!.promptTokens} (the block: ${blockTokens} tokens); ${second.metrics!.generatedTokens} generated, ${second.metrics!.totalMs.toFixed(0)} ms`);
    assert.ok(evaluated <= 2 * 2 + blockTokens + 8, `a follow-up evaluates the block now, not the file: ${evaluated} tokens`);

    // A completion asked while a next edit is being computed (its prompt from scratch: another document) goes first.
    const other = 'untitled:other.ts';
    const otherText = text.replace(/value/g, 'other');
    await session.open(other, 'typescript', otherText);
    await session.replaceText(other, 2, otherText.replace("compute(30, 'item 30')", "compute(30, 'item 30', 2)"));
    const started = performance.now();
    let nextEditAt = 0;
    const pending = session.nextEdit({ uri: other, version: 2, position: { line: 30, character: 45 } }).result.then((result) => ((nextEditAt = performance.now() - started), result));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await session.complete(uri, { line: 100, character: 10 });
    const completionAt = performance.now() - started;
    const result = await pending;
    console.log(`completion at ${completionAt.toFixed(0)} ms, next edit at ${nextEditAt.toFixed(0)} ms with ${result.metrics?.preemptions} pause(s)`);
    assert.ok(completionAt < nextEditAt, 'the completion came back first');
    assert.ok((result.metrics?.preemptions ?? 0) >= 1, 'the next edit paused for it');

    // The next keystroke cancels a request: it ends at its next step, before its prompt is through.
    await session.replaceText(other, 3, otherText.replace("compute(90, 'item 90')", "compute(90, 'item 90', 3)"));
    const cancelled = session.nextEdit({ uri: other, version: 3, position: { line: 90, character: 45 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    cancelled.cancel();
    const stopped = await cancelled.result;
    console.log(`cancelled next edit: ${JSON.stringify(stopped.metrics)}`);
    assert.equal(stopped.suggestion, null);
    assert.equal(stopped.metrics?.ended, 'cancelled');
    assert.ok(stopped.metrics!.totalMs < nextEditAt, `stopped early: ${stopped.metrics!.totalMs.toFixed(0)} ms, a whole one took ${nextEditAt.toFixed(0)} ms`);
  } finally {
    await session.stop();
  }
});

test('a model that answers one known edit: the suggestion over LSP, none on the line being typed, and the headless diff', async () => {
  const scripted = join(dir, 'scripted.gguf');
  await writeScriptedNextEditModel(scripted, ':0:2\n', 'alpha {\n  beta = 3', targetModelPath);
  const session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', nextEditModelPath: scripted } });
  try {
    assert.equal((await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000)).state, 'ready');
    const uri = 'untitled:next.ts';
    await session.open(uri, 'typescript', 'alph {\n  beta = 2');
    await session.replaceText(uri, 2, 'alpha {\n  beta = 2');
    const result = await session.nextEdit({ uri, version: 2, position: { line: 0, character: 5 } }).result;
    assert.deepEqual(result.suggestion, { uri, version: 2, startLine: 1, endLine: 2, lines: ['  beta = 3'] }, result.reason);
    assert.equal(result.metrics?.ended, 'block');
    // The same answer with the cursor on line 2: that is the line being typed, ghost text's job.
    const onIt = await session.nextEdit({ uri, version: 2, position: { line: 1, character: 4 } }).result;
    assert.equal(onIt.suggestion, null);
    assert.match(onIt.reason ?? '', /line being typed/);
    // A model whose answer inserts at the cursor, on its line: that is ghost text, returned as atCursor.
    const inserting = join(dir, 'inserting.gguf');
    await writeScriptedNextEditModel(inserting, ':0:2\n', 'alpha {\n  beta = 2;', targetModelPath);
    await session.updateSettings({ threads: 1, gpu: 'off', nextEditModelPath: inserting });
    const ghost = await session.nextEdit({ uri, version: 2, position: { line: 1, character: 10 } }).result;
    assert.deepEqual(ghost.suggestion, { uri, version: 2, startLine: 1, endLine: 2, lines: ['  beta = 2;'], atCursor: ';' }, ghost.reason);
    await session.updateSettings({ threads: 1, gpu: 'off', nextEditModelPath: scripted });
    // A request for a version the document has left behind is not computed.
    await session.replaceText(uri, 3, 'alpha {\n  beta = 22');
    assert.equal((await session.nextEdit({ uri, version: 2, position: { line: 0, character: 5 } }).result).suggestion, null);
  } finally {
    await session.stop();
  }

  // Headless: the difference between two files is the recent edit; the prediction is printed as a unified diff.
  writeFileSync(join(dir, 'old.ts'), 'alph {\n  beta = 2');
  writeFileSync(join(dir, 'new.ts'), 'alpha {\n  beta = 2');
  const cli = join(repoRoot, 'dist', 'nextEdit.js');
  const predicted = spawnSync(process.execPath, [cli, `${join(dir, 'new.ts')}:1:6`, '--before', join(dir, 'old.ts'), '--model', scripted, '--threads', '1'], { encoding: 'utf8', cwd: dir });
  assert.equal(predicted.status, 0, predicted.stderr);
  assert.match(predicted.stdout, /^-  beta = 2$/m);
  assert.match(predicted.stdout, /^\+  beta = 3$/m);
  // The bundled tiny model (no --model) predicts nothing here: said plainly, exit 0.
  const none = spawnSync(process.execPath, [cli, `${join(dir, 'new.ts')}:1:6`, '--before', join(dir, 'old.ts'), '--threads', '1'], { encoding: 'utf8', cwd: dir });
  assert.equal(none.status, 0, none.stderr);
  assert.match(none.stdout, /^no edit predicted/);
  const usage = spawnSync(process.execPath, [cli, 'new.ts'], { encoding: 'utf8', cwd: dir });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: next-edit FILE:LINE:COLUMN --before OLD_FILE/);
});

test('with the shared engine too: a completion asked while the window computes a next edit goes first', async () => {
  // The completion model is in the engine process, the next-edit model in the window's server: they take turns on the
  // window's lock, which a completion holds while the engine answers it.
  const runtime = mkdtempSync(join(tmpdir(), 'hearth-next-edit-runtime-'));
  const session = await LspSession.start({ serverPath, env: { XDG_RUNTIME_DIR: runtime }, settings: { threads: 1, gpu: 'off', sharedEngine: true, sharedEngineIdleMinutes: 0, nextEditModelPath: cursorModelPath } });
  try {
    const status = await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
    assert.equal(status.state, 'ready', status.message);
    assert.ok(status.sharedEngine, 'on the shared engine');
    const lines = Array.from({ length: 120 }, (_, i) => `export const item${i} = compute(${i}, 'item ${i}');`);
    const text = `${lines.join('\n')}\n`;
    const uri = 'untitled:shared.ts';
    await session.open(uri, 'typescript', text);
    await session.replaceText(uri, 2, text.replace("compute(40, 'item 40')", "compute(40, 'item 40', 4)"));
    // The next-edit model loads after the completion model is ready: a first request waits for it.
    await session.nextEdit({ uri, version: 2, position: { line: 40, character: 45 } }).result;
    await session.replaceText(uri, 3, text.replace("compute(40, 'item 40')", "compute(40, 'item 40', 45)"));
    const started = performance.now();
    let nextEditAt = 0;
    const pending = session.nextEdit({ uri, version: 3, position: { line: 40, character: 46 } }).result.then((result) => ((nextEditAt = performance.now() - started), result));
    // (Asked once the next edit is computing: its context stage and tokenizing come first, and a completion that took
    // the lock before them would find nothing to pause.)
    await new Promise((resolve) => setTimeout(resolve, 300));
    await session.complete(uri, { line: 100, character: 10 });
    const completionAt = performance.now() - started;
    const result = await pending;
    console.log(`shared engine: completion at ${completionAt.toFixed(0)} ms, next edit at ${nextEditAt.toFixed(0)} ms with ${result.metrics?.preemptions} pause(s)`);
    assert.ok(completionAt < nextEditAt, 'the completion came back first');
    assert.ok((result.metrics?.preemptions ?? 0) >= 1, 'the next edit paused for it');
  } finally {
    await session.stop();
    rmSync(runtime, { recursive: true, force: true });
  }
});
