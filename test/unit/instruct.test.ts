// Explain/refactor with the fake model: code extraction, hunks, the target, the prompts, and the service's answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { InstructParams, InstructProgress } from '../../common/protocol';
import { Logger } from '../../server/src/logger';
import { codeBlockClosed, extractCode, looksLikeProse, matchIndentation } from '../../server/src/instruct/codeExtraction';
import { applyHunks, buildHunks, unifiedDiff } from '../../server/src/instruct/hunks';
import { explainPrompt, refactorPrompt } from '../../server/src/instruct/instructPrompts';
import { type InstructDependencies, InstructService } from '../../server/src/instruct/instructService';
import { findTarget, wholeLines } from '../../server/src/instruct/instructTarget';
import { FakeModel } from '../support/fakeModel';

const log = new Logger({ error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined });

test('code is taken from the first fenced block, prose around it dropped', () => {
  const answer = 'Here is the simplified version:\n\n```ts\nconst x = 1;\nreturn x;\n```\n\nThis removes the temporary.';
  assert.equal(extractCode(answer, { complete: true }), 'const x = 1;\nreturn x;');
  assert.equal(extractCode('Sure!\n~~~python\ndef f():\n    pass\n~~~', { complete: true }), 'def f():\n    pass');
});

test('while streaming, an unclosed fence gives the code so far', () => {
  assert.equal(extractCode('Rewritten:\n```ts\nconst a = 1;\nconst b', {}), 'const a = 1;\nconst b');
  assert.equal(extractCode('\n\nconst a = 1;\n```\n', { openedFence: true, complete: true }), 'const a = 1;', 'blank lines before the code dropped');
  assert.equal(codeBlockClosed('```ts\nconst a = 1;\n', false), false);
  assert.equal(codeBlockClosed('```ts\nconst a = 1;\n```\n', false), true);
  assert.equal(codeBlockClosed('const a = 1;\n```\nThat', true), true, 'a plain prompt opened the fence');
});

test('without fences, leading and trailing prose lines are stripped and code comments kept', () => {
  const answer = 'Here is the code with types added.\n// Adds two numbers.\nfunction add(a: number, b: number): number {\n  return a + b;\n}\nThis keeps the behaviour the same.';
  assert.equal(extractCode(answer, { complete: true }), '// Adds two numbers.\nfunction add(a: number, b: number): number {\n  return a + b;\n}');
});

test('an answer with no code is refused', () => {
  assert.equal(extractCode('I cannot refactor this code because it is already simple.', { complete: true }), undefined);
  assert.equal(extractCode('```ts\n```', { complete: true }), undefined);
  assert.equal(extractCode('', { complete: true }), undefined);
});

test('prose is told from code line by line', () => {
  for (const line of ['Here is the refactored function:', 'This version avoids the extra loop.', 'The code is now shorter and clearer.']) assert.ok(looksLikeProse(line), line);
  for (const line of ['return a + b;', '// Returns the sum.', 'import os', 'x = compute(a, b)', '}', 'def main():', 'pass', 'export default Foo']) assert.ok(!looksLikeProse(line), line);
});

test('a proposal answered at column 0 is indented like the method it replaces', () => {
  assert.equal(matchIndentation('  foo() {\n    return 1;\n  }', 'foo() {\n  return 2;\n}'), '  foo() {\n    return 2;\n  }');
  assert.equal(matchIndentation('foo()', '  bar()'), '  bar()', 'more indentation is left alone');
});

test('hunks are the changed runs of lines, and applying them all gives the proposal', () => {
  const original = 'a\nb\nc\nd\ne';
  const proposal = 'a\nB\nc\nd\ne\nf';
  const hunks = buildHunks(original, proposal);
  assert.deepEqual(hunks, [
    { startLine: 1, endLine: 2, newText: 'B\n' },
    { startLine: 5, endLine: 5, newText: 'f\n' },
  ]);
  assert.equal(applyHunks(original, hunks), proposal);
  assert.equal(applyHunks(original, [hunks[0]!]), 'a\nB\nc\nd\ne', 'one change taken alone');
  assert.equal(applyHunks(original, []), original);
  assert.match(unifiedDiff('src/x.ts', original, proposal), /^--- a\/src\/x\.ts\n\+\+\+ b\/src\/x\.ts\n@@ /m);
});

