// Headless next-edit prediction through the real Hearth server, over LSP (the extension's code path):
//   node dist/nextEdit.js FILE:LINE:COLUMN --before OLD_FILE [--model PATH] [--threads N] [--json] [--verbose]
// The recent edits are the difference between OLD_FILE and FILE (the document is opened as OLD_FILE and changed to
// FILE, as typing would); the predicted edit is printed as a unified diff of FILE, or "no edit predicted" (exit 0).
// Without --model the bundled tiny model answers: it shows the plumbing, not a prediction worth reading (it was never
// trained on the format). Nothing is written.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { unifiedDiff } from '../../server/src/instruct/hunks';
import { bundledTargetFile } from '../../server/src/model/modelHost';
import { applyLineEdit } from '../../server/src/nextEdit/answerEdit';
import { openFile, runCli, startCliSession } from './cliSession';

const usage = 'usage: next-edit FILE:LINE:COLUMN --before OLD_FILE [--model PATH] [--threads N] [--json] [--verbose]\n';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { before: { type: 'string' }, model: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
  });
  const target = positionals[0]?.match(/^(.*):(\d+):(\d+)$/);
  if (!target || !values.before) {
    process.stderr.write(usage);
    return 2;
  }
  const [, file, line, column] = target;
  const path = resolve(file!);
  let text: string;
  let before: string;
  try {
    text = readFileSync(path, 'utf8');
    before = readFileSync(resolve(values.before), 'utf8');
  } catch (error) {
    process.stderr.write(`cannot read ${(error as NodeJS.ErrnoException).path ?? path}: ${(error as Error).message}\n`);
    return 1;
  }
  const lines = text.split('\n');
  const position = { line: Number(line) - 1, character: Number(column) - 1 };
  if (position.line < 0 || position.line >= lines.length) {
    process.stderr.write(`${file} has ${lines.length} lines: line ${line} is outside it\n`);
    return 2;
  }
  // The next-edit model: the one named, else the bundled tiny one (the completion model the server loads anyway).
  const settings: Record<string, unknown> = { logLevel: values.verbose ? 'debug' : 'warn', nextEdits: true };
  if (values.threads) settings.threads = Number(values.threads);
  const session = await startCliSession(settings, values.verbose);
  if (!session) return 1;
  try {
    const modelPath = values.model ? resolve(values.model) : join(__dirname, '..', 'models', bundledTargetFile);
    await session.updateSettings({ ...settings, nextEditModelPath: modelPath });
    const uri = await openFile(session, path, before);
    await session.replaceText(uri, 2, text);
    const pending = session.nextEdit({ uri, version: 2, position });
    process.once('SIGINT', () => pending.cancel());
    const result = await pending.result;
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    if (!result.suggestion) {
      process.stdout.write(`no edit predicted (${result.reason ?? 'none'})\n`);
      return 0;
    }
    process.stdout.write(unifiedDiff(relative(process.cwd(), path) || path, text, applyLineEdit(text, result.suggestion)));
    return 0;
  } finally {
    await session.stop();
  }
}

runCli(main);
