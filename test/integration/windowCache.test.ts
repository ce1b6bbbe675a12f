// Windows kept across restarts, over LSP with the tiny model: a window evaluated at a cost is saved in the folder the
// client names (the extension's global storage); a restarted server restores it for the same file and evaluates only
// what changed; a damaged state file is refused with a message in the log and the completion still comes; the clear
// request empties the folder.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LspSession } from '../../tools/src/lspSession';
import { fixtureWorkspace, serverPath } from '../support/paths';
import { waitForLine } from '../support/logLines';

const mathText = readFileSync(join(fixtureWorkspace, 'src', 'math.ts'), 'utf8');
const text = `${mathText}\n${mathText.replaceAll('Point', 'Vec')}\n${mathText.replaceAll('Point', 'Pair')}\n${mathText.replaceAll('Point', 'Size')}\nexport function norm(p: Point): number {\n  return \n}\n`;
const lines = text.split('\n');
const position = { line: lines.indexOf('  return '), character: '  return '.length };

async function session(windowCacheDir: string, logs: string[]): Promise<LspSession> {
  // The completion cache off: each request must reach the model.
  const lsp = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'debug' }, env: { HEARTH_DISABLE: 'cache' }, windowCacheDir, onLog: (line) => logs.push(line) });
  await lsp.waitForStatus((s) => s.state === 'ready', 120_000);
  return lsp;
}

async function completeOnce(lsp: LspSession, documentText: string, at = position) {
  await lsp.open('untitled:kept.ts', 'typescript', documentText);
  await lsp.complete('untitled:kept.ts', at);
  return lsp.nextMetrics();
}

test('a window is kept on disk, restored by a restarted server, refused when damaged, and cleared on request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-windows-'));
  const logs: string[] = [];

  let lsp = await session(dir, logs);
  try {
    const cold = await completeOnce(lsp, text);
    assert.equal(cold.reusedPromptTokens, 0);
    assert.ok(cold.promptTokens > 250, `a window worth keeping: ${cold.promptTokens} tokens`);
    await waitForLine(logs, /Window cache: untitled:kept\.ts's window \(\d+ tokens\) saved/);
  } finally {
    await lsp.stop();
  }
  const states = readdirSync(dir).filter((n) => n.endsWith('.state'));
  assert.equal(states.length, 1, `one window kept: ${readdirSync(dir).join(', ')}`);

  // Restarted, the same file, one key typed at the cursor: the window comes from disk, only the change is evaluated.
  let from = logs.length;
  lsp = await session(dir, logs);
  try {
    const typed = text.replace('  return \n', '  return M\n');
    const first = await completeOnce(lsp, typed, { ...position, character: position.character + 1 });
    assert.match(await waitForLine(logs, /Window cache: \d+ tokens of untitled:kept\.ts's window restored from disk/, from), /restored/);
    assert.ok(first.outcome === 'served' || first.outcome === 'empty', first.outcome);
    const evaluated = first.promptTokens - first.reusedPromptTokens;
    assert.ok(evaluated <= 8, `the first request after the restart evaluated ${evaluated} of ${first.promptTokens} prompt tokens`);
  } finally {
    await lsp.stop();
  }

  // A damaged state: refused with a message, nothing loaded, the completion comes all the same.
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.state'))) {
    const bytes = readFileSync(join(dir, name));
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(join(dir, name), bytes);
  }
  from = logs.length;
  lsp = await session(dir, logs);
  try {
    const first = await completeOnce(lsp, text);
    assert.match(await waitForLine(logs, /Window cache: \w+ is damaged: its state does not match its checksum; removed, nothing loaded/, from), /damaged/);
    assert.ok(first.outcome === 'served' || first.outcome === 'empty', first.outcome);
    assert.equal(first.reusedPromptTokens, 0, 'nothing was loaded');
    assert.ok(!logs.slice(from).some((l) => /restored from disk/.test(l)));
    await waitForLine(logs, /Window cache: untitled:kept\.ts's window \(\d+ tokens\) saved/, from);
    const { removedBytes } = await lsp.clearWindowCache();
    assert.ok(removedBytes > 0, `${removedBytes} bytes removed`);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    await lsp.stop();
  }
});

test('at shutdown the windows are kept as they stand: what was typed since the last save is not evaluated again after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-windows-'));
  const logs: string[] = [];
  // A line typed after the window was kept: fewer new tokens than a save during typing waits for.
  const line = '  return Math.sqrt(p.x * p.x + p.y * p.y) + Math.abs(p.x - p.y) * 0.5 + ';
  const typed = text.replace('  return \n', `${line}\n`);
  const at = { line: position.line, character: line.length };
  let lsp = await session(dir, logs);
  try {
    await completeOnce(lsp, text);
    await waitForLine(logs, /Window cache: untitled:kept\.ts's window \(\d+ tokens\) saved/);
    const saves = logs.filter((l) => /window \(\d+ tokens\) saved/.test(l)).length;
    await lsp.replaceText('untitled:kept.ts', 2, typed);
    const afterTyping = await (async () => {
      await lsp.complete('untitled:kept.ts', at);
      return lsp.nextMetrics();
    })();
    assert.ok(afterTyping.promptTokens - afterTyping.reusedPromptTokens < 128, 'the line is less than a save during typing waits for');
    assert.equal(logs.filter((l) => /window \(\d+ tokens\) saved/.test(l)).length, saves, 'not kept while typing');
  } finally {
    await lsp.stop();
  }
  assert.ok(logs.filter((l) => /window \(\d+ tokens\) saved/.test(l)).length >= 2, 'kept at shutdown');

  const from = logs.length;
  lsp = await session(dir, logs);
  try {
    const first = await completeOnce(lsp, typed.replace(`${line}\n`, `${line}1\n`), { ...at, character: at.character + 1 });
    assert.match(await waitForLine(logs, /Window cache: \d+ tokens of untitled:kept\.ts's window restored from disk/, from), /restored/);
    const evaluated = first.promptTokens - first.reusedPromptTokens;
    assert.ok(evaluated <= 8, `the first request after the restart evaluated ${evaluated} of ${first.promptTokens} prompt tokens`);
  } finally {
    await lsp.stop();
  }
});
