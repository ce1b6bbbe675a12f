// The completion pipeline's outcomes as the metrics report them (what the status bar, the benches and the load test
// read), its edges (a document at the size limit, no context budget, a model that fails) and what it hands the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSettings, type HearthSettings } from '../../common/settings';
import { CompletionCache } from '../../server/src/completion/completionCache';
import { type CompletionEnvironment, groupByPath, maxDocumentChars, prepareCompletion, provideCompletion } from '../../server/src/completion/completionPipeline';
import type { TokenBudget } from '../../server/src/context/tokenBudget';
import type { CompletionModel, InfillRequest, InfillRun } from '../../server/src/model/completionModel';
import { splitAtCursor } from '../support/cursor';
import { FakeModel } from '../support/fakeModel';

function environment(model: CompletionModel | undefined, overrides: Partial<HearthSettings> = {}, current = () => true) {
  const firstLines: string[] = [];
  const env: CompletionEnvironment = {
    settings: () => ({ ...defaultSettings, ...overrides }),
    model: () => model,
    isCurrent: current,
    currentText: () => undefined,
    cache: new CompletionCache(),
    keepGoing: true,
    onFirstLine: (text) => firstLines.push(text),
    beginGeneration: () => () => undefined,
  };
  return { env, firstLines };
}

function request(template: string, signal = new AbortController().signal, languageId = 'typescript') {
  const { text, offset } = splitAtCursor(template);
  return { uri: 'file:///a.ts', languageId, version: 1, text, offset, signal };
}

test('skipped requests say why, and take no time worth measuring', async () => {
  const model = new FakeModel(['x']);
  const cases: Array<[string, Awaited<ReturnType<typeof provideCompletion>>]> = [
    ['disabled for ruby', await provideCompletion(request('x = ║', undefined, 'ruby'), environment(model, { enabledLanguages: { '*': true, ruby: false } }).env)],
    ['no model loaded', await provideCompletion(request('x = ║'), environment(undefined).env)],
    ['cancelled before start', await provideCompletion(request('x = ║', AbortSignal.abort()), environment(model).env)],
    ['document too large', await provideCompletion({ ...request('x = ║'), text: 'x'.repeat(maxDocumentChars + 1) }, environment(model).env)],
  ];
  for (const [reason, result] of cases) {
    assert.equal(result.metrics.outcome, 'skipped', reason);
    assert.equal(result.metrics.reason, reason);
    assert.equal(result.text, '');
    assert.ok(result.metrics.totalMs >= 0 && result.metrics.totalMs < 10_000, `totalMs ${result.metrics.totalMs}`);
    assert.equal(result.metrics.uri, 'file:///a.ts');
    assert.equal(result.metrics.version, 1);
  }
  assert.equal(model.requests.length, 0);
});

test('a document exactly at the size limit is still completed', async () => {
  const model = new FakeModel(['1;']);
  const text = `const a = ${'x'.repeat(maxDocumentChars - 'const a = '.length)}`;
  const result = await provideCompletion({ ...request('║'), text, offset: text.length }, environment(model).env);
  assert.equal(result.metrics.outcome, 'served');
});

test('a request whose document moved on while it waited is stale, with the reason', async () => {
  const result = await provideCompletion(request('x = ║'), environment(new FakeModel(['1']), {}, () => false).env);
  assert.equal(result.metrics.outcome, 'stale');
  assert.equal(result.metrics.reason, 'document changed while queued');
});

test('a request cancelled while an earlier generation finishes is cancelled at once, without running', async () => {
  const model = new FakeModel(['1']);
  let finishEarlier!: () => void;
  model.idle = () => new Promise<void>((resolve) => (finishEarlier = resolve));
  const controller = new AbortController();
  const pending = provideCompletion(request('x = ║', controller.signal), environment(model).env);
  await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  const result = await pending;
  assert.equal(result.metrics.outcome, 'cancelled');
  assert.equal(model.requests.length, 0);
  finishEarlier();
});

test('a request cancelled while its context is gathered is cancelled before the model runs', async () => {
  const model = new FakeModel(['1']);
  const controller = new AbortController();
  const { env } = environment(model);
  env.context = async () => {
    controller.abort();
    return { filePath: 'a.ts', snippets: [] };
  };
  const result = await provideCompletion(request('x = ║', controller.signal), env);
  assert.equal(result.metrics.outcome, 'cancelled');
  assert.equal(model.requests.length, 0);
});

test('a model that stops with an AbortError is a cancelled request; any other failure is thrown', async () => {
  const failing = (error: Error): CompletionModel => {
    const model = new FakeModel([]);
    model.infill = (): InfillRun => ({
      // biome-ignore lint/correctness/useYield: fails before its first token
      tokens: (async function* () {
        throw error;
      })(),
      done: new Promise(() => undefined),
    });
    return model;
  };
  const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
  const cancelled = await provideCompletion(request('x = ║'), environment(failing(abort)).env);
  assert.equal(cancelled.metrics.outcome, 'cancelled');
  await assert.rejects(provideCompletion(request('x = ║'), environment(failing(new Error('native failure'))).env), /native failure/);
});

