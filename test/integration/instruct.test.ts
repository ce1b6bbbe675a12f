// Explain and refactor over LSP with the bundled tiny model (its prose is noise: these check the plumbing): the
// answer streams, can be cancelled, a refactor comes back as code with hunks, and a completion asked while an
// explanation is generating goes first, the explanation finishing afterwards.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { InstructProgress } from '../../common/protocol';
import { LspSession } from '../../tools/src/lspSession';
import { fixtureWorkspace, serverPath } from '../support/paths';

const logs: string[] = [];
let session: LspSession;
const mathPath = join(fixtureWorkspace, 'src', 'math.ts');
const mathUri = pathToFileURL(mathPath).href;
const mathText = readFileSync(mathPath, 'utf8');
/** Inside scale()'s body. */
const insideScale = { line: 10, character: 2 };

before(async () => {
  session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'info' }, workspaceFolder: fixtureWorkspace, onLog: (line) => logs.push(line) });
  const status = await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
  assert.equal(status.state, 'ready', status.message);
  await session.open(mathUri, 'typescript', mathText);
});

after(async () => {
  await session?.stop();
  if (process.exitCode) console.log(logs.slice(-30).join('\n'));
});

test('explain streams the explanation of the function around the cursor, in parts', async () => {
  const parts: InstructProgress[] = [];
  const result = await session.instruct({ task: 'explain', uri: mathUri, version: 1, position: insideScale }, (p) => parts.push(p)).result;
  assert.equal(result.error, undefined);
  assert.ok(parts.length >= 2, `streamed in ${parts.length} parts`);
  assert.equal(parts.map((p) => p.delta).join(''), result.text, 'the parts make up the answer');
  assert.ok(parts[0]!.range, 'the first part names the range');
  assert.match(result.original, /^export function scale\(/, 'the enclosing function');
  assert.equal(result.stats!.chatTemplate, false, 'the bundled model has no chat template: the plain prompt');
  console.log(`explain: ${result.stats!.promptTokens} prompt tokens, ${result.stats!.generatedTokens} generated in ${result.stats!.totalMs.toFixed(0)} ms`);
});

test('explain can be cancelled while it streams', async () => {
  let cancel!: () => void;
  let parts = 0;
  const pending = session.instruct({ task: 'explain', uri: mathUri, version: 1, position: insideScale }, () => {
    if (++parts === 3) cancel();
  });
  cancel = pending.cancel;
  const result = await pending.result;
  assert.equal(result.cancelled, true);
  assert.ok(result.stats!.generatedTokens < 768 && result.stats!.generatedTokens >= 3, `stopped after ${result.stats!.generatedTokens} tokens`);
  // The model is free again: a completion is answered.
  await session.complete(mathUri, insideScale);
  assert.equal((await session.nextMetrics()).outcome === 'error', false);
});

test('refactor returns a proposal: code only, with hunks, the file untouched', async () => {
  const selection = { start: { line: 9, character: 0 }, end: { line: 11, character: 1 } };
  const result = await session.instruct({ task: 'refactor', uri: mathUri, version: 1, selection, position: selection.start, instruction: 'Add a doc comment' }).result;
  console.log(`refactor: ${JSON.stringify(result.code)} (${result.stats?.generatedTokens} tokens), error ${result.error}`);
  // Without a chat template the prompt ends inside an open code fence, so whatever the model writes is code: a
  // proposal, always (the refusal of an answer without code is unit-tested on a scripted model, instruct.test.ts).
  assert.equal(result.error, undefined);
  assert.ok(result.code !== undefined && result.code.trim() !== '' && !result.code.includes('```'), 'code, fences stripped');
  assert.ok(result.hunks !== undefined && result.hunks.length > 0, 'with the hunks that change the selection');
  assert.equal(result.original, mathText.split('\n').slice(9, 12).join('\n'), 'whole lines of the selection');
});

test('a completion asked while an explanation generates goes first; the explanation then finishes', async () => {
  // Idle latency first, for comparison (after an edit: not from the cache).
  await session.replaceText(mathUri, 2, `${mathText}\n\n`);
  await session.complete(mathUri, insideScale);
  const idle = await session.nextMetrics();
  let completionAt: number | undefined;
  let completionTotal: number | undefined;
  let asked: Promise<void> | undefined;
  const started = performance.now();
  const explained = session.instruct({ task: 'explain', uri: mathUri, version: 2, position: { line: 2, character: 2 } }, () => {
    asked ??= (async () => {
      await session.replaceText(mathUri, 3, `${mathText}\n`);
      await session.complete(mathUri, insideScale);
      completionTotal = (await session.nextMetrics()).totalMs;
      completionAt = performance.now() - started;
    })();
  }).result;
  const result = await explained;
  const explainedAt = performance.now() - started;
  await asked;
  console.log(`completion while explaining: ${completionTotal?.toFixed(1)} ms (idle: ${idle.totalMs.toFixed(1)} ms); explanation done at ${explainedAt.toFixed(0)} ms with ${result.stats!.preemptions} pause(s), the completion at ${completionAt?.toFixed(0)} ms`);
  assert.equal(result.error, undefined);
  assert.ok(completionAt !== undefined && completionAt < explainedAt, 'the completion came back before the explanation finished');
  assert.ok(result.stats!.preemptions >= 1, 'the explanation paused for it');
  assert.ok(result.stats!.generatedTokens > 0);
});

test('a separate chat model (hearth.chatModelPath) answers instructions, and survives the completion model reloading', async () => {
  const { draftModelPath, targetModelPath } = await import('../support/paths');
  await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info', chatModelPath: draftModelPath });
  const deadline = Date.now() + 60_000;
  while (!logs.some((line) => /Chat model tiny-code-draft/.test(line)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(logs.some((line) => /Chat model tiny-code-draft-q8_0\.gguf: context \d+ tokens, plain prompts/.test(line)), 'the chat model was loaded');
  const withChat = await session.instruct({ task: 'explain', uri: mathUri, version: 3, position: insideScale }).result;
  assert.equal(withChat.error, undefined);
  assert.ok(withChat.stats!.generatedTokens > 0);
  // The completion model reloads (another thread count): the chat model keeps working.
  await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info', chatModelPath: draftModelPath, modelPath: targetModelPath, maxTokens: 32 });
  await session.waitForStatus((s) => s.state === 'ready', 60_000);
  const again = await session.instruct({ task: 'explain', uri: mathUri, version: 3, position: insideScale }).result;
  assert.equal(again.error, undefined);
  // A chat model path that does not exist: a clear refusal, not the completion model's answer.
  await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info', chatModelPath: '/nonexistent/chat.gguf' });
  const refused = await session.instruct({ task: 'explain', uri: mathUri, version: 3, position: insideScale }).result;
  assert.match(refused.error ?? '', /chat model/i);
  await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info' });
});

test("a model whose GGUF carries a chat template is prompted through it (node-llama-cpp's wrapper), and stops on its triggers", async () => {
  const { chatMlTemplate, modelWithStringKey } = await import('../support/brokenModels');
  const chatModel = modelWithStringKey('tiny-with-chat-template.gguf', 'tokenizer.chat_template', chatMlTemplate);
  await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info', chatModelPath: chatModel });
  const deadline = Date.now() + 60_000;
  while (!logs.some((line) => /Chat model tiny-with-chat-template\.gguf/.test(line)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(logs.some((line) => /Chat model tiny-with-chat-template\.gguf: context \d+ tokens, its chat template/.test(line)), 'loaded with its template');
  const plain = await session.instruct({ task: 'explain', uri: mathUri, version: 3, position: insideScale }).result;
  assert.equal(plain.error, undefined);
  assert.equal(plain.stats!.chatTemplate, true, 'the chat layout was used');
  const refactor = await session.instruct({ task: 'refactor', uri: mathUri, version: 3, position: insideScale, instruction: 'Add a doc comment' }).result;
  // With a chat template the answer does not start inside a fence: code is what the line test takes for code. The
  // tiny model answers with code-like lines (`| Position`, greedy, so always), which make a proposal.
  assert.equal(refactor.error, undefined);
  assert.ok(refactor.code !== undefined && refactor.code.trim() !== '' && refactor.text.startsWith(refactor.code.split('\n')[0]!), `refactor: ${refactor.text.slice(0, 80)}`);
  assert.ok(refactor.hunks !== undefined && refactor.hunks.length > 0);
  await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info' });
});
