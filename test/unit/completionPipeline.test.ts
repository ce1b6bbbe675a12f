import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CompletionEnvironment, maxDocumentChars, prepareCompletion, provideCompletion } from '../../server/src/completion/completionPipeline';
import { defaultSettings, type HearthSettings } from '../../common/settings';
import type { CompletionModel } from '../../server/src/model/completionModel';
import { splitAtCursor } from '../support/cursor';
import { FakeModel } from '../support/fakeModel';
import { CompletionCache } from '../../server/src/completion/completionCache';

let documentNow: string | undefined;

function environment(model: CompletionModel | undefined, overrides: Partial<HearthSettings> = {}, current = () => true) {
  let generations = 0;
  let maxConcurrent = 0;
  const firstLines: string[] = [];
  const env: CompletionEnvironment = {
    settings: () => ({ ...defaultSettings, ...overrides }),
    model: () => model,
    isCurrent: current,
    currentText: () => documentNow,
    cache: new CompletionCache(),
    keepGoing: true,
    onFirstLine: (text: string) => firstLines.push(text),
    beginGeneration: () => {
      generations++;
      maxConcurrent = Math.max(maxConcurrent, generations);
      return () => generations--;
    },
  };
  return { env, active: () => generations, maxConcurrent: () => maxConcurrent, firstLines };
}

function request(template: string, signal = new AbortController().signal, languageId = 'typescript') {
  const { text, offset } = splitAtCursor(template);
  return { uri: 'file:///a.ts', languageId, version: 1, text, offset, signal };
}

test('the completion is the model text up to the first stop, and generation stops there', async () => {
  const model = new FakeModel(['x', ' + ', 'y', ';', '\n', '}', '\n', 'never', 'reached']);
  const { env, active } = environment(model);
  const result = await provideCompletion(request('function f() {\n  return ║\n}\n'), env);
  assert.equal(result.text, 'x + y;');
  assert.equal(result.metrics.outcome, 'served');
  assert.equal(model.tokensProduced, 6, 'no token is decoded after the closing brace stopped it');
  assert.equal(active(), 0, 'the busy mark is cleared');
});

test('the prompt holds the text before and after the cursor', async () => {
  const model = new FakeModel(['1']);
  await provideCompletion(request('const a = ║;\nconst b = 2;\n'), environment(model).env);
  assert.equal(model.requests[0]!.prefix, 'const a = ');
  assert.equal(model.requests[0]!.suffix, ';\nconst b = 2;\n');
});

test('with code after the cursor the completion stays on one line', async () => {
  const model = new FakeModel(['a', ', ', 'b', '\n', 'c']);
  const result = await provideCompletion(request('call(║)\n'), environment(model, { maxLines: 5 }).env);
  assert.equal(result.text, 'a, b');
});

test('an abort stops generation between tokens and nothing is shown', async () => {
  const controller = new AbortController();
  const model = new FakeModel(['a', 'b', 'c', 'd', 'e', 'f']);
  model.beforeToken = (index) => {
    if (index === 2) controller.abort();
  };
  const result = await provideCompletion(request('x = ║', controller.signal), environment(model).env);
  assert.equal(result.metrics.outcome, 'cancelled');
  assert.equal(result.text, '');
  assert.equal(model.tokensProduced, 2);
});

test('a request whose document changed while it waited for the model is dropped without running', async () => {
  const model = new FakeModel(['a']);
  const result = await provideCompletion(request('x = ║'), environment(model, {}, () => false).env);
  assert.equal(result.metrics.reason, 'document changed while queued');
  assert.equal(model.requests.length, 0, 'the model never saw it');
});

test('a completion for an outdated document version is never returned', async () => {
  const model = new FakeModel(['a', 'b']);
  let changed = false;
  model.beforeToken = () => {
    changed = true; // an edit arrives while the model generates
  };
  const result = await provideCompletion(request('x = ║'), environment(model, {}, () => !changed).env);
  assert.equal(result.metrics.outcome, 'stale');
  assert.equal(model.requests.length, 1, 'generated, then withheld');
  assert.equal(result.text, '');
});

test('disabled languages, a disabled switch and missing models are skipped without touching the model', async () => {
  const model = new FakeModel(['a']);
  const python = await provideCompletion(request('x = ║', undefined, 'python'), environment(model, { enabledLanguages: { '*': true, python: false } }).env);
  assert.equal(python.metrics.outcome, 'skipped');
  const off = await provideCompletion(request('x = ║'), environment(model, { enable: false }).env);
  assert.equal(off.metrics.outcome, 'skipped');
  const noModel = await provideCompletion(request('x = ║'), environment(undefined).env);
  assert.equal(noModel.metrics.reason, 'no model loaded');
  assert.equal(model.requests.length, 0);
});

test('unknown languages are completed as plain text', async () => {
  const model = new FakeModel(['ok']);
  const result = await provideCompletion(request('x = ║', undefined, 'some-new-language'), environment(model).env);
  assert.equal(result.text, 'ok');
});

