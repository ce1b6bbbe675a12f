// Mocha entry point for the extension-host suite, in the form @vscode/test-electron expects (`run()`); the same
// file runs inside code-server's extension host (test/e2e/extensionHost.test.ts) and under test-electron.
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90_000, reporter: 'spec' });
  mocha.addFile(join(__dirname, 'extension.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`mocha: ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} extension-host tests failed`));
      else resolve();
    });
  });
}
