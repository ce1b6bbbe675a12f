import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutFimPrompt, layoutQuickRepoHeader, layoutRepoHeader } from '../../server/src/model/fimTemplate';

const ids = { prefix: 1, suffix: 3, middle: 2 };

test('prefix-suffix-middle layout puts the FIM tokens around the parts', () => {
  assert.deepEqual(layoutFimPrompt({ prefixTokens: [10, 11], suffixTokens: [20], ids, order: 'psm', budget: 100 }), [1, 10, 11, 3, 20, 2]);
});

test('suffix-prefix-middle layout ends with the prefix, where typing happens', () => {
  assert.deepEqual(layoutFimPrompt({ prefixTokens: [10, 11], suffixTokens: [20], ids, order: 'spm', budget: 100 }), [3, 20, 1, 10, 11, 2]);
});

const range = (start: number, length: number) => Array.from({ length }, (_, i) => start + i);

test('over budget, the prefix keeps its end, the suffix its start and at most a quarter', () => {
  const prompt = layoutFimPrompt({ prefixTokens: range(100, 50), suffixTokens: range(200, 50), ids, order: 'psm', budget: 23 });
  assert.ok(prompt.length <= 23);
  assert.equal(prompt.at(-8), 149, 'the prefix ends at the cursor');
  assert.deepEqual(prompt.slice(-7), [3, 200, 201, 202, 203, 204, 2]);
});

test('an over-long prefix is cut in whole steps, so typing does not move its start', () => {
  const layout = (prefixLength: number) =>
    layoutFimPrompt({ prefixTokens: range(1000, prefixLength), suffixTokens: range(5000, 50), ids, order: 'spm', budget: 403 });
  const before = layout(600);
  assert.ok(before.length <= 403);
  assert.deepEqual(before.slice(0, 2), [3, 5000]);
  assert.equal(before[52], 1000 + 256, 'the prefix starts after 4 steps of 64 dropped tokens');
  for (const typed of [1, 2, 5]) assert.equal(layout(600 + typed)[52], 1000 + 256, `after ${typed} more tokens`);
  assert.equal(layout(600 + 7)[52], 1000 + 320, 'the next step');
});

test('a short suffix leaves its share of the budget to the prefix', () => {
  const prompt = layoutFimPrompt({ prefixTokens: range(100, 50), suffixTokens: [7], ids, order: 'psm', budget: 23 });
  assert.ok(prompt.length >= 20 && prompt.length <= 23);
  assert.equal(prompt.at(-4), 149);
});

test('the repository header names each context file, then the current one, and leaves out files that do not fit', () => {
  const tokenize = (text: string) => [...text].map((c) => c.charCodeAt(0));
  const ids = { repoName: 5, fileSeparator: 6 };
  const header = layoutRepoHeader(
    [
      { path: 'a.ts', text: 'x' },
      { path: 'big.ts', text: 'y'.repeat(100) },
      { path: 'b.ts', text: 'z' },
    ],
    'cur.ts',
    ids,
    tokenize,
    60,
  );
  const text = header.map((t) => (t === 5 ? '<repo>' : t === 6 ? '<sep>' : String.fromCharCode(t))).join('');
  assert.equal(text, '<repo>workspace\n<sep>a.ts\nx\n<sep>b.ts\nz\n<sep>cur.ts\n');
  assert.deepEqual(layoutRepoHeader([{ path: 'big.ts', text: 'y'.repeat(100) }], 'cur.ts', ids, tokenize, 60), [], 'no header when nothing fits');
  const prompt = layoutFimPrompt({ prefixTokens: [10, 11], suffixTokens: [20], ids: { prefix: 1, suffix: 3, middle: 2 }, order: 'spm', budget: 100, header: [5, 9] });
  assert.deepEqual(prompt, [5, 9, 3, 20, 1, 10, 11, 2], 'the header comes first, before the FIM tokens');
});

test('a short prefix is kept whole; a header counts against the budget', () => {
  assert.deepEqual(layoutFimPrompt({ prefixTokens: range(100, 5), suffixTokens: [], ids, order: 'psm', budget: 100 }), [1, 100, 101, 102, 103, 104, 3, 2]);
  const header = range(900, 10);
  const prompt = layoutFimPrompt({ prefixTokens: range(100, 50), suffixTokens: range(200, 50), ids, order: 'psm', budget: 40, header });
  assert.ok(prompt.length <= 40, `${prompt.length} tokens`);
  assert.deepEqual(prompt.slice(0, 10), header);
  assert.equal(prompt[prompt.indexOf(ids.suffix) - 1], 149, 'the prefix still ends at the cursor');
});

test('a family without a middle token ends the prompt with the prefix (suffix-first)', () => {
  assert.deepEqual(layoutFimPrompt({ prefixTokens: [10], suffixTokens: [20], ids: { prefix: 1, suffix: 3 }, order: 'spm', budget: 100 }), [3, 20, 1, 10]);
});

test('the repository header takes a file that fits exactly, and leaves out one that fits only without the current file’s line', () => {
  const tokenize = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
  const repo = { repoName: 7, fileSeparator: 8 };
  const start = 1 + 'workspace\n'.length;
  const end = 1 + 'c.ts\n'.length;
  const file = { path: 'a.ts', text: 'xyz' };
  const fileTokens = 1 + 'a.ts\nxyz\n'.length;
  assert.equal(layoutRepoHeader([file], 'c.ts', repo, tokenize, start + fileTokens + end).length, start + fileTokens + end, 'an exact fit is taken');
  assert.deepEqual(layoutRepoHeader([file], 'c.ts', repo, tokenize, start + fileTokens + end - 1), [], 'one token short: left out, and no header at all');
});

test('the quick header takes snippet by snippet in ranked order, within its small budget', () => {
  const tokenize = (text: string) => [...text].map((c) => c.charCodeAt(0));
  const ids = { repoName: 5, fileSeparator: 6 };
  const show = (tokens: number[]) => tokens.map((t) => (t === 5 ? '<repo>' : t === 6 ? '<sep>' : String.fromCharCode(t))).join('');
  const files = [
    // A file's snippets ranked: the signature the cursor needs, then a long body that does not fit.
    { path: 'a.ts', text: 'f(x)\n\nbody'.padEnd(80, 'y'), parts: ['f(x)', 'body'.padEnd(74, 'y')] },
    { path: 'b.ts', text: 'g()', parts: ['g()'] },
    { path: 'c.ts', text: 'h()' },
  ];
  const tokens = layoutQuickRepoHeader(files, 'cur.ts', ids, tokenize, 48);
  const header = show(tokens);
  assert.equal(header, '<repo>workspace\n<sep>a.ts\nf(x)\n<sep>b.ts\ng()\n<sep>cur.ts\n', 'the first snippets that fit, not whole files');
  assert.ok(tokens.length <= 48);
  // The whole-window header, with room, takes whole files.
  assert.ok(show(layoutRepoHeader(files, 'cur.ts', ids, tokenize, 400)).includes('body'));
  // Where the first-ranked snippet does not fit, a later one still may.
  assert.equal(show(layoutQuickRepoHeader([{ path: 'a.ts', text: '', parts: ['z'.repeat(50), 'k()'] }], 'cur.ts', ids, tokenize, 40)), '<repo>workspace\n<sep>a.ts\nk()\n<sep>cur.ts\n');
});
