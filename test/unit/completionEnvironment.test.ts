// The environment the server and the eval both build (server/src/completion/completionEnvironment.ts): documents
// answer isCurrent/currentText, and the syntax stage runs on the real grammars.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultSettings } from '../../common/settings';
import { CompletionCache } from '../../server/src/completion/completionCache';
import { completionEnvironment } from '../../server/src/completion/completionEnvironment';
import type { CompletionRequest } from '../../server/src/completion/completionPipeline';
import { DocumentTrees } from '../../server/src/syntax/documentTrees';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { repoRoot } from '../support/paths';

const grammars = new GrammarRegistry(join(repoRoot, 'grammars'));

function environment(text: string, version = 3) {
  return completionEnvironment({
    settings: () => defaultSettings,
    model: () => undefined,
    documents: { get: (uri) => (uri === 'file:///w/a.ts' ? { version, getText: () => text } : undefined) },
    grammars,
    trees: new DocumentTrees(),
    cache: new CompletionCache(0),
    keepGoing: true,
  });
}

const request = (text: string, cursor: string, languageId = 'typescript'): CompletionRequest => ({
  uri: 'file:///w/a.ts',
  languageId,
  version: 3,
  text: text.replace(cursor, ''),
  offset: text.indexOf(cursor),
  signal: new AbortController().signal,
});

test('documents: current only at their version; their text; nothing for a closed one', () => {
  const env = environment('let a = 1;');
  assert.equal(env.isCurrent('file:///w/a.ts', 3), true);
  assert.equal(env.isCurrent('file:///w/a.ts', 2), false);
  assert.equal(env.isCurrent('file:///w/b.ts', 3), false);
  assert.equal(env.currentText('file:///w/a.ts'), 'let a = 1;');
  assert.equal(env.currentText('file:///w/b.ts'), undefined);
  assert.equal(env.keepGoing, true);
  assert.doesNotThrow(() => env.beginGeneration()(), 'no status to show: a no-op');
});

test('the syntax stage: one line in a comment, several after an opener, and the block-end stop rule; none without a grammar', async () => {
  const inComment = 'function f() {\n  // note: |\n}\n';
  const atOpener = 'function f() {|\n}\n';
  const env = environment('');
  assert.equal((await env.syntax!(request(inComment, '|')))?.multiLine, false);
  const advice = await env.syntax!(request(atOpener, '|'));
  assert.equal(advice?.multiLine, true);
  // A completion that opens a block and closes it, then goes on: the rule stops it at the next line of code.
  const prefix = atOpener.slice(0, atOpener.indexOf('|'));
  const rule = advice!.blockEndRule(prefix);
  assert.equal(rule('\n  if (x) {\n'), undefined, 'the block is still open');
  assert.notEqual(rule('\n  if (x) {\n    y();\n  }\n  z();\n'), undefined, 'closed, and the completion went on');
  assert.equal(await env.syntax!(request('some words|', '|', 'plaintext')), undefined);
});
