import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conversationPrompt, defaultChatSystem } from '../../server/src/chat/chatService';

/** One token per word, as a stand-in tokenizer. */
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

test('a conversation becomes system, earlier turns and the user’s last message, in both layouts', () => {
  const laid = conversationPrompt(
    [
      { role: 'system', text: 'Answer briefly.' },
      { role: 'user', text: 'What is 2 + 2?' },
      { role: 'assistant', text: 'Four.' },
      { role: 'user', text: 'And 3 + 3?' },
    ],
    words,
    1000,
  );
  assert.ok(laid);
  assert.equal(laid.prompt.system, 'Answer briefly.');
  assert.deepEqual(laid.prompt.history, [
    { role: 'user', text: 'What is 2 + 2?' },
    { role: 'assistant', text: 'Four.' },
  ]);
  assert.equal(laid.prompt.user, 'And 3 + 3?');
  assert.equal(laid.dropped, 0);
  assert.equal(laid.prompt.plain, 'Answer briefly.\n\n### User\n\nWhat is 2 + 2?\n\n### Assistant\n\nFour.\n\n### User\n\nAnd 3 + 3?\n\n### Assistant\n\n');
  assert.equal(conversationPrompt([{ role: 'user', text: 'Hi' }], words, 100)!.prompt.system, defaultChatSystem, 'no system message: Hearth’s own');
});

test('the oldest turns go first when the conversation outgrows the budget; the last message always stays', () => {
  const messages = [
    { role: 'user' as const, text: 'one two three four five' },
    { role: 'assistant' as const, text: 'six seven eight nine ten' },
    { role: 'user' as const, text: 'eleven twelve' },
    { role: 'assistant' as const, text: 'thirteen' },
    { role: 'user' as const, text: 'last' },
  ];
  const all = conversationPrompt(messages, words, 10_000)!;
  // Each turn costs its words and 8 for the template's markers; the system prompt and the last message always count.
  const budget = all.tokens - 1; // one token short of keeping every turn
  const trimmed = conversationPrompt(messages, words, budget)!;
  assert.equal(trimmed.dropped, 1);
  assert.deepEqual(trimmed.prompt.history!.map((m) => m.text), ['six seven eight nine ten', 'eleven twelve', 'thirteen']);
  assert.ok(trimmed.tokens <= budget);
  const tight = conversationPrompt(messages, words, 0)!;
  assert.deepEqual(tight.prompt.history, [], 'no room: no earlier turns');
  assert.equal(tight.prompt.user, 'last');
  assert.ok(tight.tokens > 0, 'what it costs anyway, for the caller to refuse');
});

test('a conversation must end with the user’s turn', () => {
  assert.equal(conversationPrompt([], words, 100), undefined);
  assert.equal(conversationPrompt([{ role: 'user', text: 'q' }, { role: 'assistant', text: 'a' }], words, 100), undefined);
  assert.equal(conversationPrompt([{ role: 'system', text: 's' }], words, 100), undefined);
});
