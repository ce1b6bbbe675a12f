// The product as a user meets it: the packaged .vsix installed into a real VS Code (code-server), a person typing
// into a .ts file in Chromium, ghost text from the tiny model, Tab to accept, and the saved file read back.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectConsole, copyWorkspace, goToLine, hearthProcesses, launchBrowser, packageVsix, resultsDir, runCommand, startCodeServer } from './browser';

const normalize = (text: string) => text.replace(/\u00a0/g, ' ');
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

test('ghost text from the model appears while typing, and Tab accepts it into the file', async () => {
  const server = await startCodeServer({ vsix: packageVsix('hearth-e2e.vsix') });
  const workspace = copyWorkspace();
  const file = join(workspace, 'src', 'math.ts');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleLines = collectConsole(page);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

    // Open src/math.ts and put the cursor in the empty body of scale(), line 11 after the indentation.
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('math.ts');
    await page.waitForSelector('.quick-input-list .monaco-list-row');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
    // The extension activates on TypeScript; wait until the status bar says the model is ready.
    await page.waitForSelector('[id="hearth.hearth.status"] .codicon-flame, .statusbar-item .codicon-flame', { timeout: 120_000 });
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(':11:3');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget', { state: 'hidden' });

    await page.keyboard.type('return ', { delay: 60 });
    const ghost = page.locator('.ghost-text-decoration, .ghost-text-decoration-preview').first();
    // Shown by typing alone: no trigger command as a fallback, which would hide a broken automatic trigger
    // (TEST-AUDIT). The bound is generous for a cold, busy machine.
    await ghost.waitFor({ state: 'visible', timeout: 60_000 });
    // Ghost text is split into several coloured spans; the cursor's view line holds the typed text and all of them.
    const shownLine = normalize(
      await page.locator('.view-line', { has: page.locator('.ghost-text-decoration') }).first().innerText(),
    );
    const firstLine = shownLine.slice(shownLine.indexOf('return ') + 'return '.length);
    assert.ok(firstLine.trim().length > 0, 'ghost text is visible');
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'ghost-text.png') });
    console.log(`ghost text: ${JSON.stringify(firstLine)} (screenshot: test-results/ghost-text.png)`);

    await page.keyboard.press('Tab');
    // Accepting moves the cursor, and VS Code may at once show the next suggestion there: the file on disk, not the
    // ghost text's going, tells that the accepted text is in. Escape dismisses a next suggestion before saving.
    await delay(300);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    const expected = `  return ${firstLine.trimEnd()}`;
    const line11 = () => readFileSync(file, 'utf8').split('\n')[10] ?? '';
    const deadline = Date.now() + 20_000;
    while (!line11().startsWith(expected) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // bounded poll for the save to reach the disk
    }
    await page.screenshot({ path: join(resultsDir, 'after-tab.png') });
    assert.ok(line11().startsWith(expected), `line 11 on disk: ${JSON.stringify(line11())}; ghost: ${JSON.stringify(firstLine)}`);

    // The extension host restarted while a completion is being asked for (issue 13, faults): the old server goes,
    // a new one comes, nothing typed is lost, no ghost text from before the restart is shown, and typing brings
    // ghost text again.
    const before = hearthProcesses('server.js');
    assert.equal(before.length, 1, `one Hearth server runs: ${before.join(', ')}`);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const cursorLine = /Ln (\d+)/.exec(await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().innerText())![1]!;
    await page.keyboard.type('const scaled = 1', { delay: 60 }); // each key asks for a completion; the file is not saved
    // What keeps an unsaved line across a reload is VS Code's hot-exit backup, taken about a second after the last
    // change (code-server lost the line once when the reload came first). It gives no signal a test can wait for
    // here (in code-server it is not always on the server's disk), so: 1.5 s, then one more key (a space, which the
    // check below ignores) so that a completion is asked for as the window reloads.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await page.keyboard.type(' ');
    // code-server's palette offers no Restart Extension Host; reloading the window ends this window's extension host
    // and starts a new one, with the request in flight.
    await runCommand(page, 'Developer: Reload Window');
    await until(() => !hearthProcesses('server.js').includes(before[0]!), 'the old server to exit', 60_000);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await until(() => hearthProcesses('server.js').length === 1, 'a new server', 60_000);
    await goToLine(page, 'math.ts');
    await page.waitForSelector('[id="hearth.hearth.status"] .codicon-flame, .statusbar-item .codicon-flame', { timeout: 120_000 });
    assert.equal(await page.locator('.ghost-text-decoration').count(), 0, 'no ghost text from before the restart');
    await goToLine(page, `:${cursorLine}`);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('return ', { delay: 60 });
    await ghost.waitFor({ state: 'visible', timeout: 60_000 });
    await page.screenshot({ path: join(resultsDir, 'after-extension-host-restart.png') });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    await until(() => readFileSync(file, 'utf8').split('\n').some((line) => line.trim() === 'return'), 'the line typed after the restart saved', 20_000).catch(() => undefined);
    const saved = readFileSync(file, 'utf8').split('\n');
    const typed = saved.findIndex((line) => line.trim() === 'const scaled = 1');
    assert.ok(typed > 0, `the unsaved line typed before the restart is kept: ${JSON.stringify(saved.slice(10, 16))}`);
    assert.ok(saved.some((line, at) => at !== typed && line.trim() === 'return'), `and the line typed after the restart: ${JSON.stringify(saved.slice(10, 16))}`);
    assert.equal(hearthProcesses('server.js').length, 1, 'the old server did not linger');
    assert.ok(!consoleLines.some((line) => /hearth.*(crash|stopped unexpectedly)/i.test(line)), 'no server crash in the log');
  } finally {
    await browser.close();
    await server.stop();
  }
});
