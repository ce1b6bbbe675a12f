// The same extension-host suite under @vscode/test-electron, for machines that can download VS Code (a user's
// machine, a CI with internet). Here, where nothing can be downloaded, test/e2e/extensionHost.test.ts runs it
// inside code-server instead.   npm run test:electron
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from '../support/paths';

async function main(): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), 'hearth-ws-'));
  cpSync(join(repoRoot, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'out', 'test', 'e2e', 'suite'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
