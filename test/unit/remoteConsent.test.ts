import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiKeySecretName, consentMessage, remoteAccessFor } from '../../client/src/remote/remoteConsent';
import { defaultSettings } from '../../common/settings';

const remote = (url: string, engine: 'local' | 'remote' = 'remote') => ({ engine, remote: { ...defaultSettings.remote, url } });

test('the server is told nothing for the local engine or without a URL', () => {
  assert.equal(remoteAccessFor(remote('https://llm.example.com', 'local'), ['https://llm.example.com'], 'k'), undefined);
  assert.equal(remoteAccessFor(remote(''), [], undefined), undefined);
});

test('agreement is per URL: another server is not agreed to, and the key goes only with its own URL', () => {
  assert.deepEqual(remoteAccessFor(remote('https://a.example'), ['https://a.example'], 'key-a'), { url: 'https://a.example', consented: true, apiKey: 'key-a' });
  assert.deepEqual(remoteAccessFor(remote('https://b.example'), ['https://a.example'], undefined), { url: 'https://b.example', consented: false });
  assert.notEqual(apiKeySecretName('https://a.example'), apiKeySecretName('https://b.example'));
});

test('the question names the server and says what is sent, what is kept out, and how to stay local', () => {
  const { message, detail } = consentMessage('https://llm.example.com');
  assert.match(message, /https:\/\/llm\.example\.com/);
  for (const said of [/text around the cursor/, /snippets of other workspace files/, /Explain and Refactor/, /\[REDACTED\]/, /hearth\.remote\.neverSend/, /"local"/]) assert.match(detail, said);
});
