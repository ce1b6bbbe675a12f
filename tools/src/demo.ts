// The main job on a fresh machine: the packaged Hearth in a real VS Code (code-server) on 127.0.0.1 with a sample
// workspace, the bundled tiny model answering. Prints the URL and serves until Ctrl+C.
//   node out/tools/demo.js --vsix FILE [--port 8080] [--exit-when-ready]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { copyWorkspace, startCodeServer } from './codeServer';

const repoRoot = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { vsix: { type: 'string' }, port: { type: 'string', default: process.env.HEARTH_PORT ?? '8080' }, 'exit-when-ready': { type: 'boolean', default: false } },
  });
  if (!values.vsix) throw new Error('--vsix FILE is required (scripts/demo.sh packages one)');
  const workspace = copyWorkspace(repoRoot);
  const sample = join(workspace, 'src', 'math.ts');

  console.log('Headless completion through the real server (node dist/complete.js src/math.ts:11:3):');
  const completion = execFileSync(process.execPath, [join(repoRoot, 'dist', 'complete.js'), `${sample}:11:3`, '--threads', '1'], { encoding: 'utf8' });
  console.log(`  ${JSON.stringify(completion.trimEnd())}\n`);

  const server = await startCodeServer({ repoRoot, vsix: values.vsix, port: Number(values.port) });
  const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
  console.log(`Hearth is running in VS Code (code-server) at:\n\n  ${url}\n`);
  console.log('Open src/math.ts, type in the body of scale(): ghost text comes from the bundled tiny model; Tab accepts.');
  console.log('(The tiny model proves the plumbing, not skill: set hearth.modelPath to a real GGUF code model.)');
  if (values['exit-when-ready']) {
    await server.stop();
    return;
  }
  console.log('Ctrl+C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
}

main().catch((error) => {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(1);
});
