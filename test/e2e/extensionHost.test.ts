// Runs the mocha suite of test/e2e/suite inside code-server's extension host, the way VS Code's own browser
// integration tests run: the smoke-test driver takes extensionDevelopmentPath/extensionTestsPath from the URL.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { format } from 'node:util';
import { isLoopback, madeUnder, parseTrace } from '../support/connectTrace';
import { ensureEmbeddedModel } from '../../tools/src/embeddedModel';
import { repoRoot, slowChatModelLayers, slowChatModelPath, targetModelPath } from '../support/paths';
import { collectConsole, copyWorkspace, launchBrowser, resultsDir, startCodeServer } from './browser';

/** One test's outcome as the suite reports it (test/e2e/suite/index.ts). */
interface MochaResult {
  state: 'passed' | 'failed' | 'skipped';
  title: string;
  error?: string;
}

/** The suite's results from the extension host's console lines, each once (the lines reach the page twice). */
function mochaResults(lines: readonly string[]): MochaResult[] {
  const byTitle = new Map<string, MochaResult>();
  for (const line of lines) {
    const json = /mocha-result (\{.*\})\s*$/.exec(line)?.[1];
    if (!json) continue;
    const result = JSON.parse(json) as MochaResult;
    byTitle.set(`${result.state} ${result.title}`, result);
  }
  return [...byTitle.values()];
}

test('the extension-host mocha suite passes in a real VS Code (code-server), and Hearth connects to nothing but loopback', async (t) => {
  // Every connect() of code-server's process tree is traced (strace -f) while the suite runs: the Hearth language
  // server and the extension host that runs Hearth's client must make none outside the machine.
  mkdirSync(resultsDir, { recursive: true });
  const trace = join(resultsDir, 'extension-host-connect.strace');
  await ensureEmbeddedModel(slowChatModelPath, slowChatModelLayers, targetModelPath);
  const server = await startCodeServer({ smokeTestDriver: true, traceConnectionsTo: trace });
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
    // Each of the suite's tests counts as one here (a skip shows as a skip, with the platform's reason in the suite).
    const results = mochaResults(lines);
    for (const result of results) {
      await t.test(`extension host: ${result.title}`, { skip: result.state === 'skipped' ? 'skipped in the extension host' : false }, () => {
        if (result.state === 'failed') assert.fail(result.error ?? 'failed');
      });
    }
    assert.ok(results.filter((r) => r.state === 'passed').length > 0, 'the suite reported its tests one by one');
    assert.equal(code, 0, `mocha in the extension host failed:\n${lines.filter((l) => !/open-vsx|gallery/i.test(l)).join('\n')}`);
    assert.match(lines.join('\n'), /mocha: 0 failed/);
  } finally {
    await browser.close();
    await server.stop();
  }
  const { connections, commands } = parseTrace(readFileSync(trace, 'utf8'));
  const hearthServer = connections.filter((c) => madeUnder(c, /dist\/server\.js/));
  const extensionHost = connections.filter((c) => /--type=extensionHost/.test(c.command));
  const outbound = (list: typeof connections) => list.filter((c) => !isLoopback(c));
  const summary = (list: typeof connections) => `${list.length} connect() calls, ${outbound(list).length} outside loopback`;
  console.log(`network: Hearth's server and its helpers ${summary(hearthServer)}; the extension host ${summary(extensionHost)}; all of code-server ${summary(connections)}`);
  assert.ok(commands.some((command) => /dist\/server\.js/.test(command)), "Hearth's server ran under the trace");
  assert.ok(commands.some((command) => /--type=extensionHost/.test(command)), 'the extension host ran under the trace');
  assert.ok(connections.some((c) => isLoopback(c)), 'the trace saw loopback connections (it records connect() at all)');
  assert.deepEqual(outbound(hearthServer), [], "Hearth's server connected outside the machine");
  assert.deepEqual(outbound(extensionHost), [], 'the extension host (Hearth’s client) connected outside the machine');
});
