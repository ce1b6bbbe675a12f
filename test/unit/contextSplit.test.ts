// The context builder over sources of one shape (fake ones here): how it splits the budget, where it places each
// source's snippets, when it asks them again, and what it tells them when a document closes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContextBuilder } from '../../server/src/context/contextBuilder';
import type { ContextSnippet, ContextSource, SnippetSource, SourceQuery } from '../../server/src/context/contextSource';
import type { TokenBudget } from '../../server/src/context/tokenBudget';

const perChar = (tokens: number): TokenBudget => ({ tokens, count: (text) => text.length });
const all = { definitions: true, recentEdits: true, similar: true };

interface FakeSource extends SnippetSource {
  asked: SourceQuery[];
  forgotten: string[];
}

function fakeSource(name: ContextSource, share: number, texts: string[], extra: Partial<SnippetSource> = {}): FakeSource {
  const source: FakeSource = {
    name,
    share,
    asked: [],
    forgotten: [],
    snippets(query) {
      source.asked.push(query);
      return texts.map((text): ContextSnippet => ({ path: '', text, source: name }));
    },
    forget(uri) {
      source.forgotten.push(uri);
    },
    ...extra,
  };
  return source;
}

const request = (text: string, offset = text.length) => ({ uri: 'file:///a.ts', path: '/w/a.ts', languageId: 'typescript', text, offset });
const build = (builder: ContextBuilder, text: string, tokens: number, sources = all) => builder.build(request(text), { budget: perChar(tokens), deadline: performance.now() + 1000, sources });

test('volatile sources take at most their share; the source that takes the rest gets what they leave, and is placed first', async () => {
  // Shares 0.6 / 0.2 / 0.2 of 100 characters: 20 each for the volatile ones. A snippet costs its text, its path line
  // (empty here) and two separators: 3 more than its length.
  const definitions = fakeSource('definitions', 0.6, ['d'.repeat(47), 'D'.repeat(27), 'e'.repeat(15)], { takesTheRest: true });
  const similar = fakeSource('similar', 0.2, ['s'.repeat(15), 'S'.repeat(15)]);
  const edits = fakeSource('recentEdits', 0.2, []);
  // Given out of order: the builder places them stable first.
  const builder = new ContextBuilder(() => ['/w'], [similar, edits, definitions]);
  const snippets = await build(builder, 'const x = 1;\nx', 100);
  const sizes = snippets.map((s) => `${s.source}:${s.text.length}`);
  // similar: 18 fits its 20, a second 18 does not; definitions: 100 − 18 = 82 → 50, then 30 (80; over its own share
  // of 60), then 18 is over.
  assert.deepEqual(sizes, ['definitions:47', 'definitions:27', 'similar:15']);
});

test('a snippet too long for what is left gives its shorter form, and a disabled source is not asked', async () => {
  const definitions = fakeSource('definitions', 0.6, ['x'.repeat(40), 'function f(a) {\n  return a;\n}'], {
    takesTheRest: true,
    shorten: (snippet) => ({ ...snippet, text: snippet.text.split('\n')[0]! }),
  });
  const similar = fakeSource('similar', 0.2, ['s']);
  const builder = new ContextBuilder(() => ['/w'], [definitions, similar]);
  // 43 for the first leaves 19: the whole function (32) does not fit, its first line (18) does.
  const snippets = await build(builder, 'f(', 62, { definitions: true, recentEdits: false, similar: false });
  assert.deepEqual(
    snippets.map((s) => s.text),
    ['x'.repeat(40), 'function f(a) {'],
  );
  assert.equal(similar.asked.length, 0);
});

test('the sources are asked once per cursor line; another line, or a closed document, asks them again', async () => {
  const definitions = fakeSource('definitions', 0.6, ['d'], { takesTheRest: true });
  const builder = new ContextBuilder(() => ['/w'], [definitions]);
  const text = 'let a = 1;\nlet b = a';
  await build(builder, text, 100);
  await build(builder, `${text} +`, 100); // typing on the same line
  assert.equal(definitions.asked.length, 1);
  assert.equal(definitions.asked[0]!.nearby, text, 'the lines before the cursor through its line');
  await build(builder, `${text}\nlet c`, 100);
  assert.equal(definitions.asked.length, 2);
  builder.forget('file:///a.ts');
  assert.deepEqual(definitions.forgotten, ['file:///a.ts']);
  await build(builder, `${text}\nlet c`, 100);
  assert.equal(definitions.asked.length, 3);
});

test('two sources that would both take the rest of the budget are refused at construction', () => {
  const a = fakeSource('definitions', 0.6, [], { takesTheRest: true });
  const b = fakeSource('similar', 0.2, [], { takesTheRest: true });
  assert.throws(() => new ContextBuilder(() => [], [a, b]), /At most one context source takes the rest/);
});
