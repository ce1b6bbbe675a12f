// The remote engine as a user meets it in a real VS Code (code-server + Chromium): with hearth.engine "remote" and a
// llama-server on 127.0.0.1 as hearth.remote.url, Hearth first asks (a modal saying what would be sent) and sends
// nothing before the answer; after "Send to This Server" the status item names the server, and typing brings ghost
// text from llama-server. Screenshots: test-results/remote-consent.png, remote-ghost-text.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { llamaServerBinary, startLlamaServer } from '../../tools/src/llamaServer';
import { targetModelPath } from '../support/paths';
import { collectConsole, copyWorkspace, goToLine, launchBrowser, packageVsix, resultsDir, startCodeServer } from './browser';

const statusItem = '.right-items .statusbar-item:has-text("Hearth")';

async function slotsUsed(url: string): Promise<number> {
  const slots = (await (await fetch(`${url}/slots`)).json()) as Array<{ id_task?: number }>;
  return slots.filter((slot) => slot.id_task !== undefined && slot.id_task >= 0).length;
}

test('remote engine: asked once before anything is sent, then ghost text from llama-server', async () => {
  const llama = await startLlamaServer(llamaServerBinary(), { model: targetModelPath, slots: 1 });
  const server = await startCodeServer({
    vsix: packageVsix('hearth-remote.vsix'),
    settings: { 'hearth.threads': 1, 'hearth.logLevel': 'debug', 'hearth.engine': 'remote', 'hearth.remote.url': llama.url, 'hearth.fimOrder': 'spm' },
  });
  const workspace = copyWorkspace();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleLines = collectConsole(page);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await goToLine(page, 'math.ts');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 120_000 }).catch(async (error: Error) => {
      // Seen once in a fresh clone's full run, not reproduced: keep what the page showed and said.
      mkdirSync(resultsDir, { recursive: true });
      await page.screenshot({ path: join(resultsDir, 'remote-consent-missing.png') }).catch(() => undefined);
      throw new Error(`${error.message}\nthe page's console (last 40 lines):\n${consoleLines.slice(-40).join('\n')}`);
    });
    const said = await dialog.innerText();
    assert.match(said, new RegExp(`Send code to ${llama.url.replace(/[.:/]/g, '\\$&')}\\?`));
    assert.match(said, /text around the cursor/);
    assert.match(said, /\[REDACTED\]/);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'remote-consent.png') });
    assert.equal(await slotsUsed(llama.url), 0, 'nothing was sent before the answer');

    await page.getByRole('button', { name: 'Send to This Server' }).click();
    await page.waitForSelector(`${statusItem} .codicon-flame`, { timeout: 60_000 }); // ready: the remote engine answered its probe
    await goToLine(page, ':11:3');
    await page.keyboard.type('return ', { delay: 60 });
    const ghost = page.locator('.ghost-text-decoration, .ghost-text-decoration-preview').first();
    await ghost.waitFor({ state: 'visible', timeout: 60_000 });
    await page.screenshot({ path: join(resultsDir, 'remote-ghost-text.png') });
    assert.ok((await slotsUsed(llama.url)) >= 1, 'the completion came from llama-server');
  } finally {
    await browser.close();
    await server.stop();
    await llama.stop();
  }
});
