// Headless completion: prints what the real Hearth server completes at FILE:LINE:COLUMN (1-based), over LSP.
//   node dist/complete.js src/app.ts:12:5 [--model PATH] [--draft PATH] [--threads N] [--max-tokens N] [--json]
//   node dist/complete.js src/app.ts:12:5 --engine http://127.0.0.1:8080 [--api auto|llama-server|openai] [--fim-format F]
// With --engine the remote engine completes (its API key from HEARTH_REMOTE_API_KEY); nothing else is sent anywhere.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openFile, runCli, startCliSession } from './cliSession';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      draft: { type: 'string' },
      threads: { type: 'string' },
      'max-tokens': { type: 'string' },
      'max-lines': { type: 'string' },
      engine: { type: 'string' },
      api: { type: 'string' },
      'fim-format': { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const target = positionals[0]?.match(/^(.*):(\d+):(\d+)$/);
  if (!target) {
    process.stderr.write('usage: complete FILE:LINE:COLUMN [--model PATH] [--draft PATH] [--threads N] [--max-tokens N] [--max-lines N] [--engine URL [--api auto|llama-server|openai] [--fim-format F]] [--json]\n');
    return 2;
  }
  const [, file, line, column] = target;
  const path = resolve(file!);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    process.stderr.write(`cannot read ${path}: ${(error as Error).message}\n`);
    return 1;
  }
  const settings: Record<string, unknown> = { logLevel: values.verbose ? 'debug' : 'warn' };
  if (values.model) settings.modelPath = resolve(values.model);
  if (values.draft) settings.draftModelPath = resolve(values.draft);
  if (values.threads) settings.threads = Number(values.threads);
  if (values['max-tokens']) settings.maxTokens = Number(values['max-tokens']);
  if (values['max-lines']) settings.maxLines = Number(values['max-lines']);
  if (values.engine) {
    settings.engine = 'remote';
    settings.remote = { url: values.engine, ...(values.api ? { api: values.api } : {}), ...(values['fim-format'] ? { fimFormat: values['fim-format'] } : {}) };
  }

  const session = await startCliSession(settings, values.verbose);
  if (!session) return 1;
  try {
    const uri = await openFile(session, path, text);
    const items = await session.complete(uri, { line: Number(line) - 1, character: Number(column) - 1 });
    const metrics = await session.nextMetrics();
    if (values.json) process.stdout.write(`${JSON.stringify({ completion: items[0] ?? '', metrics }, null, 2)}\n`);
    else process.stdout.write(`${items[0] ?? ''}\n`);
    return 0;
  } finally {
    await session.stop();
  }
}

runCli(main);
