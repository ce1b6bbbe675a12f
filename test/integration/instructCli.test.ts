// The headless commands (`npm run explain`, `npm run refactor`) as a script runs them: the built bundle, the real
// server, the bundled tiny model (its prose is noise: these check the plumbing). Explain prints as it streams;
// refactor prints a unified diff and writes nothing; --model is the model used; bad arguments are said, not thrown.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyPatch, parsePatch } from 'diff';
import type { InstructResult } from '../../common/protocol';
import { draftModelPath, fixtureWorkspace, repoRoot } from '../support/paths';

const cli = join(repoRoot, 'dist', 'instruct.js');
const mathText = readFileSync(join(fixtureWorkspace, 'src', 'math.ts'), 'utf8');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How many pieces stdout came in, and how many of them before the explanation's end. */
  chunks: number;
}

/** Runs the command in the fixture workspace (paths relative to it, as a user in their project would). */
function run(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: fixtureWorkspace, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let chunks = 0;
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      stdout += data;
      chunks++;
    });
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, chunks });
    });
  });
}

test('npm run explain prints the explanation as it streams, of the function around the line', async () => {
  const streamed = await run('explain', 'src/math.ts:11', '--threads', '1');
  assert.equal(streamed.code, 0, streamed.stderr);
  assert.ok(streamed.stdout.trim().length > 50, `explanation: ${JSON.stringify(streamed.stdout)}`);
  assert.ok(streamed.chunks >= 2, `printed in ${streamed.chunks} piece(s): streamed, not all at the end`);

  const json = await run('explain', 'src/math.ts:11', '--threads', '1', '--json');
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout) as InstructResult;
  assert.match(result.original, /^export function scale\(/, 'a single line means the function around it');
  assert.equal(result.range.start.line, 9);
  assert.ok(result.text.length > 50);
});

test('npm run refactor prints the proposal as a unified diff of the lines asked for, and writes nothing', async () => {
  const outcome = await run('refactor', 'src/math.ts:10-12', 'Add a doc comment', '--threads', '1');
  assert.equal(readFileSync(join(fixtureWorkspace, 'src', 'math.ts'), 'utf8'), mathText, 'the file is untouched');
  // The bundled model has no chat template: the prompt ends in an open code fence, so its answer is code, always.
  assert.equal(outcome.code, 0, outcome.stderr);
  const [patch] = parsePatch(outcome.stdout);
  assert.ok(patch && patch.hunks.length > 0, `a unified diff: ${outcome.stdout.slice(0, 300)}`);
  assert.equal(patch.oldFileName, 'a/src/math.ts');
  // Every line the diff removes or inserts lies within lines 10–12 (a line the proposal keeps as it was is context).
  const removedAt: number[] = [];
  const insertedBefore: number[] = [];
  for (const hunk of patch.hunks) {
    let oldLine = hunk.oldStart;
    for (const line of hunk.lines) {
      if (line.startsWith('-')) removedAt.push(oldLine++);
      else if (line.startsWith('+')) insertedBefore.push(oldLine);
      else if (line.startsWith(' ')) oldLine++;
    }
  }
  assert.ok(removedAt.length + insertedBefore.length > 0, 'the diff changes something');
  assert.ok(removedAt.every((line) => line >= 10 && line <= 12), `removes only lines within 10–12: ${removedAt.join(', ')}`);
  assert.ok(insertedBefore.every((line) => line >= 10 && line <= 13), `inserts only among lines 10–12: before ${insertedBefore.join(', ')}`);
  const after = applyPatch(mathText, outcome.stdout);
  assert.ok(typeof after === 'string', 'the diff applies to the file');
  const [head, tail] = [mathText.split('\n').slice(0, 9), mathText.split('\n').slice(12)];
  assert.deepEqual(after.split('\n').slice(0, 9), head, 'the lines above are kept');
  assert.deepEqual(after.split('\n').slice(-tail.length), tail, 'the lines below are kept');
  assert.ok(!after.includes('```'), 'no fences in the code');
});

test('a refactor the server refuses (only blank lines: no code to work on) says why on stderr, exits 1 and prints no diff', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
  const blank = join(dir, 'blank.ts');
  writeFileSync(blank, '\n\n\n\n');
  try {
    const outcome = await run('refactor', `${blank}:1-3`, 'Add a doc comment', '--threads', '1');
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /^hearth: There is no code at the cursor to work on\.$/m);
    assert.equal(outcome.stdout, '');
    assert.equal(readFileSync(blank, 'utf8'), '\n\n\n\n', 'the file is untouched');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--model is the model used, and a missing one is a clear error', async () => {
  const draft = await run('explain', 'src/math.ts:11', '--threads', '1', '--json', '--verbose', '--model', draftModelPath);
  assert.equal(draft.code, 0, draft.stderr);
  assert.match(draft.stderr, /Loaded tiny-code-draft-q8_0\.gguf/);
  assert.doesNotMatch(draft.stderr, /Loaded tiny-code-target/);

  const missing = await run('explain', 'src/math.ts:11', '--model', '/nonexistent/model.gguf');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\/nonexistent\/model\.gguf does not exist/);
});

test('bad arguments: the usage, or what is wrong with the file or lines', async () => {
  const noInstruction = await run('refactor', 'src/math.ts:10-12');
  assert.equal(noInstruction.code, 2);
  assert.match(noInstruction.stderr, /^usage: /);
  const outside = await run('explain', 'src/math.ts:900');
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /src\/math\.ts has \d+ lines: src\/math\.ts:900 is outside it/);
  const unreadable = await run('explain', 'src/nothing-here.ts:1');
  assert.equal(unreadable.code, 1);
  assert.match(unreadable.stderr, /cannot read .*nothing-here\.ts/);
});

test('a reader that closes the pipe early (| head) ends the command quietly, its server with it', async () => {
  const child = spawn(process.execPath, [cli, 'explain', 'src/math.ts:11', '--threads', '1'], { cwd: fixtureWorkspace, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
  let server: number | undefined;
  child.stdout.once('data', () => {
    // The command's child process is the server (Linux: /proc lists a process's children).
    server = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]) || undefined;
    child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error/);
  assert.ok(server, 'the server was found');
  const deadline = Date.now() + 10_000;
  while (existsSync(`/proc/${server}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(!existsSync(`/proc/${server}`), 'the server went with the command');
});
