// Models ahead of time, for an air-gapped machine or a script, on the same code as the extension:
//   node dist/model.js pull <owner>/<repo>/<file.gguf> [--hub URL] [--dir DIR] [--json]
//   node dist/model.js info FILE.gguf [--json]
//   node dist/model.js list [--dir DIR] [--json]
// The models folder defaults to $HEARTH_MODELS_DIR, else ~/.cache/hearth/models; the hub to $HF_ENDPOINT, else
// https://huggingface.co. Nothing is downloaded from anywhere else.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeModelInfo, readModelInfo } from '../../server/src/download/modelInfo';
import { defaultHub, PullError, pullModel } from '../../server/src/download/modelPull';
import { runCli } from './cliSession';

const usage = 'usage: model pull <owner>/<repo>/<file.gguf> [--hub URL] [--dir DIR] [--json] | model info FILE.gguf [--json] | model list [--dir DIR] [--json]\n';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { hub: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const [command, target] = positionals;
  const dir = resolve(values.dir ?? process.env.HEARTH_MODELS_DIR ?? join(homedir(), '.cache', 'hearth', 'models'));
  const print = (value: unknown, lines: string[]) => process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${lines.join('\n')}\n`);
  if (command === 'pull' && target) {
    const parts = target.split('/');
    if (parts.length < 3) {
      process.stderr.write(usage);
      return 2;
    }
    const repo = parts.slice(0, 2).join('/');
    const file = parts.slice(2).join('/');
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    let last = 0;
    try {
      const pulled = await pullModel({
        repo,
        file,
        dir,
        hub: values.hub ?? process.env.HF_ENDPOINT ?? defaultHub,
        signal: abort.signal,
        onProgress: (p) => {
          if (values.json || performance.now() - last < 500) return;
          last = performance.now();
          const line = p.waitingForOther
            ? 'waiting for another download of this file…'
            : `${((100 * p.downloadedBytes) / Math.max(1, p.totalBytes)).toFixed(1)} % of ${(p.totalBytes / 2 ** 20).toFixed(0)} MiB, ${(p.bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s, ${Number.isFinite(p.secondsLeft) ? `${Math.ceil(p.secondsLeft)} s left` : ''}`;
          process.stderr.write(`\r${line.padEnd(70)}`);
        },
      });
      if (!values.json) process.stderr.write('\n');
      print(pulled, [`${pulled.reused ? 'already there, verified' : 'downloaded and verified'}: ${pulled.path}`, `sha256 ${pulled.sha256}, ${pulled.bytes} bytes`]);
      return 0;
    } catch (error) {
      process.stderr.write(`\nhearth: ${(error as Error).message}\n`);
      return error instanceof PullError && error.kind === 'cancelled' ? 130 : 1;
    }
  }
  if (command === 'info' && target) {
    try {
      const info = await readModelInfo(resolve(target));
      print(info, describeModelInfo(info));
      return 0;
    } catch (error) {
      process.stderr.write(`hearth: ${(error as Error).message}\n`);
      return 1;
    }
  }
  if (command === 'list') {
    const models = existsSync(dir)
      ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter((name) => name.endsWith('.gguf') && existsSync(join(dir, `${name}.sha256`)))
          .map((name) => ({ path: join(dir, name), bytes: statSync(join(dir, name)).size }))
      : [];
    print(models, models.length > 0 ? models.map((m) => `${m.path}  ${(m.bytes / 2 ** 20).toFixed(0)} MiB`) : [`no models in ${dir}`]);
    return 0;
  }
  process.stderr.write(usage);
  return 2;
}

runCli(main);