test('a completion of only whitespace is empty; one with text is served, with its context counted', async () => {
  const empty = await provideCompletion(request('x = ║'), environment(new FakeModel(['  ', '\t'])).env);
  assert.equal(empty.metrics.outcome, 'empty');
  assert.equal(empty.text, '');
  const { env } = environment(new FakeModel(['1;']));
  env.context = async () => ({
    filePath: 'a.ts',
    snippets: [
      { path: 'b.ts', text: 'export const b = 1;', source: 'definitions' },
      { path: 'c.ts', text: 'export const c = 2;', source: 'definitions' },
      { path: 'b.ts', text: 'export const d = 3;', source: 'similar' },
    ],
  });
  const served = await provideCompletion(request('x = ║'), env);
  assert.equal(served.metrics.outcome, 'served');
  assert.equal(served.metrics.contextSnippets, 2, 'files in the prompt');
  assert.ok(served.metrics.contextMs! >= 0 && served.metrics.contextMs! < 10_000, `contextMs ${served.metrics.contextMs}`);
  assert.ok(served.metrics.totalMs >= served.metrics.contextMs!, 'the total includes the context stage');
});

test('the context stage is given the model’s budget, counted by its tokenizer; a model with no room gets none asked', async () => {
  const model = new FakeModel(['1']);
  const { env } = environment(model);
  const budgets: TokenBudget[] = [];
  env.context = async (_request, budget) => {
    budgets.push(budget);
    return { filePath: 'a.ts', snippets: [] };
  };
  await provideCompletion(request('x = ║'), env);
  assert.equal(budgets[0]!.tokens, model.contextBudgetTokens);
  assert.equal(budgets[0]!.count('const a = b;'), model.countTokens('const a = b;'));
  const roomless = new FakeModel(['1']);
  Object.defineProperty(roomless, 'contextBudgetTokens', { value: 0 });
  await provideCompletion(request('x = ║'), { ...env, cache: new CompletionCache(), model: () => roomless });
  assert.equal(budgets.length, 1, 'no context is gathered for a model without room for it');
  assert.equal(roomless.requests[0]!.context, undefined);
});

test('snippets of one file become one file in the prompt, each text once, in order of first appearance', () => {
  const files = groupByPath([
    { path: 'b.ts', text: 'B1', source: 'definitions' },
    { path: 'a.ts', text: 'A1', source: 'definitions' },
    { path: 'b.ts', text: 'B2', source: 'similar' },
    { path: 'b.ts', text: 'B1', source: 'recentEdits' },
  ]);
  assert.deepEqual(files, [
    { path: 'b.ts', text: 'B1\n\nB2', parts: ['B1', 'B2'] },
    { path: 'a.ts', text: 'A1', parts: ['A1'] },
  ]);
});

test('with nothing after the cursor on its line a completion may span lines, even with code further down', async () => {
  const model = new FakeModel(['a();', '\n', '  b();', '\n', '}', '\n']);
  const result = await provideCompletion(request('if (x) {\n  ║\n}\nconst after = 1;\n'), environment(model, { maxLines: 5 }).env);
  assert.equal(result.text, 'a();\n  b();');
});

test('the syntax stage’s block-end rule applies to multi-line completions only', async () => {
  const cutEverything = { multiLine: true, blockEndRule: () => () => 0 };
  const single = environment(new FakeModel(['a', ', b'])).env;
  single.syntax = async () => cutEverything;
  assert.equal((await provideCompletion(request('call(║)\n'), single)).text, 'a, b', 'code after the cursor: one line, no block rule');
  const multi = environment(new FakeModel(['a', ', b']), { maxLines: 5 }).env;
  multi.syntax = async () => cutEverything;
  assert.equal((await provideCompletion(request('x = ║'), multi)).text, '', 'multi-line: the rule cuts');
  const oneLine = environment(new FakeModel(['a', ', b']), { maxLines: 1 }).env;
  oneLine.syntax = async () => cutEverything;
  assert.equal((await provideCompletion(request('x = ║'), oneLine)).text, 'a, b', 'maxLines 1: no block rule');
});

test('the streamed first line is the text before the first newline, even inside one token; a blank one is not sent', async () => {
  const { env, firstLines } = environment(new FakeModel(['x();\n  y', '();']), { maxLines: 5 });
  await provideCompletion(request('function f() {\n  ║'), env);
  assert.deepEqual(firstLines, ['x();']);
  const blank = environment(new FakeModel(['   \n', '  y();']), { maxLines: 5 });
  await provideCompletion(request('function f() {\n  ║'), blank.env);
  assert.deepEqual(blank.firstLines, [], 'a line of only whitespace shows nothing');
});

test('preparing a spot works without a context stage, and not for a model that cannot prepare', async () => {
  const model = new FakeModel(['never']);
  const { env } = environment(model);
  assert.equal(await prepareCompletion(request('const a = ║;'), env), true);
  assert.equal(model.prepared[0]!.context, undefined);
  assert.equal(model.prepared[0]!.filePath, undefined);
  const unprepared = new FakeModel(['never']) as Partial<FakeModel>;
  delete (unprepared as { prepare?: unknown }).prepare;
  Object.defineProperty(unprepared, 'prepare', { value: undefined });
  assert.equal(await prepareCompletion(request('const a = ║;'), { ...env, model: () => unprepared as CompletionModel }), false);
});

test('the request the model gets carries the settings’ token limit and the document as its key', async () => {
  const model = new FakeModel(['1']);
  await provideCompletion(request('x = ║'), environment(model, { maxTokens: 17 }).env);
  const sent: InfillRequest = model.requests[0]!;
  assert.equal(sent.maxTokens, 17);
  assert.equal(sent.documentKey, 'file:///a.ts');
});
