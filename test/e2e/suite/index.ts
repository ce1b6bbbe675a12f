// Mocha entry point for the extension-host suite, in the form @vscode/test-electron expects (`run()`); the same
// file runs inside code-server's extension host (test/e2e/extensionHost.test.ts) and under test-electron.
import { join } from 'node:path';
import Mocha from 'mocha';

/**
 * Each test's outcome as one console line, `mocha-result {"state","title","error"}`: the runner outside the extension
 * host (extensionHost.test.ts) reports each as a test of its own, so skips and failures are counted one by one.
 */
const resultPrefix = 'mocha-result ';
function report(state: 'passed' | 'failed' | 'skipped', test: Mocha.Runnable, error?: unknown): void {
  const title = (test as { type?: string }).type === 'hook' ? `${test.fullTitle()} (hook)` : test.fullTitle();
  console.log(`${resultPrefix}${JSON.stringify({ state, title, error: error instanceof Error ? (error.stack ?? error.message) : error === undefined ? undefined : String(error) })}`);
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90_000, reporter: 'spec' });
  mocha.addFile(join(__dirname, 'extension.test.js'));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`mocha: ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} extension-host tests failed`));
      else resolve();
    });
    runner.on('pass', (test) => report('passed', test));
    runner.on('fail', (test, error) => report('failed', test, error));
    runner.on('pending', (test) => report('skipped', test));
  });
}
