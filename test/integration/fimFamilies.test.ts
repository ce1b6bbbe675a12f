// Every FIM family Hearth knows, with and without the GGUF's tokenizer.ggml.fim_* keys: a small model with that
// family's vocabulary layout (tools/src/fimFamilyModels.ts) is loaded by the real server, not refused, and prompted
// with the family's own tokens in the order the family was trained on, through the real pipeline.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { familyTokens, type FimFamily, writeFimFamilyModel } from '../../tools/src/fimFamilyModels';
import { LspSession } from '../../tools/src/lspSession';
import { serverPath, targetModelPath } from '../support/paths';

const logs: string[] = [];
let session: LspSession;
const dir = mkdtempSync(join(tmpdir(), 'hearth-fim-families-'));
const text = 'export function add(a: number, b: number): number {\n  return \n}\n';
const cursor = { line: 1, character: 9 };

before(async () => {
  session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'info' }, onLog: (line) => logs.push(line) });
  await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
});

after(async () => {
  await session?.stop();
});

for (const family of Object.keys(familyTokens) as FimFamily[]) {
  for (const withKeys of [true, false]) {
    test(`${family} ${withKeys ? 'with' : 'without'} FIM metadata keys: loaded and prompted with its own tokens`, async () => {
      const path = await writeFimFamilyModel(dir, family, withKeys, targetModelPath);
      const name = path.split('/').pop()!;
      await session.updateSettings({ threads: 1, gpu: 'off', logLevel: 'info', modelPath: path, maxTokens: 8 });
      const status = await session.waitForStatus((s) => (s.state === 'ready' || s.state === 'error') && (s.model === name || s.state === 'error'), 60_000);
      assert.equal(status.state, 'ready', status.message);
      const found = logs.findLast((line) => line.startsWith(`FIM tokens of ${name}:`)) ?? '';
      assert.match(found, withKeys ? /the GGUF metadata keys/ : /token texts in the vocabulary \(the GGUF has no FIM keys\)/, found);
      const uri = `untitled:${family}-${withKeys}.ts`;
      await session.open(uri, 'typescript', text);
      await session.complete(uri, cursor);
      const metrics = await session.nextMetrics();
      assert.ok(metrics.outcome === 'served' || metrics.outcome === 'empty', `outcome ${metrics.outcome} ${metrics.reason ?? ''}`);
      const prompt = (await session.lastPrompt()) ?? '';
      const tokens: { prefix: string; suffix: string; middle?: string } = familyTokens[family];
      const at = (token: string) => prompt.indexOf(token);
      assert.ok(at(tokens.prefix) >= 0 && at(tokens.suffix) >= 0, `the family's tokens are in the prompt: ${JSON.stringify(prompt)}`);
      if (tokens.middle) {
        // Prefix-first (the order these families' cards describe): <prefix>…<suffix>…<middle>typed.
        assert.ok(at(tokens.prefix) < at(tokens.suffix) && at(tokens.suffix) < at(tokens.middle), `prefix-first: ${JSON.stringify(prompt)}`);
      } else {
        // Codestral: [SUFFIX]…[PREFIX]…, no middle token, the prefix last.
        assert.ok(at(tokens.suffix) < at(tokens.prefix), `suffix-first: ${JSON.stringify(prompt)}`);
        assert.ok(prompt.trimEnd().endsWith('return'), `the prompt ends with the code before the cursor: ${JSON.stringify(prompt)}`);
      }
    });
  }
}
