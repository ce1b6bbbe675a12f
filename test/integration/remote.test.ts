// The remote engine against a real llama-server (built from the llama.cpp source node-llama-cpp ships, serving the
// bundled tiny model on 127.0.0.1), driven over LSP as the editor drives Hearth: the probe, completions through
// llama-server's /completion and through its OpenAI-compatible API, streaming, the server's prompt cache across
// keystrokes, an abort that frees the slot, a wrong key, a server killed and back, and what is never sent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LspSession } from '../../tools/src/lspSession';
import { freePort, type LlamaServer, llamaServerBinary, startLlamaServer } from '../../tools/src/llamaServer';
import { serverPath, targetModelPath } from '../support/paths';

const logs: string[] = [];
const body = 'export function norm(x: number, y: number): number {\n  return \n}\n\nexport function scale(v: number, k: number): number {\n  return v * k;\n}\n';
const at = (text: string, offset: number) => {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
};
const cursor = body.indexOf('return \n') + 'return '.length;

async function slotsBusy(url: string, apiKey?: string): Promise<boolean[]> {
  const response = await fetch(`${url}/slots`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
  return ((await response.json()) as Array<{ is_processing: boolean }>).map((slot) => slot.is_processing);
}

describe('remote engine: a real llama-server', { timeout: 1_800_000 }, () => {
  let binary: string;
  let server: LlamaServer;
  let session: LspSession;
  const settings = (extra: Record<string, unknown> = {}) => ({ threads: 1, gpu: 'off', logLevel: 'trace', fimOrder: 'spm', engine: 'remote', remote: { url: server.url, ...extra } });

  before(async () => {
    const started = Date.now();
    binary = llamaServerBinary();
    console.log(`llama-server ready in ${Math.round((Date.now() - started) / 1000)} s (cached builds are instant): ${binary}`);
    server = await startLlamaServer(binary, { model: targetModelPath, slots: 2 });
    session = await LspSession.start({ serverPath, settings: settings(), onLog: (line) => logs.push(line) });
  });

  after(async () => {
    await session?.stop();
    await server?.stop();
  });

  test('nothing is sent before the user agrees; then the probe finds llama-server and its FIM markers', async () => {
    const waiting = await session.waitForStatus((s) => /Waiting for your agreement/.test(s.message), 30_000);
    assert.equal(waiting.state, 'error');
    await session.remoteAccess({ url: server.url, consented: true });
    const ready = await session.waitForStatus((s) => s.state === 'ready', 60_000);
    assert.match(ready.message, /llama-server \/completion with Hearth's prompt \(starcoder\)/);
    assert.match(ready.message, /over 2 slots chosen by the server/);
  });

  test('a completion comes from llama-server, streamed, with the prompt laid out by Hearth', async () => {
    const uri = 'untitled:remote-a.ts';
    await session.open(uri, 'typescript', body);
    const items = await session.complete(uri, at(body, cursor));
    const metrics = await session.nextMetrics(60_000, { uri });
    assert.ok(['served', 'empty'].includes(metrics.outcome), JSON.stringify(metrics));
    assert.ok(metrics.promptTokens > 40, `the server evaluated the prompt (${metrics.promptTokens} tokens)`);
    assert.ok(metrics.generatedTokens > 0, 'tokens were generated');
    const prompt = await session.lastPrompt();
    assert.ok(prompt?.startsWith('<fim_suffix>') && prompt.includes('<fim_prefix>') && prompt.endsWith('<fim_middle>'), JSON.stringify(prompt?.slice(0, 80)));
    console.log(`remote completion: ${JSON.stringify(items[0] ?? '')}; ${metrics.promptTokens} prompt tokens, ${metrics.totalMs.toFixed(0)} ms`);
  });

  /** Types into a new document, a request per keystroke, and checks what the server evaluated for each. */
  async function typeAndCount(name: string): Promise<void> {
    const uri = `untitled:remote-typing-${name}.ts`;
    // Not the text of the test before: its answer would come from Hearth's cache, and this document's slot start cold.
    let text = `// typing (${name})\n${body}`;
    let offset = cursor + `// typing (${name})\n`.length;
    await session.open(uri, 'typescript', text);
    await session.complete(uri, at(text, offset));
    const cold = await session.nextMetrics(60_000, { uri });
    // (Where the server picks the slot, it may take one whose cached prompt shares a beginning with this one: then
    // only the rest is evaluated.)
    assert.ok(cold.promptTokens > 40 && cold.promptTokens - cold.reusedPromptTokens > 10, `the document's first request evaluates its prompt: ${JSON.stringify(cold)}`);
    let version = 1;
    const evaluated: number[] = [];
    for (const char of 'x * y') {
      text = text.slice(0, offset) + char + text.slice(offset);
      offset++;
      await session.replaceText(uri, ++version, text);
      await session.complete(uri, at(text, offset));
      const metrics = await session.nextMetrics(60_000, { uri, version });
      if (metrics.outcome === 'cached') continue;
      assert.equal(metrics.outcome === 'error', false);
      assert.ok(metrics.promptTokens > 40, `the server's figures arrived (${JSON.stringify(metrics)})`);
      evaluated.push(metrics.promptTokens - metrics.reusedPromptTokens);
    }
    console.log(`prompt tokens the server evaluated per keystroke (hearth.remote.slots: ${name}): ${evaluated.join(', ')}`);
    if (process.env.HEARTH_TEST_DEBUG) console.log(logs.filter((line) => /Remote engine/.test(line)).slice(-30).join('\n'));
    assert.ok(evaluated.length >= 2, `most keystrokes went to the server (${evaluated.length})`);
    for (const n of evaluated) assert.ok(n <= 2 * 1 + 8, `≤ 2 × typed + 8 tokens evaluated, not ${n}`);
  }

  test('typing: the server evaluates about what was typed (its prompt cache survives the keystrokes)', async () => {
    await typeAndCount('server');
    assert.ok(logs.some((line) => /prompt chars, the server picks the slot/.test(line)), 'llama-server chose the slots (id_slot -1)');
  });

  test('typing with a slot per document (hearth.remote.slots: perDocument): the same', async () => {
    await session.updateSettings(settings({ slots: 'perDocument' }));
    await session.remoteAccess({ url: server.url, consented: true });
    await session.waitForStatus((s) => s.state === 'ready' && /one per document/.test(s.message), 60_000);
    await typeAndCount('perDocument');
    assert.ok(logs.some((line) => /prompt chars to slot \d/.test(line)), 'the requests asked for a slot');
    await session.updateSettings(settings());
    await session.remoteAccess({ url: server.url, consented: true });
    await session.waitForStatus((s) => s.state === 'ready' && /chosen by the server/.test(s.message), 60_000);
  });

  test('a cancelled request frees its slot: the server stops generating', async () => {
    await session.updateSettings({ ...settings(), maxTokens: 400, maxLines: 100 });
    await session.remoteAccess({ url: server.url, consented: true });
    await session.waitForStatus((s) => s.state === 'ready', 60_000);
    const uri = 'untitled:remote-cancel.ts';
    const text = '// a long comment that the model goes on writing\n';
    await session.open(uri, 'typescript', text);
    const request = session.requestCompletion(uri, at(text, text.length));
    const deadline = Date.now() + 10_000;
    let sawBusy = false;
    while (!(sawBusy = (await slotsBusy(server.url)).some(Boolean)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    request.cancel();
    await request.result.catch(() => []);
    const metrics = await session.nextMetrics(60_000, { uri });
    const freed = Date.now() + 2_000;
    let busy = await slotsBusy(server.url);
    while (busy.some(Boolean) && Date.now() < freed) busy = await slotsBusy(server.url);
    assert.ok(sawBusy, 'the request was cancelled while the server generated');
    assert.deepEqual(busy, [false, false], 'every slot is free again');
    assert.ok(metrics.generatedTokens < 400, `stopped early (${metrics.generatedTokens} tokens)`);
  });

  test('through the OpenAI-compatible API (hearth.remote.api: openai) on the same server', async () => {
    await session.updateSettings(settings({ api: 'openai', fimFormat: 'starcoder' }));
    await session.remoteAccess({ url: server.url, consented: true });
    const ready = await session.waitForStatus((s) => s.state === 'ready' && /OpenAI-compatible/.test(s.message), 60_000);
    assert.match(ready.message, /\/v1\/completions \(starcoder FIM\)/);
    const uri = 'untitled:remote-openai.ts';
    await session.open(uri, 'typescript', body);
    await session.complete(uri, at(body, cursor));
    const metrics = await session.nextMetrics(60_000, { uri });
    assert.ok(['served', 'empty'].includes(metrics.outcome), JSON.stringify(metrics));
    assert.ok(metrics.generatedTokens > 0);
  });

  test('explain goes to /v1/chat/completions, streamed, with the code’s secrets redacted', async () => {
    const uri = 'untitled:remote-explain.ts';
    const code = 'export function connect() {\n  const password = "hunter2hunter2";\n  return open(password);\n}\n';
    await session.open(uri, 'typescript', code);
    const parts: string[] = [];
    const result = await session.instruct({ task: 'explain', uri, version: 1, position: { line: 2, character: 4 } }, (p) => parts.push(p.delta)).result;
    assert.equal(result.error, undefined, result.error);
    assert.ok(parts.length >= 2, `streamed in ${parts.length} parts`);
    assert.equal(parts.join(''), result.text);
    const sent = (await session.lastPrompt()) ?? '';
    assert.match(sent, /"role": "user"/);
    assert.ok(sent.includes('[REDACTED]') && !sent.includes('hunter2'), sent);
  });

  test('headless: `complete FILE:L:C --engine URL` completes through the remote engine', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { join } = await import('node:path');
    const { repoRoot } = await import('../support/paths');
    const file = join(repoRoot, 'test', 'fixtures', 'workspace', 'src', 'math.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'dist', 'complete.js'), `${file}:11:3`, '--engine', server.url, '--json'], { timeout: 120_000 });
    const result = JSON.parse(stdout) as { completion: string; metrics: { outcome: string; promptTokens: number; generatedTokens: number } };
    assert.equal(result.metrics.outcome, 'served', stdout);
    assert.ok(result.metrics.promptTokens > 40 && result.metrics.generatedTokens > 0, stdout);
    const refused = await promisify(execFile)(process.execPath, [join(repoRoot, 'dist', 'complete.js'), `${file}:11:3`, '--engine', `http://127.0.0.1:${await freePort()}`], { timeout: 60_000 }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(refused?.code, 1, 'no server there: an error exit');
    assert.match(refused?.stderr ?? '', /connection refused/);
  });

  test('secrets are redacted and never-send files are not sent', async () => {
    await session.updateSettings(settings());
    await session.remoteAccess({ url: server.url, consented: true });
    await session.waitForStatus((s) => s.state === 'ready' && /llama-server/.test(s.message), 60_000);
    const uri = 'untitled:remote-secret.ts';
    const text = 'const db = connect({ password: "hunter2hunter2" });\nexport const x = ';
    await session.open(uri, 'typescript', text);
    await session.complete(uri, at(text, text.length));
    await session.nextMetrics(60_000, { uri });
    const prompt = (await session.lastPrompt()) ?? '';
    assert.ok(prompt.includes('password: "[REDACTED]"'), prompt);
    assert.ok(!prompt.includes('hunter2'), 'the secret is not in what was sent');
    const envFile = 'file:///work/project/.env';
    await session.open(envFile, 'dotenv', 'API_TOKEN=abc\nDEBUG=');
    await session.complete(envFile, { line: 1, character: 6 });
    const metrics = await session.nextMetrics(60_000, { uri: envFile });
    assert.equal(metrics.generatedTokens, 0, 'a .env file is never sent');
    assert.equal(await session.lastPrompt(), prompt, 'the last prompt sent is still the one before');
  });

  test('the server killed: the status says so and reconnects; the server back: completions again', async () => {
    const port = server.port;
    await server.kill();
    const uri = 'untitled:remote-down.ts';
    await session.open(uri, 'typescript', body);
    await session.complete(uri, at(body, cursor)).catch(() => []);
    const down = await session.waitForStatus((s) => s.state === 'error' && /Reconnecting in \d+ s/.test(s.message), 30_000);
    assert.match(down.message, /connection refused|Could not reach|failed/i);
    server = await startLlamaServer(binary, { model: targetModelPath, slots: 2, port });
    await session.waitForStatus((s) => s.state === 'ready', 60_000);
    await session.replaceText(uri, 2, `${body}\n`);
    await session.complete(uri, at(body, cursor));
    const metrics = await session.nextMetrics(60_000, { uri, version: 2 });
    assert.ok(['served', 'empty'].includes(metrics.outcome), JSON.stringify(metrics));
  });

  test('a wrong API key is a clear error, not a retry loop', async () => {
    const guarded = await startLlamaServer(binary, { model: targetModelPath, slots: 1, apiKey: 'right-key' });
    try {
      await session.updateSettings({ ...settings(), remote: { url: guarded.url } });
      await session.remoteAccess({ url: guarded.url, consented: true, apiKey: 'wrong-key' });
      const refused = await session.waitForStatus((s) => s.state === 'error' && /refused the API key/.test(s.message), 30_000);
      assert.match(refused.message, /Set Remote API Key/);
      await session.remoteAccess({ url: guarded.url, consented: true, apiKey: 'right-key' });
      await session.waitForStatus((s) => s.state === 'ready', 60_000);
    } finally {
      await guarded.stop();
    }
  });
  test('with hearth.remote.fallbackToLocal, a server that is down leaves completions to the local model', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    await session.updateSettings({ ...settings(), remote: { url: dead, fallbackToLocal: true } });
    await session.remoteAccess({ url: dead, consented: true });
    await session.waitForStatus((s) => s.state === 'error' && /Reconnecting in \d+ s/.test(s.message), 30_000);
    const uri = 'untitled:remote-fallback.ts';
    await session.open(uri, 'typescript', body);
    let outcome = 'skipped';
    let local = false;
    const deadline = Date.now() + 60_000; // the local model loads in the background
    for (let version = 1; outcome === 'skipped' && Date.now() < deadline; version++) {
      if (version > 1) await session.replaceText(uri, version, `${body}${'\n'.repeat(version)}`);
      await session.complete(uri, at(body, cursor));
      const metrics = await session.nextMetrics(60_000, { uri, version });
      outcome = metrics.outcome;
      local = metrics.prefillChunkMs !== undefined; // the local engine's prompt chunking; a remote one has none
      if (outcome === 'skipped') await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(['served', 'empty'].includes(outcome), `the local model answered (${outcome})`);
    assert.ok(local, 'by the local engine');
  });
  test("a model whose FIM tokens are named like no family Hearth knows: llama-server's /infill, as the fallback", async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeFimFamilyModel } = await import('../../tools/src/fimFamilyModels');
    const model = await writeFimFamilyModel(mkdtempSync(join(tmpdir(), 'hearth-remote-infill-')), 'unknown', true, targetModelPath);
    const unknown = await startLlamaServer(binary, { model, slots: 1 });
    try {
      await session.updateSettings({ ...settings(), remote: { url: unknown.url } });
      await session.remoteAccess({ url: unknown.url, consented: true });
      const ready = await session.waitForStatus((s) => s.state === 'ready' && s.message.includes(unknown.url.replace('http://', '')), 60_000);
      assert.match(ready.message, /llama-server \/infill with the model's own FIM tokens/);
      const uri = 'untitled:remote-infill.ts';
      await session.open(uri, 'typescript', `// infill\n${body}`);
      await session.complete(uri, at(`// infill\n${body}`, cursor + '// infill\n'.length));
      const metrics = await session.nextMetrics(60_000, { uri });
      assert.ok(['served', 'empty'].includes(metrics.outcome), JSON.stringify(metrics));
      assert.ok(metrics.promptTokens > 20 && metrics.generatedTokens > 0, JSON.stringify(metrics));
      assert.match((await session.lastPrompt()) ?? '', /^\/infill /);
    } finally {
      await unknown.stop();
    }
  });
});