test('the target: the selection, else the innermost scope, else the block of lines around the cursor', () => {
  const text = 'class A {\n  m() {\n    return 1;\n  }\n}\n\nconst x = 1;\nconst y = 2;\n\nlet z;';
  const method = { start: text.indexOf('m()'), end: text.indexOf('}\n}') + 1 };
  const klass = { start: 0, end: text.indexOf('\n\nconst') };
  const inMethod = text.indexOf('return');
  const scope = findTarget(text, undefined, inMethod, [method, klass], true)!;
  assert.equal(scope.kind, 'scope');
  assert.equal(scope.code, '  m() {\n    return 1;\n  }', 'whole lines');
  assert.deepEqual(scope.outerHeaders, ['class A {']);
  const selection = findTarget(text, { start: text.indexOf('1;'), end: text.indexOf('1;') + 1 }, inMethod, [method, klass], false)!;
  assert.equal(selection.code, '1', 'explain takes the selection as it is');
  assert.equal(findTarget(text, { start: text.indexOf('1;'), end: text.indexOf('1;') + 1 }, inMethod, [method, klass], true)!.code, '    return 1;', 'refactor takes whole lines');
  const block = findTarget(text, undefined, text.indexOf('y ='), [], true)!;
  assert.equal(block.kind, 'lines');
  assert.equal(block.code, 'const x = 1;\nconst y = 2;');
  assert.equal(findTarget('\n\n', undefined, 1, [], true), undefined, 'nothing to work on');
  assert.deepEqual(wholeLines('ab\ncd\nef', { start: 1, end: 6 }), { start: 0, end: 5 }, 'a selection ending at a line start leaves that line out');
});

