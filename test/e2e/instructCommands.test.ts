// Explain and Refactor as a user meets them: the packaged .vsix in code-server, the commands run from the command
// palette in Chromium, the rendered explanation, the proposal's diff, Accept, and the saved file read back.
// Screenshots go to test-results/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { collectConsole, copyWorkspace, goToLine, launchBrowser, openInWorkbench, packageVsix, resultsDir, runCommand, startCodeServer } from './browser';

/** The text of the first frame (webviews included) whose body matches `pattern`, polled until `timeoutMs`. */
async function frameText(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames().filter((f) => f.url().includes('webview'))) {
      const text = await frame.locator('body').innerText({ timeout: 500 }).catch(() => '');
      if (pattern.test(text)) return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no frame shows ${pattern} after ${timeoutMs} ms`);
}

async function waitForFile(path: string, predicate: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  let text = readFileSync(path, 'utf8');
  while (!predicate(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100)); // bounded poll for the save to reach the disk
    text = readFileSync(path, 'utf8');
  }
  assert.ok(predicate(text), `${what}; on disk: ${JSON.stringify(text.slice(0, 400))}`);
  return text;
}

test('Explain opens rendered beside the code; Refactor shows a diff and Accept writes it to the file', async () => {
  const vsix = packageVsix('hearth-instruct-e2e.vsix');
  const server = await startCodeServer({ vsix });
  const workspace = copyWorkspace();
  const file = join(workspace, 'src', 'math.ts');
  const original = readFileSync(file, 'utf8');
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  try {
    const consoleLines = collectConsole(page);
    await openInWorkbench(page, server.url, workspace, 'math.ts');
    await page.waitForSelector('[id="hearth.hearth.status"] .codicon-flame, .statusbar-item .codicon-flame', { timeout: 120_000 });

    // Explain, with the cursor inside add(): a rendered Markdown preview opens beside it and fills.
    await goToLine(page, ':7:3');
    await runCommand(page, 'Hearth: Explain');
    // The explanation opens rendered (a Markdown preview, a webview) beside the code. (Whether the preview then
    // follows every update is not asserted here: in code-server it sometimes keeps the first lines of a short
    // explanation; the extension-host suite checks the document's text.)
    await page.locator('.tab', { hasText: 'Preview Explanation of math.ts' }).first().waitFor({ timeout: 60_000 });
    const rendered = await frameText(page, /Hearth is explaining|explained by the local model/, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let the preview settle for the screenshot
    await page.screenshot({ path: join(resultsDir, 'explain.png') });
    assert.ok(rendered.length > 0);
    // Back to the code (the preview may hold the keyboard focus).
    await page.locator('.tab', { hasText: 'math.ts' }).first().click();
    await goToLine(page, 'math.ts');

    // Refactor scale() (lines 10–12): select them, give an instruction, see the diff.
    await goToLine(page, ':10');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await runCommand(page, 'Hearth: Refactor');
    // Hearth's own picker, not the command palette still closing.
    // (30 s: on a loaded machine the extension host can take seconds to open it.)
    await page.waitForSelector('.quick-input-widget input[placeholder*="instruction"]', { state: 'visible', timeout: 30_000 });
    await page.keyboard.type('Add a doc comment', { delay: 10 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.monaco-diff-editor', { timeout: 60_000 });
    await page.getByText(/proposal ready/).first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(resultsDir, 'refactor-diff.png') });
    assert.equal(readFileSync(file, 'utf8'), original, 'the file is untouched while the proposal is shown');

    // Accept from the notification, save: the proposal is in the file.
    await page.locator('.notifications-toasts .monaco-button', { hasText: /^Accept$/ }).first().click();
    // Back into the code by a click (Quick Open here once listed the closing diff and never showed its rows).
    await page.locator('.tab', { hasText: /^math\.ts/ }).first().click();
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+s');
    const accepted = await waitForFile(file, (text) => text !== original, 'the accepted proposal is saved');
    await page.screenshot({ path: join(resultsDir, 'refactor-accepted.png') });
    // (One Undo restoring the file byte for byte is checked in the extension-host suite, where no keyboard focus is involved.)
    console.log(`refactor accepted (${accepted.length - original.length} chars added; screenshots: test-results/explain.png, refactor-diff.png, refactor-accepted.png)`);
    assert.ok(!consoleLines.some((line) => /hearth.*(crash|stopped unexpectedly)/i.test(line)), 'no server crash in the log');
  } catch (error) {
    await page.screenshot({ path: join(resultsDir, 'instruct-failure.png') }).catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
    await server.stop();
  }
});
