import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompletionCache } from '../../server/src/completion/completionCache';

test('an exact context hits', () => {
  const cache = new CompletionCache();
  cache.set('const a = ', ';\n', 'compute(1)');
  assert.equal(cache.get('const a = ', ';\n'), 'compute(1)');
});

test('typing the start of a shown completion serves the rest', () => {
  const cache = new CompletionCache();
  cache.set('const a = ', ';\n', 'compute(1)');
  assert.equal(cache.get('const a = comp', ';\n'), 'ute(1)');
  assert.equal(cache.get('const a = compute(1', ';\n'), ')');
});

test('typing something else, typing all of it, or another suffix misses', () => {
  const cache = new CompletionCache();
  cache.set('const a = ', ';\n', 'compute(1)');
  assert.equal(cache.get('const a = x', ';\n'), undefined);
  assert.equal(cache.get('const a = compute(1)', ';\n'), undefined);
  assert.equal(cache.get('const a = comp', ');\n'), undefined);
  assert.equal(cache.get('const b = ', ';\n'), undefined);
});

test('the least recently used entry is evicted first', () => {
  const cache = new CompletionCache(2);
  cache.set('a', '', '1');
  cache.set('b', '', '2');
  assert.equal(cache.get('a', ''), '1'); // a is now the most recent
  cache.set('c', '', '3');
  assert.equal(cache.size, 2);
  assert.equal(cache.get('b', ''), undefined);
  assert.equal(cache.get('a', ''), '1');
  assert.equal(cache.get('c', ''), '3');
});

test('empty completions are not cached; clear empties the cache', () => {
  const cache = new CompletionCache();
  cache.set('a', '', '');
  assert.equal(cache.size, 0);
  cache.set('a', '', 'x');
  cache.clear();
  assert.equal(cache.get('a', ''), undefined);
});

test('settled() waits for every expected result, and a failed one does not fail it', async () => {
  const cache = new CompletionCache();
  let store!: () => void;
  let fail!: (error: Error) => void;
  cache.expect(new Promise<void>((resolve) => (store = resolve)));
  cache.expect(new Promise<void>((_, reject) => (fail = reject)));
  let settled = false;
  const waiting = cache.settled().then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, 'two results still to come');
  store();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, 'one still to come');
  fail(new Error('generation failed'));
  await waiting;
  assert.equal(settled, true);
  await cache.settled(); // nothing pending: at once
});
