import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageText, toChatMessages } from '../../client/src/languageModel/chatMessages';

// VS Code's LanguageModelChatMessageRole values and part shapes (LanguageModelTextPart has `value`).
const User = 1;
const Assistant = 2;
const System = 3;
const text = (value: string) => ({ value });
const toolCall = { callId: 'c1', name: 'search', input: {} };

test('VS Code’s messages become conversation turns: roles, text parts in order, the rest left out', () => {
  assert.deepEqual(
    toChatMessages([
      { role: System, content: [text('Be brief.')] },
      { role: User, content: [text('What does '), text('add do?')] },
      { role: Assistant, content: [text('It adds.'), toolCall] },
      { role: User, content: 'And sub?' },
    ]),
    [
      { role: 'system', text: 'Be brief.' },
      { role: 'user', text: 'What does add do?' },
      { role: 'assistant', text: 'It adds.' },
      { role: 'user', text: 'And sub?' },
    ],
  );
});

test('empty turns and unknown roles are dropped; turns of one role in a row are joined', () => {
  assert.deepEqual(
    toChatMessages([
      { role: User, content: [text('First.')] },
      { role: Assistant, content: [toolCall] },
      { role: 7, content: [text('from a role this model does not know')] },
      { role: User, content: [text('Second.')] },
    ]),
    [{ role: 'user', text: 'First.\n\nSecond.' }],
  );
  assert.equal(messageText({ content: [text('a'), 42, null, text('b')] }), 'ab');
});
