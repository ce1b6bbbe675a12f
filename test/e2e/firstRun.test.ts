// The first minutes as a new user meets them, in code-server driven through Chromium: the status item says the demo
// model is in use and its menu offers the catalogue; the walkthrough; a GGUF file inspected before it is used
// (Select Model File); a catalogue model downloaded from a hub (here one on 127.0.0.1, set as hearth.modelHub) with its
// progress in a notification; the model switched, and ghost text from it. Screenshots of each go to test-results/.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { LocalHub } from '../support/localHub';
import { draftModelPath, targetModelPath } from '../support/paths';
import { collectConsole, copyWorkspace, goToLine, launchBrowser, openInWorkbench, packageVsix, resultsDir, runCommand, startCodeServer } from './browser';

/** Hearth's status bar item, on the right (its element id differs between VS Code versions); a download's progress shows on the left. */
const statusItem = '.right-items .statusbar-item:has-text("Hearth")';

async function statusText(page: Page): Promise<string> {
  return page.locator(statusItem).first().innerText();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(resultsDir, name) });
}

test('first run: demo model said, status menu, walkthrough, a sideloaded file described, a catalogue model downloaded with progress and used', async () => {
  const vsix = packageVsix('hearth-first-run.vsix');
  // The catalogue's 0.5B entry, served by a local hub with the bundled model's bytes, slowly enough to see progress.
  const hub = await LocalHub.start([{ repo: 'ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF', name: 'qwen2.5-coder-0.5b-q8_0.gguf', path: targetModelPath }]);
  hub.faults = { bytesPerSecond: 200 * 1024 }; // per connection: about 15 s for the whole file
  const server = await startCodeServer({ vsix, settings: { 'hearth.threads': 1, 'hearth.logLevel': 'debug', 'hearth.modelHub': hub.url } });
  const workspace = copyWorkspace();
  mkdirSync(join(workspace, 'models'));
  copyFileSync(draftModelPath, join(workspace, 'models', 'tiny-code-draft-q8_0.gguf'));
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1700, height: 900 } });
  try {
    const consoleLines = collectConsole(page);
    await openInWorkbench(page, server.url, workspace, 'math.ts');
    await page.waitForSelector(`${statusItem} .codicon-flame`, { timeout: 120_000 });
    assert.match(await statusText(page), /demo model/, 'the status item says the demo model is in use');

    // The status item opens a menu; with the demo model, Choose Model comes first. Nothing is switched by the click.
    await page.locator(statusItem).first().click();
    const firstRow = page.locator('.quick-input-list .monaco-list-row').first();
    await firstRow.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await firstRow.innerText(), /Choose Model/);
    const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    assert.ok(rows.some((row) => /Disable Completions for typescript/.test(row)), rows.join(' | '));
    await shot(page, 'status-menu.png');
    await page.keyboard.press('Escape');
    assert.match(await statusText(page), /demo model/, 'still on');

    // The walkthrough, from the command palette.
    await runCommand(page, 'Welcome: Open Walkthrough');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('Get started with Hearth');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Get started with Hearth"]', { timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.getByText('Choose a model').first().waitFor({ timeout: 20_000 });
    await page.getByText('See a completion').first().waitFor();
    await page.getByText('Try Explain').first().waitFor();
    await page.locator('.getting-started-media img').first().waitFor({ timeout: 20_000 });
    await shot(page, 'walkthrough.png');
    await runCommand(page, 'View: Close Editor');

    // A GGUF file in the workspace, inspected from the Explorer's context menu before it is used (Select Model File).
    const explorerRow = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'tiny-code-draft-q8_0.gguf' }).first();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'models' }).first().click();
    await explorerRow.waitFor({ timeout: 10_000 });
    await explorerRow.click({ button: 'right' });
    await page.locator('.context-view .action-label', { hasText: 'Select Model File (GGUF)' }).first().hover();
    await page.keyboard.press('Enter'); // the hovered item (a click on the label alone does not reach the menu's handler)
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const described = await dialog.innerText();
    assert.match(described, /tiny-code-draft-q8_0\.gguf/);
    assert.match(described, /fill-in-the-middle: yes/);
    assert.match(described, /memory in Hearth: \d+ MiB/);
    await shot(page, 'sideload-info.png');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // Choose Model: the catalogue, then a download with its progress in a notification, then the model in use.
    await runCommand(page, 'Hearth: Choose Model');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Qwen2.5-Coder 7B"]', { timeout: 10_000 });
    const catalogueRows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    assert.ok(catalogueRows.some((row) => /recommended for this machine/.test(row)), catalogueRows.join(' | '));
    await shot(page, 'choose-model.png');
    await page.keyboard.type('Qwen2.5-Coder 0.5B');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Qwen2.5-Coder 0.5B"]', { timeout: 10_000 });
    await page.keyboard.press('Enter');
    const progress = page.locator('.notifications-toasts', { hasText: /downloading Qwen2\.5-Coder 0\.5B/ });
    await progress.waitFor({ state: 'visible', timeout: 30_000 });
    await page
      .locator('.notifications-toasts', { hasText: /[1-9]\d* % of [\d.]+ MB — [\d.]+ MiB\/s/ })
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(async (error: Error) => {
        // (Seen once in a fresh clone's run, not reproduced: say what the hub and the page show.)
        const toasts = await page.locator('.notifications-toasts').allInnerTexts();
        throw new Error(`${error.message}\nhub: ${hub.blobRequests.length} blob requests, ${hub.blobBytesSent} bytes sent; toasts: ${JSON.stringify(toasts)}; status: ${await statusText(page)}`);
      });
    // The status bar shows it too.
    await page.locator('.statusbar-item', { hasText: /downloading Qwen2\.5-Coder 0\.5B.*\d+ %/ }).first().waitFor({ timeout: 10_000 });
    await shot(page, 'download-progress.png');
    const switched = Date.now() + 60_000;
    while (/demo model/.test(await statusText(page)) && Date.now() < switched) await new Promise((resolve) => setTimeout(resolve, 250));
    await page.waitForSelector(`${statusItem} .codicon-flame`, { timeout: 60_000 });
    assert.doesNotMatch(await statusText(page), /demo model/, 'the status no longer says demo model');
    assert.ok(hub.blobRequests.length > 0, 'downloaded from the hub hearth.modelHub names');

    // Ghost text from the downloaded model.
    await goToLine(page, 'math.ts');
    await goToLine(page, ':11:3');
    await page.keyboard.type('return ', { delay: 60 });
    const ghost = page.locator('.ghost-text-decoration, .ghost-text-decoration-preview').first();
    await ghost.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
      await page.keyboard.press('Alt+Backslash'); // editor.action.inlineSuggest.trigger
      await ghost.waitFor({ state: 'visible', timeout: 20_000 });
    });
    await page.locator(statusItem).first().hover();
    await page.getByText('Hearth — qwen2.5-coder-0.5b-q8_0.gguf ready').first().waitFor({ timeout: 10_000 }); // its tooltip
    await shot(page, 'ghost-text-downloaded-model.png');
    console.log('screenshots: test-results/status-menu.png, walkthrough.png, sideload-info.png, choose-model.png, download-progress.png, ghost-text-downloaded-model.png');
    assert.ok(!consoleLines.some((line) => /hearth.*(crash|stopped unexpectedly)/i.test(line)), 'no server crash in the log');
  } catch (error) {
    await shot(page, 'first-run-failure.png').catch(() => undefined);
    // The notification centre holds what the toasts no longer show.
    await runCommand(page, 'Notifications: Show Notifications').catch(() => undefined);
    await shot(page, 'first-run-failure-notifications.png').catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
    await server.stop();
    await hub.stop();
  }
});