test('prompts hold the code, where it sits and the definitions it uses; plain refactor prompts end in an open fence', () => {
  const input = { code: 'return add(a, b);', languageId: 'typescript', path: 'src/x.ts', outerHeaders: ['function sum(a, b) {'], context: [{ path: 'src/math.ts', text: 'export function add(a: number, b: number): number' }] };
  const explain = explainPrompt(input, ["Cannot find name 'add'."]);
  for (const part of ['return add(a, b);', 'function sum(a, b) {', 'src/math.ts', 'export function add', "Cannot find name 'add'."]) assert.ok(explain.user.includes(part), part);
  assert.ok(explain.plain.includes('return add(a, b);') && explain.plain.includes('src/math.ts'));
  // A model without a chat template is told the problem too, and the heading it continues asks for its cause.
  assert.match(explain.plain, /The editor reports:\n- Cannot find name 'add'\.\n\n## What this code does, why the editor reports that, and how to fix it\n\n$/);
  assert.match(explainPrompt(input).plain, /```\n\n## What this code does\n\n$/, 'no problem reported: no problem in the prompt');
  const refactor = refactorPrompt(input, 'Add type annotations');
  assert.ok(refactor.user.startsWith('Instruction: Add type annotations'));
  assert.ok(refactor.plain.endsWith('```typescript\n'));
  assert.match(refactor.system, /single fenced code block/);
});

function service(model: FakeModel, text: string, languageId = 'typescript', over: Partial<InstructDependencies> = {}) {
  const document = TextDocument.create('file:///w/src/x.ts', languageId, 3, text);
  const instruct = new InstructService({
    model: () => model,
    document: (uri) => (uri === document.uri ? document : undefined),
    scopes: async (_document, offset) => {
      const start = text.lastIndexOf('function', offset);
      return start >= 0 ? [{ start, end: text.indexOf('\n}', start) + 2 }] : [];
    },
    context: async () => ({ filePath: 'src/x.ts', snippets: [{ path: 'src/math.ts', text: 'export function add(a: number, b: number): number' }] }),
    log,
    ...over,
  });
  return { document, instruct };
}

const params = (over: Partial<InstructParams>): InstructParams => ({ task: 'explain', uri: 'file:///w/src/x.ts', version: 3, position: { line: 2, character: 4 }, id: 'r1', ...over });
const source = 'import { add } from "./math";\n\nfunction sum(a, b) {\n  return add(a, b);\n}\n';

test('explain streams the answer for the function around the cursor', async () => {
  const model = new FakeModel([]);
  model.textScript = ['It ', 'adds ', 'two numbers.'];
  const { instruct } = service(model, source);
  const progress: InstructProgress[] = [];
  const result = await instruct.run(params({}), new AbortController().signal, (p) => progress.push(p));
  assert.equal(result.error, undefined);
  assert.equal(result.text, 'It adds two numbers.');
  assert.equal(result.original, 'function sum(a, b) {\n  return add(a, b);\n}');
  assert.deepEqual(result.range, { start: { line: 2, character: 0 }, end: { line: 4, character: 1 } });
  assert.deepEqual(progress.map((p) => p.delta), ['It ', 'adds ', 'two numbers.']);
  assert.ok(progress[0]!.range && !progress[1]!.range, 'the range comes with the first part');
  assert.ok(model.textRequests[0]!.prompt.user.includes('export function add'), 'context from other files is in the prompt');
  assert.ok(!model.textRequests[0]!.prompt.user.includes('The editor reports'), 'no problem at the cursor: none in the prompt');
});

test('explain with a problem reported at the cursor asks about it, in both prompt layouts', async () => {
  const model = new FakeModel([]);
  model.textScript = ['add is not imported.'];
  const { instruct } = service(model, source);
  const result = await instruct.run(params({ diagnostics: ["Argument of type 'string' is not assignable to parameter of type 'number'."] }), new AbortController().signal, () => {});
  assert.equal(result.error, undefined);
  const { prompt } = model.textRequests[0]!;
  for (const text of [prompt.user, prompt.plain]) assert.ok(text.includes("- Argument of type 'string' is not assignable to parameter of type 'number'."), text);
  assert.equal(result.original, 'function sum(a, b) {\n  return add(a, b);\n}', 'the code around it is still what is explained');
});

test('refactor returns the code only, with its hunks in document lines, and stops once the code block closes', async () => {
  const model = new FakeModel([]);
  model.textScript = ['Sure:\n', '```ts\n', 'function sum(a: number, b: number) {\n', '  return add(a, b);\n', '}\n', '```\n', 'This adds types.', ' More prose.'];
  const { instruct } = service(model, source);
  const progress: InstructProgress[] = [];
  const result = await instruct.run(params({ task: 'refactor', instruction: 'Add type annotations' }), new AbortController().signal, (p) => progress.push(p));
  assert.equal(result.error, undefined);
  assert.equal(result.code, 'function sum(a: number, b: number) {\n  return add(a, b);\n}');
  assert.deepEqual(result.hunks, [{ startLine: 2, endLine: 3, newText: 'function sum(a: number, b: number) {\n' }]);
  assert.ok(!result.text.includes('More prose'), 'generation stopped at the closing fence');
  assert.equal(progress.filter((p) => p.code !== undefined).at(-1)!.code, 'function sum(a: number, b: number) {\n  return add(a, b);\n}');
});

test('refactor refuses an answer without code, and a missing instruction', async () => {
  const model = new FakeModel([]);
  model.textScript = ['I would not change this code at all.'];
  const { instruct } = service(model, source);
  const refused = await instruct.run(params({ task: 'refactor', instruction: 'Simplify' }), new AbortController().signal, () => undefined);
  assert.match(refused.error ?? '', /no code/);
  assert.equal(refused.code, undefined);
  const noInstruction = await instruct.run(params({ task: 'refactor', instruction: ' ' }), new AbortController().signal, () => undefined);
  assert.match(noInstruction.error ?? '', /instruction/);
});

test('a cancelled instruction stops generating and says so; an outdated version is refused', async () => {
  const model = new FakeModel([]);
  model.textScript = Array.from({ length: 50 }, (_, i) => `w${i} `);
  const abort = new AbortController();
  model.beforeToken = (i) => {
    if (i === 3) abort.abort();
  };
  const { instruct } = service(model, source);
  const result = await instruct.run(params({}), abort.signal, () => undefined);
  assert.equal(result.cancelled, true);
  assert.equal(result.stats!.generatedTokens, 3);
  const outdated = await instruct.run(params({ version: 2 }), new AbortController().signal, () => undefined);
  assert.match(outdated.error ?? '', /changed/);
});

test('an instruction waits for the chat model that is loading, and is stopped or refused when things change meanwhile', async () => {
  const loading = () => {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    return { settled, settle };
  };
  // Waits, then answers with the model once it has loaded.
  const load = loading();
  const model = new FakeModel([]);
  model.textScript = ['It adds.'];
  let problem: string | undefined = 'The chat model is still loading (chat.gguf).';
  const { instruct } = service(model, source, 'typescript', { modelSettled: () => load.settled, chatModelProblem: () => problem });
  const answer = instruct.run(params({}), new AbortController().signal, () => {});
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(model.textRequests.length, 0, 'nothing generated while the model loads');
  problem = undefined;
  load.settle();
  assert.equal((await answer).text, 'It adds.');

  // A load that fails: its message.
  const failing = loading();
  const refused = service(new FakeModel([]), source, 'typescript', { modelSettled: () => failing.settled, chatModelProblem: () => 'The chat model cannot be used: not a GGUF file.' });
  const refusal = refused.instruct.run(params({}), new AbortController().signal, () => {});
  failing.settle();
  assert.match((await refusal).error ?? '', /cannot be used: not a GGUF/);

  // Cancelled while waiting.
  const slow = loading();
  const waiting = service(new FakeModel([]), source, 'typescript', { modelSettled: () => slow.settled });
  const abort = new AbortController();
  const cancelled = waiting.instruct.run(params({}), abort.signal, () => {});
  abort.abort();
  assert.equal((await cancelled).cancelled, true);

  // The document edited while waiting: refused, nothing generated from positions that no longer hold.
  const later = loading();
  const edited = service(new FakeModel([]), source, 'typescript', { modelSettled: () => later.settled });
  const stale = edited.instruct.run(params({}), new AbortController().signal, () => {});
  TextDocument.update(edited.document, [{ text: '// new first line\n', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }], 4);
  later.settle();
  assert.match((await stale).error ?? '', /changed while the model loaded/);
});