test('documents over the size limit are skipped; large ones below it are windowed', async () => {
  const model = new FakeModel(['1']);
  const huge = `${"a".repeat(maxDocumentChars + 1)}║`;
  assert.equal((await provideCompletion(request(huge), environment(model).env)).metrics.reason, 'document too large');
  const large = `${'let a = 1;\n'.repeat(200_000)}let b = ║;\n${'let c = 3;\n'.repeat(1000)}`;
  const result = await provideCompletion(request(large), environment(model).env);
  assert.equal(result.text, '1');
  assert.ok(model.requests[0]!.prefix.length < 10_000 && model.requests[0]!.suffix.length < 10_000);
});

test('the token limit reaches the model', async () => {
  const model = new FakeModel(Array.from({ length: 50 }, () => 'z'));
  const result = await provideCompletion(request('x = ║'), environment(model, { maxTokens: 5 }).env);
  assert.equal(result.text, 'zzzzz');
});

test('typing the start of a served completion is answered from the cache, without the model', async () => {
  const model = new FakeModel(['compute', '(', '1', ')', ';']);
  const { env } = environment(model);
  assert.equal((await provideCompletion(request('const a = ║\n'), env)).text, 'compute(1);');
  const typed = await provideCompletion(request('const a = comp║\n'), env);
  assert.equal(typed.metrics.outcome, 'cached');
  assert.equal(typed.text, 'ute(1);');
  assert.equal(model.requests.length, 1, 'the model was asked once');
});

test('the first line of a multi-line completion is streamed the moment it is complete', async () => {
  const model = new FakeModel(['const a', ' = 1;  ', '\n', 'const b', ' = 2;', '\n', 'const c = 3;']);
  let tokensAtFirstLine = -1;
  const { env, firstLines } = environment(model, { maxLines: 3 });
  const onFirstLine = env.onFirstLine;
  env.onFirstLine = (text) => {
    tokensAtFirstLine = model.tokensProduced;
    onFirstLine(text);
  };
  const result = await provideCompletion(request('function f() {\n  ║\n}\n'), env);
  assert.deepEqual(firstLines, ['const a = 1;'], 'sent once, trimmed like the final text');
  assert.equal(tokensAtFirstLine, 3, 'sent right after the line break, before the rest is generated');
  assert.ok(result.text.startsWith('const a = 1;  \nconst b = 2;'), JSON.stringify(result.text));
});

test('single-line completions and outdated documents stream nothing', async () => {
  const single = environment(new FakeModel(['a', '\n', 'b']));
  await provideCompletion(request('call(║)\n'), single.env);
  assert.deepEqual(single.firstLines, []);
  const outdated = environment(new FakeModel(['a', '\n', 'b']), {}, () => false);
  await provideCompletion(request('x = ║'), outdated.env);
  assert.deepEqual(outdated.firstLines, []);
});

test('a document edited while its first line is being written gets no streamed first line (the guard itself, not the queue, drops it)', async () => {
  const model = new FakeModel(['const a', ' = 1;', '\n', 'const b', ' = 2;', '\n']);
  let current = true;
  const { env, firstLines } = environment(model, { maxLines: 3 }, () => current);
  model.beforeToken = (index) => {
    if (index === 1) current = false; // the edit lands after generation began, before the line break
  };
  await provideCompletion(request('function f() {\n  ║\n}\n'), env);
  assert.ok(model.tokensProduced >= 3, 'the generation ran past the first line break');
  assert.deepEqual(firstLines, []);
});

