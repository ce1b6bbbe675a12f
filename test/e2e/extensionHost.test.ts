// Runs the mocha suite of test/e2e/suite inside code-server's extension host, the way VS Code's own browser
// integration tests run: the smoke-test driver takes extensionDevelopmentPath/extensionTestsPath from the URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { format } from 'node:util';
import { repoRoot } from '../support/paths';
import { collectConsole, copyWorkspace, launchBrowser, startCodeServer } from './browser';

test('the extension-host mocha suite passes in a real VS Code (code-server)', async () => {
  const server = await startCodeServer({ smokeTestDriver: true });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const lines = collectConsole(page);
    let finish!: (code: number) => void;
    const exitCode = new Promise<number>((resolve) => (finish = resolve));
    // The workbench hands over (level, [format, ...values]) for each extension-host console line.
    await page.exposeFunction('codeAutomationLog', (...args: unknown[]) =>
      lines.push(args.map((arg) => (Array.isArray(arg) ? format(...(arg as [unknown, ...unknown[]])) : String(arg))).join(' ')),
    );
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(`${repoRoot}/out/test/e2e/suite`)],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(copyWorkspace())}&payload=${encodeURIComponent(payload)}`);
    let timer!: NodeJS.Timeout;
    const code = await Promise.race([
      exitCode,
      new Promise<number>((_, reject) => (timer = setTimeout(() => reject(new Error('the suite did not finish in 240 s')), 240_000))),
    ]).finally(() => clearTimeout(timer));
    // The host's console lines reach the page twice (styled and plain); keep the plain mocha lines.
    const mochaLines = lines.filter((line) => !line.includes('%c') && /passing|failing|✔|✓|^\s*\d+\) |mocha:|ghost text|Error/.test(line) && !/open-vsx|gallery/i.test(line));
    console.log([...new Set(mochaLines)].join('\n'));
    assert.equal(code, 0, `mocha in the extension host failed:\n${lines.filter((l) => !/open-vsx|gallery/i.test(l)).join('\n')}`);
    assert.match(lines.join('\n'), /mocha: 0 failed/);
  } finally {
    await browser.close();
    await server.stop();
  }
});
