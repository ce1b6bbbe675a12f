// Headless explain and refactor through the real Hearth server, over LSP (the extension's code path):
//   node dist/instruct.js explain FILE:LINE[-LINE] [--model PATH] [--threads N] [--json]
//   node dist/instruct.js refactor FILE:LINE-LINE "instruction" [--model PATH] [--threads N] [--json]
// Explain prints the explanation as it streams; refactor prints the proposal as a unified diff. Nothing is written.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { applyHunks, unifiedDiff } from '../../server/src/instruct/hunks';
import { onBrokenPipe, openFile, runCli, startCliSession } from './cliSession';

const usage = 'usage: explain FILE:LINE[-LINE] | refactor FILE:LINE-LINE "instruction"   [--model PATH] [--threads N] [--json] [--verbose]\n';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { model: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
  });
  const [task, where, ...rest] = positionals;
  const target = where?.match(/^(.*):(\d+)(?:-(\d+))?$/);
  if ((task !== 'explain' && task !== 'refactor') || !target || (task === 'refactor' && rest.join(' ').trim() === '')) {
    process.stderr.write(usage);
    return 2;
  }
  const [, file, first, last] = target;
  const path = resolve(file!);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    process.stderr.write(`cannot read ${path}: ${(error as Error).message}\n`);
    return 1;
  }
  const lines = text.split('\n');
  const startLine = Number(first) - 1;
  const endLine = Math.min(lines.length - 1, Number(last ?? first) - 1);
  if (startLine < 0 || startLine >= lines.length || endLine < startLine) {
    process.stderr.write(`${file} has ${lines.length} lines: ${where} is outside it\n`);
    return 2;
  }
  const settings: Record<string, unknown> = { logLevel: values.verbose ? 'debug' : 'warn' };
  if (values.model) settings.modelPath = resolve(values.model);
  if (values.threads) settings.threads = Number(values.threads);
  const session = await startCliSession(settings, values.verbose);
  if (!session) return 1;
  try {
    const uri = await openFile(session, path, text);
    // A single line without a range means "the code around this line" (the enclosing function), as the command does.
    const selection = last === undefined ? undefined : { start: { line: startLine, character: 0 }, end: { line: endLine, character: lines[endLine]!.length } };
    const streaming = task === 'explain' && !values.json;
    let readerGone = false;
    const pending = session.instruct(
      { task, uri, version: 1, selection, position: { line: startLine, character: 0 }, instruction: rest.join(' ') },
      (progress) => streaming && !readerGone && process.stdout.write(progress.delta),
    );
    process.once('SIGINT', () => pending.cancel());
    // A reader that has seen enough (`| head`) closes the pipe: stop generating and end quietly.
    onBrokenPipe(() => {
      readerGone = true;
      pending.cancel();
    });
    const result = await pending.result;
    if (readerGone) return 0;
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (task === 'explain') {
      process.stdout.write('\n');
    } else if (result.code !== undefined && result.hunks) {
      const after = applyHunks(text, result.hunks);
      process.stdout.write(unifiedDiff(relative(process.cwd(), path), text, after));
    }
    if (result.error) {
      process.stderr.write(`hearth: ${result.error}\n`);
      return 1;
    }
    if (values.verbose && result.stats) process.stderr.write(`${JSON.stringify(result.stats)}\n`);
    return 0;
  } finally {
    await session.stop();
  }
}

runCli(main);