test('keep-going when the cancel overtakes the keystroke’s change (the connection handles a cancel as soon as it is read)', async () => {
  const model = new FakeModel(['compute', '(', '1', ')', ';']);
  let edited = false;
  const { env } = environment(model, {}, () => !edited);
  const controller = new AbortController();
  documentNow = 'const a = \n';
  model.beforeToken = async (index) => {
    if (index === 2) {
      controller.abort(); // the cancel first: the document still has the old text
      setImmediate(() => {
        documentNow = 'const a = co\n'; // the change, applied a turn later
        edited = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  try {
    const first = await provideCompletion(request('const a = ║\n', controller.signal), env);
    assert.equal(first.metrics.reason, 'kept going', `${first.metrics.outcome} ${first.metrics.reason ?? ''}`);
    assert.equal(model.tokensProduced, 5);
  } finally {
    model.beforeToken = () => undefined;
  }
});

test('keep-going: a keystroke that types what is being generated does not stop the generation', async () => {
  const model = new FakeModel(['compute', '(', '1', ')', ';']);
  let edited = false; // the request's version is current until the keystroke
  const { env } = environment(model, {}, () => !edited);
  const controller = new AbortController();
  model.beforeToken = (index) => {
    if (index === 2) {
      documentNow = 'const a = co\n'; // the user typed "co", the start of "compute", then VS Code cancelled
      edited = true;
      controller.abort();
    }
  };
  try {
    const first = await provideCompletion(request('const a = ║\n', controller.signal), env);
    assert.equal(first.metrics.outcome, 'cancelled');
    assert.equal(first.metrics.reason, 'kept going');
    assert.equal(model.tokensProduced, 5, 'the generation ran to its end');
    model.beforeToken = () => undefined;
    edited = false; // the next request is for the new version
    const fromCache = await provideCompletion(request('const a = co║\n'), env);
    assert.equal(fromCache.metrics.outcome, 'cached');
    assert.equal(fromCache.text, 'mpute(1);');
    assert.equal(model.requests.length, 1, 'the next keystroke needed no new prompt');
  } finally {
    documentNow = undefined;
  }
});

test('with keep-going off, even a matching keystroke stops the generation', async () => {
  const model = new FakeModel(['compute', '(', '1', ')', ';']);
  const { env } = environment(model, {}, () => documentNow === undefined);
  env.keepGoing = false;
  const controller = new AbortController();
  model.beforeToken = (index) => {
    if (index === 2) {
      documentNow = 'const a = co\n';
      controller.abort();
    }
  };
  try {
    const result = await provideCompletion(request('const a = ║\n', controller.signal), env);
    assert.equal(result.metrics.outcome, 'cancelled');
    assert.equal(result.metrics.reason, undefined);
    assert.equal(model.tokensProduced, 2);
  } finally {
    documentNow = undefined;
  }
});

test('a keystroke that diverges from the generation stops it at once', async () => {
  const model = new FakeModel(['compute', '(', '1', ')', ';']);
  const { env } = environment(model);
  const controller = new AbortController();
  model.beforeToken = (index) => {
    if (index === 2) {
      documentNow = 'const a = x\n';
      controller.abort();
    }
  };
  try {
    const result = await provideCompletion(request('const a = ║\n', controller.signal), env);
    assert.equal(result.metrics.outcome, 'cancelled');
    assert.equal(model.tokensProduced, 2);
    assert.equal(env.cache.get('const a = ', '\n'), undefined, 'a partial completion is not cached');
  } finally {
    documentNow = undefined;
  }
});

test('syntax stage: a cursor the parse says is mid-statement gets one line; its block-end rule stops generation', async () => {
  const model = new FakeModel(['a', ' +', ' b', '\n', 'next', '\n']);
  const { env } = environment(model);
  env.syntax = async () => ({ multiLine: false, blockEndRule: () => () => undefined });
  const single = await provideCompletion(request('const s = ║\n'), env);
  assert.equal(single.text, 'a + b');

  const blocky = new FakeModel(['function g() {', '\n', '}', '\n', 'more', '\n', 'never']);
  const second = environment(blocky);
  second.env.syntax = async () => ({ multiLine: true, blockEndRule: () => (generated) => (generated.includes('}\nmore\n') ? generated.indexOf('\nmore') : undefined) });
  const result = await provideCompletion(request('║\n'), second.env);
  assert.equal(result.text, 'function g() {\n}');
  assert.equal(blocky.tokensProduced, 6, 'generation stopped when the rule cut');
});

test('where the cursor rests, the model is handed the windowed prompt and the context to prepare; nothing is generated', async () => {
  const model = new FakeModel(['never']);
  const { env } = environment(model);
  env.context = async () => ({ filePath: 'src/a.ts', snippets: [{ path: 'src/b.ts', text: 'export const b = 1;', source: 'definitions' }] });
  assert.equal(await prepareCompletion(request('const a = ║;\nexport {};'), env), true);
  assert.deepEqual(model.prepared.map((p) => [p.prefix, p.suffix, p.documentKey, p.filePath, p.context?.[0]?.path]), [['const a = ', ';\nexport {};', 'file:///a.ts', 'src/a.ts', 'src/b.ts']]);
  assert.equal(model.requests.length, 0, 'no generation');
  // Nothing for a disabled language, or for a document that moved on while the context was gathered.
  assert.equal(await prepareCompletion(request('x = ║', undefined, 'plaintext'), env), false);
  const { env: stale } = environment(model, {}, () => false);
  assert.equal(await prepareCompletion(request('const c = ║'), stale), false);
  assert.equal(model.prepared.length, 1);
});

test('a context or syntax stage that never answers is left out at the deadline; the completion goes on', { timeout: 10_000 }, async () => {
  const model = new FakeModel(['x', ';']);
  const { env } = environment(model);
  env.context = () => new Promise(() => undefined);
  env.syntax = () => new Promise(() => undefined);
  const result = await provideCompletion(request('const a = ║'), env);
  assert.equal(result.metrics.outcome, 'served');
  assert.equal(result.text, 'x;');
  assert.equal(model.requests[0]!.context, undefined, 'no context from a stage that never answered');
  assert.ok(result.metrics.contextMs! < 1000, `the stages were waited for ${result.metrics.contextMs} ms`);
});
