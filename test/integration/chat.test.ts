// Conversations over LSP (hearth/chat: what the extension's language model provider sends for other extensions) with
// the bundled tiny model: the answer streams, can be cancelled, long conversations lose their oldest turns to fit
// the context, and a model with a chat template gets the turns through it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ChatMessage } from '../../common/protocol';
import { LspSession } from '../../tools/src/lspSession';
import { fixtureWorkspace, serverPath } from '../support/paths';

const logs: string[] = [];
let session: LspSession;
const question: ChatMessage[] = [{ role: 'user', text: 'Write a TypeScript function that adds two numbers.' }];

before(async () => {
  session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'info' }, workspaceFolder: fixtureWorkspace, onLog: (line) => logs.push(line) });
  const status = await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
  assert.equal(status.state, 'ready', status.message);
});

after(async () => {
  await session?.stop();
  if (process.exitCode) console.log(logs.slice(-30).join('\n'));
});

test('the model is described for the language model API, and counts tokens with its own tokenizer', async () => {
  const info = await session.chatModelInfo();
  assert.ok(info, 'a model is there');
  assert.equal(info.name, 'tiny-code-target-q8_0.gguf');
  assert.ok(info.contextTokens >= 256 && info.maxAnswerTokens <= info.contextTokens / 2, JSON.stringify(info));
  const few = await session.countTokens('return a + b;');
  const more = await session.countTokens('return a + b;'.repeat(10));
  assert.ok(few > 0 && more > few * 5, `${few} and ${more} tokens`);
});

test('a conversation’s answer streams in parts and is the whole of them', async () => {
  const deltas: string[] = [];
  const result = await session.chat({ messages: question, maxTokens: 48 }, (delta) => deltas.push(delta)).result;
  assert.equal(result.error, undefined);
  assert.ok(deltas.length >= 2, `streamed in ${deltas.length} parts`);
  assert.equal(deltas.join(''), result.text);
  assert.ok(result.stats!.generatedTokens > 0 && result.stats!.generatedTokens <= 48);
  assert.equal(result.stats!.chatTemplate, false, 'the bundled model: a plain transcript');
  const prompt = await session.lastInstructPrompt();
  assert.match(prompt ?? '', /### User\n\nWrite a TypeScript function that adds two numbers\.\n\n### Assistant\n\n$/);
});

test('cancelled while it streams, it stops and says so; a completion is answered after it', async () => {
  let parts = 0;
  let cancel!: () => void;
  const pending = session.chat({ messages: question, maxTokens: 400 }, () => {
    if (++parts === 3) cancel();
  });
  cancel = pending.cancel;
  const result = await pending.result;
  assert.equal(result.cancelled, true);
  assert.ok(result.stats!.generatedTokens < 400, `stopped after ${result.stats!.generatedTokens} tokens`);
});

test('a conversation longer than the context loses its oldest turns, keeps the newest, and one message too long is refused', async () => {
  const filler = 'function f(x) { return x * 2; }\n'.repeat(20);
  const messages: ChatMessage[] = [];
  for (let i = 0; i < 12; i++) messages.push({ role: 'user', text: `Turn ${i}: ${filler}` }, { role: 'assistant', text: `Answer ${i}.` });
  messages.push({ role: 'user', text: 'And now?' });
  const result = await session.chat({ messages, maxTokens: 16 }).result;
  assert.equal(result.error, undefined);
  assert.ok((result.droppedMessages ?? 0) > 0, 'some turns were left out');
  const prompt = (await session.lastInstructPrompt()) ?? '';
  assert.ok(!prompt.includes('Turn 0:'), 'the oldest turn is gone');
  assert.ok(prompt.includes('Answer 11.') && prompt.includes('And now?'), 'the newest are kept');

  const refused = await session.chat({ messages: [{ role: 'user', text: filler.repeat(20) }], maxTokens: 16 }).result;
  assert.match(refused.error ?? '', /too long for the model’s context/);
  const notUsers = await session.chat({ messages: [{ role: 'assistant', text: 'hello' }] }).result;
  assert.match(notUsers.error ?? '', /must end with the user’s message/);
});

test("a model with a chat template gets the system message and the earlier turns through its template", async () => {
  const { chatMlTemplate, modelWithStringKey } = await import('../support/brokenModels');
  const chatModel = modelWithStringKey('tiny-chat-for-conversations.gguf', 'tokenizer.chat_template', chatMlTemplate);
  // Explained right away: the request waits for the chat model being loaded rather than refuse.
  const changes = session.chatModelChanges;
  await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info', chatModelPath: chatModel });
  // Described as soon as asked: the answer waits for the load, so the new model is what other extensions see.
  assert.equal((await session.chatModelInfo())?.name, 'tiny-chat-for-conversations.gguf');
  assert.equal(session.chatModelChanges, changes + 1, 'the client was told the model changed (its provider asks again)');
  const result = await session.chat({
    messages: [
      { role: 'system', text: 'You answer in TypeScript.' },
      { role: 'user', text: 'What is 2 + 2?' },
      { role: 'assistant', text: 'It is 4.' },
      { role: 'user', text: 'And 3 + 3?' },
    ],
    maxTokens: 16,
  }).result;
  assert.equal(result.error, undefined);
  assert.equal(result.stats!.chatTemplate, true);
  const prompt = (await session.lastInstructPrompt()) ?? '';
  for (const part of ['<|im_start|>system\nYou answer in TypeScript.', '<|im_start|>user\nWhat is 2 + 2?', '<|im_start|>assistant\nIt is 4.', '<|im_start|>user\nAnd 3 + 3?']) {
    assert.ok(prompt.includes(part), `${part} in ${prompt}`);
  }
  // Cleared: back to the completion model, and the client is told.
  await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info' });
  const deadline = Date.now() + 10_000;
  while (session.chatModelChanges < changes + 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(session.chatModelChanges, changes + 2);
  assert.equal((await session.chatModelInfo())?.name, 'tiny-code-target-q8_0.gguf');
});
