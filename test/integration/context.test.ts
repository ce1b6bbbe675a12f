// Cross-file context through the real server: the workspace is indexed, and the prompt the model is given for a
// completion holds the definition of an imported symbol from another file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspSession } from '../../tools/src/lspSession';
import { fixtureWorkspace, serverPath } from '../support/paths';

describe('cross-file context', () => {
  let session: LspSession;
  let indexed!: Promise<string>;
  const logs: string[] = [];

  before(async () => {
    let reportIndexed!: (line: string) => void;
    indexed = new Promise((resolve) => (reportIndexed = resolve));
    session = await LspSession.start({
      serverPath,
      workspaceFolder: fixtureWorkspace,
      settings: { threads: 1, gpu: 'off', logLevel: 'info', maxLines: 1 },
      onLog: (line) => {
        logs.push(line);
        if (/Indexed \d+ files/.test(line)) reportIndexed(line);
      },
    });
    await session.waitForStatus((s) => s.state === 'ready');
  });

  after(async () => {
    await session?.stop();
  });

  test('the prompt holds the definition, from another file, of a symbol the document imports and uses', async () => {
    const line = await indexed;
    assert.match(line, /Indexed [1-9]\d* files/);
    const path = join(fixtureWorkspace, 'src', 'shapes.ts');
    const uri = pathToFileURL(path).href;
    const text = readFileSync(path, 'utf8');
    const cursor = text.indexOf('sum = add(sum, p)') + 'sum = '.length;
    const before = text.slice(0, cursor).split('\n');
    // The user deletes the call and is about to write it again.
    const edited = text.slice(0, cursor) + text.slice(text.indexOf(';', cursor));
    await session.open(uri, 'typescript', edited);
    const position = { line: before.length - 1, character: before.at(-1)!.length };
    await session.complete(uri, position);
    let metrics = await session.nextMetrics();
    assert.ok(metrics.generatedTokens > 0, 'tokens are counted also when a stop rule ends the generation');
    if ((metrics.contextSnippets ?? 0) === 0) {
      // The context stage is advisory: on a loaded machine the first request may reach its 25 ms deadline before the
      // files are read (then the stage took that long), and the build goes on for the next request on the line.
      assert.ok((metrics.contextMs ?? 0) >= 20, `no context, and the stage did not run out of time (${metrics.contextMs} ms)\n${logs.slice(-5).join('\n')}`);
      // The user types on (a letter the first answer did not start with, so it is not served from the cache).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const typed = edited.slice(0, cursor) + 'z' + edited.slice(cursor);
      await session.replaceText(uri, 2, typed);
      await session.complete(uri, { line: position.line, character: position.character + 1 });
      metrics = await session.nextMetrics();
    }
    assert.ok((metrics.contextSnippets ?? 0) > 0, `context files in the prompt: ${metrics.contextSnippets}\n${logs.slice(-5).join('\n')}`);
    const prompt = (await session.lastPrompt()) ?? '';
    assert.match(prompt, /<file_sep>src\/math\.ts\n/, prompt);
    assert.ok(prompt.includes('export function add(a: Point, b: Point): Point {'), prompt);
    assert.ok(prompt.indexOf('<file_sep>src/math.ts') < prompt.indexOf('<file_sep>src/shapes.ts'), 'other files come before the current one');
    console.log(`context stage: ${metrics.contextMs?.toFixed(1)} ms, ${metrics.contextSnippets} file(s); prompt ${metrics.promptTokens} tokens`);
  });

  test('a language without a grammar falls back to plain-text context without an error', async () => {
    const uri = 'untitled:notes.rb';
    await session.open(uri, 'ruby', 'def total(points)\n  points.map { |p| add(p, ');
    await session.complete(uri, { line: 1, character: 26 });
    const metrics = await session.nextMetrics();
    assert.notEqual(metrics.outcome, 'error');
    assert.ok(!logs.some((l) => /Completion failed/.test(l)), logs.join('\n'));
    assert.equal(metrics.outcome === 'skipped', false, `the request ran: ${metrics.reason}`);
    const prompt = (await session.lastPrompt()) ?? '';
    assert.match(prompt, /points\.map/, 'the prompt is this request\'s');
    // `add` is used and defined in src/math.ts: the plain-text fallback still finds it by name.
    assert.match(prompt, /export function add/);
    console.log(prompt);
  });
});
