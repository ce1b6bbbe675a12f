// The real Hearth server over LSP with the bundled tiny model: what the VS Code client does, without VS Code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { LspSession } from '../../tools/src/lspSession';
import { modelWithRenamed, modelWithRenamedKey, truncatedModel } from '../support/brokenModels';
import { fixtureWorkspace, serverPath, targetModelPath } from '../support/paths';

const logs: string[] = [];
const baseSettings = { threads: 1, gpu: 'off', logLevel: process.env.HEARTH_TEST_LOG ?? 'debug' };
const start = (settings: Record<string, unknown> = {}, env?: Record<string, string>) =>
  LspSession.start({ serverPath, settings: { ...baseSettings, ...settings }, env, onLog: (line) => logs.push(line) });

const mathPath = join(fixtureWorkspace, 'src', 'math.ts');
const mathUri = pathToFileURL(mathPath).href;
const mathText = readFileSync(mathPath, 'utf8');
/** Inside the empty body of scale(): line 11, after the indentation. */
const insideScale = { line: 10, character: 2 };

/** Greedy suffix-first FIM generation (the server's order for the bundled model) straight from node-llama-cpp. */
async function referenceInfill(prefix: string, suffix: string, maxTokens: number): Promise<string> {
  const lib = await import('node-llama-cpp');
  const llama = await lib.getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: targetModelPath });
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  try {
    const { infill } = model.tokens;
    const prompt = [infill.suffix!, ...model.tokenize(suffix), infill.prefix!, ...model.tokenize(prefix), infill.middle!];
    const out: number[] = [];
    for await (const token of context.getSequence().evaluate(prompt, { temperature: 0 })) {
      if (model.isEogToken(token) || out.length >= maxTokens) break;
      out.push(token);
    }
    return model.detokenize(out as never);
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

/**
 * Types five characters inside a function body that has code after it, a request per keystroke, and checks that each
 * evaluates only about what was typed (a prompt that changed before its end would evaluate all the code after it).
 */
async function typeIntoFunctionBody(session: LspSession, order: 'spm' | 'psm'): Promise<void> {
  const uri = `untitled:typing-${order}.ts`;
  const body = `export function norm(p: Point): number {\n  return \n}\n\n${mathText}`;
  const cursor = body.indexOf('return \n') + 'return '.length;
  const at = (text: string, offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before.at(-1)!.length };
  };
  await session.open(uri, 'typescript', body);
  await session.complete(uri, at(body, cursor));
  const first = await session.nextMetrics();
  assert.ok(first.promptTokens > 60, `the code after the cursor is in the prompt (${first.promptTokens} tokens)`);
  let version = 1;
  let text = body;
  let offset = cursor;
  for (const typed of ['M', 'a', 't', 'h', '.']) {
    text = text.slice(0, offset) + typed + text.slice(offset);
    offset += 1;
    await session.replaceText(uri, ++version, text);
    await session.complete(uri, at(text, offset));
    const metrics = await session.nextMetrics();
    assert.equal(metrics.outcome === 'served' || metrics.outcome === 'empty', true, `keystroke ${typed} reached the model: ${metrics.outcome}`);
    const evaluated = metrics.promptTokens - metrics.reusedPromptTokens;
    console.log(`${order}, typed ${JSON.stringify(typed)}: ${evaluated} of ${metrics.promptTokens} prompt tokens evaluated`);
    assert.ok(evaluated <= 2 * 1 + 8, `${logs.slice(-6).join('\n')}\nevaluated ${evaluated} prompt tokens for one typed character`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('completions from the tiny model', () => {
  let session: LspSession;
  before(async () => {
    session = await start();
    await session.waitForStatus((s) => s.state === 'ready');
    await session.open(mathUri, 'typescript', mathText);
  });
  after(() => session.stop());

  test('the inline completion is the model’s own greedy continuation, cut by the stop rules', async () => {
    const [completion] = await session.complete(mathUri, insideScale);
    const metrics = await session.nextMetrics();
    assert.equal(metrics.outcome, 'served');
    assert.ok(completion && completion.trim().length > 0, 'a non-empty completion');
    const offset = mathText.split('\n').slice(0, insideScale.line).join('\n').length + 1 + insideScale.character;
    const reference = await referenceInfill(mathText.slice(0, offset), mathText.slice(offset), 64);
    // node-llama-cpp's text drops spaces before punctuation (llama.cpp's clean-up); the server decodes bytes exactly.
    const cleaned = (text: string) => text.replace(/ (?=[?.,!'])/g, '');
    assert.ok(cleaned(reference).startsWith(cleaned(completion)), `server: ${JSON.stringify(completion)}\nmodel:  ${JSON.stringify(reference)}`);
    assert.ok(metrics.promptTokens > 0 && metrics.generatedTokens > 0);
    console.log(`served ${metrics.generatedTokens} tokens in ${metrics.totalMs.toFixed(1)} ms, decode step ${metrics.decodeStepMs.toFixed(2)} ms`);
  });

  test('a repeated request reuses the KV state of the prompt', async () => {
    await session.updateSettings({ ...baseSettings, maxLines: 7 }); // empties the completion cache, keeps the KV state
    await session.complete(mathUri, insideScale);
    const metrics = await session.nextMetrics();
    assert.equal(metrics.outcome, 'served');
    assert.equal(metrics.reusedPromptTokens, metrics.promptTokens - 1);
  });

  test('switching between documents keeps each one\'s KV state (a sequence per active document)', async () => {
    const other = 'untitled:other.ts';
    const otherText = 'export function greet(name: string): string {\n  return \n}\n';
    await session.open(other, 'typescript', otherText);
    await session.complete(other, { line: 1, character: 9 });
    await session.nextMetrics(60_000, { uri: other });
    await session.updateSettings({ ...baseSettings, maxLines: 6 }); // empties the completion cache, keeps the KV state
    await session.complete(mathUri, insideScale);
    const back = await session.nextMetrics(60_000, { uri: mathUri });
    assert.equal(back.outcome === 'cached', false);
    assert.equal(back.reusedPromptTokens, back.promptTokens - 1, 'math.ts kept its KV state while other.ts was completed');
  });

  test('the same request again is answered from the completion cache', async () => {
    const [completion] = await session.complete(mathUri, insideScale);
    const metrics = await session.nextMetrics();
    assert.equal(metrics.outcome, 'cached');
    assert.equal(metrics.generatedTokens, 0);
    assert.ok(completion && completion.length > 0);
  });

  test('typing at the cursor re-evaluates only the typed tokens (suffix-first order, KV reuse)', async () => {
    const typing = await start({}, { HEARTH_DISABLE: 'cache' }); // every keystroke must reach the model
    try {
      await typing.waitForStatus((s) => s.state === 'ready');
      await typeIntoFunctionBody(typing, 'spm');
    } finally {
      await typing.stop();
    }
  });

  test('prefix-first order too: the prompt is anchored where the line\'s code starts and the typed text opens the middle', async () => {
    const typing = await start({ fimOrder: 'psm' }, { HEARTH_DISABLE: 'cache' });
    try {
      await typing.waitForStatus((s) => s.state === 'ready');
      await typeIntoFunctionBody(typing, 'psm');
      const prompt = (await typing.lastPrompt()) ?? '';
      assert.ok(prompt.endsWith('<fim_middle>return Math.'), `the middle starts at the anchor (the line's code):\n${prompt.slice(-200)}`);
      assert.ok(prompt.includes('{\n  <fim_suffix>'), 'the indentation stays in the prefix');
      assert.ok(prompt.includes('<fim_suffix>\n}\n'), 'the suffix is the text after the cursor');
    } finally {
      await typing.stop();
    }
  });

  test('where the cursor rests (hearth/cursorRest), the prompt is evaluated before the first request there', async () => {
    const warmLines: string[] = [];
    let warmed: (() => void) | undefined;
    const rested = await LspSession.start({
      serverPath,
      settings: { ...baseSettings, logLevel: 'debug' },
      env: { HEARTH_DISABLE: 'cache' }, // the two documents are alike: each request must reach the model
      onLog: (line) => {
        if (!/Warm: .*'s whole window/.test(line)) return;
        warmLines.push(line);
        warmed?.();
      },
    });
    try {
      await rested.waitForStatus((s) => s.state === 'ready');
      const text = `${mathText}\nexport function norm(p: Point): number {\n  return \n}\n`;
      const lines = text.split('\n');
      const position = { line: lines.indexOf('  return '), character: '  return '.length };
      // A document the cursor never rested in evaluates its whole prompt on the first request.
      await rested.open('untitled:cold.ts', 'typescript', text);
      await rested.complete('untitled:cold.ts', position);
      const cold = await rested.nextMetrics();
      assert.equal(cold.reusedPromptTokens, 0);

      await rested.open('untitled:rest.ts', 'typescript', text);
      const warm = new Promise<void>((resolve) => (warmed = resolve));
      await rested.cursorRest('untitled:rest.ts', 1, position);
      await withTimeout(warm, 20_000, 'the prompt to be warmed');
      assert.match(warmLines.join('\n'), /untitled:rest\.ts/);
      await rested.complete('untitled:rest.ts', position);
      const first = await rested.nextMetrics();
      assert.equal(first.outcome === 'served' || first.outcome === 'empty', true, first.outcome);
      const evaluated = first.promptTokens - first.reusedPromptTokens;
      assert.ok(evaluated <= 4, `the first request evaluated ${evaluated} of ${first.promptTokens} prompt tokens`);
    } finally {
      await rested.stop();
    }
  });

  test('with KV reuse and the cache switched off (HEARTH_DISABLE, for the benchmark) every request evaluates its whole prompt', async () => {
    const plain = await start({}, { HEARTH_DISABLE: 'kvReuse,cache' });
    await plain.waitForStatus((s) => s.state === 'ready');
    try {
      await plain.open(mathUri, 'typescript', mathText);
      for (let i = 0; i < 2; i++) {
        await plain.complete(mathUri, insideScale);
        const metrics = await plain.nextMetrics();
        assert.equal(metrics.outcome === 'served' || metrics.outcome === 'empty', true, `the request reached the model: ${metrics.outcome}`);
        assert.ok(metrics.promptTokens > 50);
        assert.equal(metrics.reusedPromptTokens, 0);
      }
    } finally {
      await plain.stop();
    }
  });

  test('speculative decoding: prompt lookup has the target accept tokens copied from nearby code', async () => {
    // A fresh server: its speculation gate tries proposals on the first request before it has measured anything.
    const fresh = await start({ speculation: 'promptLookup', maxLines: 1 });
    await fresh.waitForStatus((s) => s.state === 'ready');
    try {
    const session = fresh;
    const uri = 'untitled:repeat.ts';
    const fn = (name: string) => `export function ${name}(a: Point, b: Point): Point {\n  return { x: a.x + b.x, y: a.y + b.y };\n}\n\n`;
    const text = `${fn('add')}${fn('sum')}${fn('plus')}export function total(a: Point, b: Point): Point {\n  return { x: a.x`;
    await session.open(uri, 'typescript', text);
    const lines = text.split('\n');
    const [completion] = await session.complete(uri, { line: lines.length - 1, character: lines.at(-1)!.length });
    const metrics = await session.nextMetrics();
    console.log(`prompt lookup: ${metrics.acceptedPredictions} accepted, ${metrics.refutedPredictions} refuted; completion ${JSON.stringify(completion)}`);
    assert.ok(metrics.acceptedPredictions > 0, `some proposed tokens were accepted\n${logs.filter((l) => /Loaded/.test(l)).slice(-1).join('')}`);
    } finally {
      await fresh.stop();
    }
  });

  test('speculative decoding with the bundled draft model serves completions and reports acceptance', async () => {
    // A long generation (a doc comment the tiny model goes on writing) gives the draft many chances to propose.
    await session.updateSettings({ ...baseSettings, speculation: 'draft', maxTokens: 96, maxLines: 100 }); // reloads the model with its draft
    await session.waitForStatus((s) => s.state === 'loading');
    await session.waitForStatus((s) => s.state === 'ready');
    try {
      const uri = 'untitled:draft.ts';
      // Opened as a language without a grammar: the syntax stage would keep a comment to one line.
      await session.open(uri, 'ruby', '/**\n * Returns the sum of the numbers.\n *');
      await session.complete(uri, { line: 2, character: 2 });
      const metrics = await session.nextMetrics();
      console.log(`draft: ${metrics.acceptedPredictions} accepted, ${metrics.refutedPredictions} refuted of ${metrics.generatedTokens} tokens`);
      assert.equal(metrics.outcome, 'served');
      assert.ok(metrics.acceptedPredictions + metrics.refutedPredictions > 0, 'the draft proposed tokens');
    } finally {
      await session.updateSettings(baseSettings);
      await session.waitForStatus((s) => s.state === 'loading');
      await session.waitForStatus((s) => s.state === 'ready');
    }
  });

  /** A doc comment the tiny model goes on writing for many lines: a long generation to interrupt. */
  async function startLongGeneration(uri: string, maxTokens: number) {
    await session.updateSettings({ ...baseSettings, maxTokens, maxLines: 100 });
    // Opened as a language without a grammar: the syntax stage would keep a comment to one line.
    await session.open(uri, 'ruby', '/**\n * Returns the sum of the numbers.\n *');
    const pending = session.requestCompletion(uri, { line: 2, character: 2 });
    await session.waitForStatus((s) => s.state === 'generating');
    return pending;
  }

  test('a cancelled request stops generating within one decode step', async () => {
    // Decoding is well under way once the first line has streamed (not after a guessed delay, which a faster CPU outruns).
    let streamed!: () => void;
    const firstLine = new Promise<void>((resolve) => (streamed = resolve));
    session.onFirstLine = (message) => message.uri === 'untitled:rambling' && streamed();
    const pending = await startLongGeneration('untitled:rambling', 256);
    await firstLine;
    session.onFirstLine = () => undefined;
    pending.cancel();
    await pending.result.catch(() => []);
    const metrics = await session.nextMetrics();
    assert.equal(metrics.outcome, 'cancelled');
    assert.ok(metrics.generatedTokens > 0 && metrics.generatedTokens < 256, `generated ${metrics.generatedTokens}`);
    assert.ok(metrics.cancelToIdleMs !== undefined);
    console.log(`cancel→idle ${metrics.cancelToIdleMs!.toFixed(2)} ms; decode step ${metrics.decodeStepMs.toFixed(2)} ms; ${metrics.generatedTokens} tokens before the cancel`);
    assert.ok(metrics.cancelToIdleMs! <= metrics.decodeStepMs + 10, 'cancel→idle within one decode step + 10 ms');
    await session.waitForStatus((s) => s.state === 'ready');
  });

  test('an edit during generation: the answer for the old version is withheld', async () => {
    const uri = 'untitled:edited';
    const pending = await startLongGeneration(uri, 128);
    await session.replaceText(uri, 2, '/**\n * Returns the sum of the numbers.\n * @');
    assert.deepEqual(await pending.result, []);
    assert.equal((await session.nextMetrics()).outcome, 'stale');
  });

  // TEST-AUDIT holes: the server never sending hearth/firstLine, and keepGoing: false in server.ts, both passed the
  // suite. Here the streamed first line arrives before the answer, and typing what it shows lets the generation go on
  // and answer the new keystroke from what it wrote (a 'cached' answer, not a new generation).
  test('streaming and typing through: the first line comes first, and typing it keeps the generation going for the next keystroke', async () => {
    const uri = 'untitled:streamed';
    const firstLines: Array<{ version: number; text: string }> = [];
    session.onFirstLine = (message) => message.uri === uri && firstLines.push({ version: message.version, text: message.text });
    try {
      await session.updateSettings({ ...baseSettings, maxTokens: 96, maxLines: 100 });
      const text = '/**\n * Returns the sum of the numbers.\n *';
      await session.open(uri, 'ruby', text);
      const first = session.requestCompletion(uri, { line: 2, character: 2 });
      const deadline = Date.now() + 60_000;
      while (firstLines.length === 0 && Date.now() < deadline) await delay(5); // polls for the notification
      assert.equal(firstLines.length, 1, 'hearth/firstLine arrived while the completion was still being written');
      assert.equal(firstLines[0]!.version, 1);
      const typed = firstLines[0]!.text.slice(0, 1);
      assert.ok(typed !== '', 'the first line has text to type');
      // The keystroke types what the ghost text shows: the editor sends the change, cancels the old request (in that
      // order, as VS Code's client does) and asks again.
      await session.replaceText(uri, 2, text + typed);
      first.cancel();
      const second = await session.complete(uri, { line: 2, character: 2 + typed.length });
      await first.result.catch(() => []);
      const metrics = [await session.nextMetrics(60_000, { uri, version: 1 }), await session.nextMetrics(60_000, { uri, version: 2 })];
      const forSecond = metrics[1]!;
      console.log(JSON.stringify({ firstLine: firstLines[0], typed, second, metrics: metrics.map((m) => ({ v: m.version, outcome: m.outcome, generated: m.generatedTokens, reason: m.reason })) }));
      assert.equal(forSecond.outcome, 'cached', `the typed-through generation answered the keystroke (${metrics.map((m) => `v${m.version} ${m.outcome}`).join(', ')})`);
      assert.ok(second.length === 1 && firstLines[0]!.text.startsWith(typed + second[0]!.split('\n')[0]!.slice(0, 3)), `${JSON.stringify(second)} continues ${JSON.stringify(firstLines[0]!.text)}`);
    } finally {
      session.onFirstLine = () => undefined;
    }
  });

  test('a 2 MB file is windowed: the prompt fits the context and the answer comes back', async () => {
    await session.updateSettings(baseSettings);
    const uri = 'untitled:huge.ts';
    const line = 'export const value = compute(1, 2, 3);\n';
    const text = `${line.repeat(30_000)}export function last() {\n  \n}\n${line.repeat(30_000)}`;
    await session.open(uri, 'typescript', text);
    await session.complete(uri, { line: 30_001, character: 2 });
    const metrics = await session.nextMetrics();
    assert.ok(['served', 'empty'].includes(metrics.outcome), metrics.outcome);
    assert.ok(metrics.promptTokens > 100 && metrics.promptTokens <= 512, `prompt tokens ${metrics.promptTokens}`);
  });

  test('a disabled language gets nothing, an unknown one is completed', async () => {
    await session.open('untitled:notes.md', 'markdown', '# Notes\n\nSome ');
    assert.deepEqual(await session.complete('untitled:notes.md', { line: 2, character: 5 }), []);
    assert.equal((await session.nextMetrics()).outcome, 'skipped');
    await session.open('untitled:x.zz', 'zz-unknown-lang', 'function f() {\n  return ');
    await session.complete('untitled:x.zz', { line: 1, character: 9 });
    assert.ok(['served', 'empty'].includes((await session.nextMetrics()).outcome));
  });
});

test('gpu auto: the GPU build that loads, else the CPU with one line saying so (this machine has no GPU)', async () => {
  const before = logs.length;
  const session = await start({ gpu: 'auto', logLevel: 'info' });
  try {
    const status = await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
    assert.equal(status.state, 'ready', status.message);
    const lines = logs.slice(before);
    const loaded = lines.find((line) => line.startsWith('Loaded ')) ?? '';
    if (/ CPU, /.test(loaded)) {
      assert.equal(lines.filter((line) => /No GPU build of llama\.cpp loads on this machine/.test(line)).length, 1, 'one line says why the CPU');
    } else {
      assert.match(loaded, / GPU (vulkan|cuda|metal), /, loaded);
    }
    await session.open('untitled:gpu.ts', 'typescript', 'function f() {\n  return \n}\n');
    await session.complete('untitled:gpu.ts', { line: 1, character: 9 });
    assert.ok(['served', 'empty'].includes((await session.nextMetrics()).outcome));
  } finally {
    await session.stop();
  }
});

describe('bad models leave the server running with a message that says what to do', () => {
  const cases: Array<{ name: string; path: () => string; message: RegExp }> = [
    { name: 'missing file', path: () => '/nonexistent/model.gguf', message: /does not exist/ },
    { name: 'not a GGUF file', path: () => join(fixtureWorkspace, 'src', 'math.ts'), message: /not a GGUF file/ },
    {
      name: 'missing key that aborts llama.cpp',
      path: () => modelWithRenamedKey('no-heads.gguf', 'llama.attention.head_count', 'llama.attention.head_cxunt'),
      message: /lacks llama\.attention\.head_count/,
    },
    {
      // Neither the key nor the token text: the vocabulary alone would still give the tokens away (fimTokens.ts).
      name: 'no FIM tokens',
      path: () =>
        modelWithRenamed('no-fim.gguf', [
          ['tokenizer.ggml.fim_pre_token_id', 'tokenizer.ggml.xxx_pre_token_id'],
          ['<fim_prefix>', '<xxx_prefix>'],
        ]),
      message: /fill-in-the-middle/,
    },
    { name: 'truncated download', path: () => truncatedModel('truncated.gguf', 3_000_000), message: /truncated\.gguf is damaged: it ends before its tensor data does .*a download cut short/ },
  ];
  for (const { name, path, message } of cases) {
    test(name, async () => {
      const session = await start({ modelPath: path() });
      try {
        const status = await session.waitForStatus((s) => s.state === 'error' || s.state === 'ready');
        assert.equal(status.state, 'error');
        assert.match(status.message, message);
        assert.equal(status.action, 'hearth.selectModel');
        await session.open('untitled:a.ts', 'typescript', 'const a = ');
        assert.deepEqual(await session.complete('untitled:a.ts', { line: 0, character: 10 }), []);
        assert.equal((await session.nextMetrics()).reason, 'no model loaded');
        assert.equal(session.hasExited, false, 'the server is still running');
        // Fixing the setting brings completions back without a restart.
        await session.updateSettings({ ...baseSettings, modelPath: '' });
        await session.waitForStatus((s) => s.state === 'ready');
      } finally {
        await session.stop();
      }
    });
  }
});

test('at the default log level each completion is one line of figures, with no code from the prompt or the completion', async () => {
  const lines: string[] = [];
  const session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'info' }, onLog: (line) => lines.push(line) });
  try {
    await session.waitForStatus((s) => s.state === 'ready', 120_000);
    await session.open(mathUri, 'typescript', mathText);
    const [completion] = await session.complete(mathUri, insideScale);
    const deadline = Date.now() + 10_000;
    while (!lines.some((line) => line.startsWith('completion ')) && Date.now() < deadline) await delay(50);
    const line = lines.find((l) => l.startsWith('completion '));
    assert.match(line ?? '', /^completion (served|empty) in \d+ ms/, lines.join('\n'));
    if (completion && completion.trim().length > 3) assert.ok(!lines.some((l) => l.includes(completion.trim())), 'the completion is not in the log');
    assert.ok(!lines.some((l) => l.includes('factor: number') || l.includes('<fim_')), 'no prompt text in the log');
  } finally {
    await session.stop();
  }
});
