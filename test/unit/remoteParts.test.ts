// The remote engine's parts that need no server: URL policy, failure messages, SSE framing, backoff, the text prompt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectDelayS } from '../../server/src/remote/remoteEngine';
import { checkRemoteUrl, eventData, isLoopback, retryAfterSeconds, statusMessage } from '../../server/src/remote/remoteHttp';
import { fimMarkers, guessFimFamily, TextPromptPlanner } from '../../server/src/remote/textPrompt';

test('plain http only to this machine unless allowed; https anywhere; nothing else', () => {
  assert.equal(checkRemoteUrl('http://127.0.0.1:8080', false).host, '127.0.0.1:8080');
  assert.equal(checkRemoteUrl('http://localhost:8080', false).hostname, 'localhost');
  assert.equal(checkRemoteUrl('http://[::1]:8080', false).hostname, '[::1]');
  assert.throws(() => checkRemoteUrl('http://gpu-box.lan:8080', false), /unencrypted.*hearth\.remote\.allowHttp/);
  assert.equal(checkRemoteUrl('http://gpu-box.lan:8080', true).hostname, 'gpu-box.lan');
  assert.equal(checkRemoteUrl('https://llm.example.com', false).protocol, 'https:');
  assert.throws(() => checkRemoteUrl('ftp://llm.example.com', true), /must be http/);
  assert.throws(() => checkRemoteUrl('not a url', true), /not a URL/);
  assert.equal(isLoopback(new URL('http://127.8.9.10')), true);
  assert.equal(isLoopback(new URL('http://128.0.0.1')), false);
});

test('HTTP failures say what to do, and whether retrying can help', () => {
  const key = statusMessage(401, '{"error":{"message":"Invalid API Key"}}', 'https://x');
  assert.match(key.message, /refused the API key \(401: Invalid API Key\).*Set Remote API Key/);
  assert.equal(key.retryable, false);
  assert.equal(statusMessage(429, '', 'https://x').retryable, true);
  assert.match(statusMessage(503, 'overloaded', 'https://x').message, /failed \(503: overloaded\)/);
  assert.equal(statusMessage(503, '', 'https://x').retryable, true);
  assert.equal(statusMessage(404, '', 'https://x').retryable, false);
  assert.match(statusMessage(501, '', 'https://x').message, /does not offer this/);
});

test('server-sent events: data lines joined, comments and keep-alives skipped', () => {
  assert.equal(eventData('data: {"a":1}'), '{"a":1}');
  assert.equal(eventData('event: completion\ndata: {"a":\ndata: 1}'), '{"a":\n1}');
  assert.equal(eventData(': keep-alive'), undefined);
  assert.equal(eventData('data:[DONE]'), '[DONE]');
});

test('reconnecting backs off, doubling to a minute', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 20].map(reconnectDelayS), [1, 2, 4, 8, 16, 32, 60, 60, 60]);
});

test('a model name says its FIM family where it can', () => {
  assert.equal(guessFimFamily('Qwen/Qwen2.5-Coder-7B'), 'qwen');
  assert.equal(guessFimFamily('bigcode/starcoder2-15b'), 'starcoder');
  assert.equal(guessFimFamily('deepseek-coder-6.7b-base'), 'deepseek');
  assert.equal(guessFimFamily('codellama:13b-code'), 'codellama');
  assert.equal(guessFimFamily('codestral-latest'), 'codestral');
  assert.equal(guessFimFamily('llama3.1:8b'), undefined);
});

test('the text prompt is the local layout with the family’s markers: anchored, its start unchanged while typing', () => {
  const planner = new TextPromptPlanner(fimMarkers.qwen);
  const input = (prefix: string) => ({ documentKey: 'a', prefix, suffix: '\n}\n', budgetChars: 10_000, contextChars: 0 });
  const first = planner.plan(input('function f() {\n  ret'));
  assert.equal(first.prompt, '<|fim_prefix|>function f() {\n  <|fim_suffix|>\n}\n<|fim_middle|>ret');
  const next = planner.plan(input('function f() {\n  retu'));
  assert.ok(next.prompt.startsWith(first.prompt), 'typing only appends: the server reuses its cache for the rest');
  assert.equal(planner.plan(input('function f() {\n  return ')).heldBack, ' ', 'a trailing space is held back, as locally');
  const spm = new TextPromptPlanner({ ...fimMarkers.starcoder, order: 'spm' }).plan(input('x = '));
  assert.equal(spm.prompt, '<fim_suffix>\n}\n<fim_prefix>x = <fim_middle>', 'suffix-first: the prefix last, as typed');
});

test('the text prompt keeps to its budget from the front, never splitting a character, and carries the repository header', () => {
  const planner = new TextPromptPlanner(fimMarkers.qwen);
  const long = `${'😀'.repeat(3000)}\nconst x = `;
  const { prompt } = planner.plan({ documentKey: 'b', prefix: long, suffix: '', budgetChars: 1000, contextChars: 0 });
  assert.ok(Array.from(prompt).length <= 1000 + 50, `${Array.from(prompt).length} code points`);
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(prompt), 'no lone surrogate');
  const withContext = planner.plan({ documentKey: 'c', prefix: 'a', suffix: '', context: [{ path: 'src/b.ts', text: 'export const b = 1;' }], filePath: 'src/a.ts', budgetChars: 10_000, contextChars: 1000 });
  assert.ok(withContext.prompt.startsWith('<|repo_name|>workspace\n<|file_sep|>src/b.ts\nexport const b = 1;\n<|file_sep|>src/a.ts\n<|fim_prefix|>'), withContext.prompt);
});

test('Retry-After: seconds or an HTTP date, bounded at ten minutes; a 429 or 503 carries it', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  assert.equal(retryAfterSeconds('120', now), 120);
  assert.equal(retryAfterSeconds(' 7 ', now), 7);
  assert.equal(retryAfterSeconds('Tue, 01 Dec 2026 10:00:30 GMT', now), 30);
  assert.equal(retryAfterSeconds('Tue, 01 Dec 2026 09:00:00 GMT', now), 0, 'a date in the past: no wait');
  assert.equal(retryAfterSeconds('86400', now), 600);
  assert.equal(retryAfterSeconds('soon', now), undefined);
  assert.equal(retryAfterSeconds(null, now), undefined);
  assert.equal(retryAfterSeconds('', now), undefined);
  assert.equal(statusMessage(429, '', 'https://x', '30').retryAfterS, 30);
  assert.equal(statusMessage(503, '', 'https://x', '5').retryAfterS, 5);
  assert.equal(statusMessage(429, '', 'https://x').retryAfterS, undefined);
});
