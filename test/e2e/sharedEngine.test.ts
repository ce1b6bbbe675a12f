// Two VS Code windows (two projects in code-server, each with its own extension host and Hearth server) with the
// default settings (hearth.sharedEngine on): one engine process holds the model for both, and a person typing in either window sees
// ghost text from it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { lockHolder } from '../../server/src/lockFile';
import { collectConsole, copyWorkspace, goToLine, hearthProcesses, launchBrowser, packageVsix, resultsDir, startCodeServer } from './browser';

/** Opens src/math.ts of the window's project, waits for the model, and types into scale()'s empty body. */
async function typeInScale(page: Page): Promise<string> {
  await goToLine(page, 'math.ts');
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
  await page.waitForSelector('[id="hearth.hearth.status"] .codicon-flame, .statusbar-item .codicon-flame', { timeout: 120_000 });
  await goToLine(page, ':11:3');
  await page.keyboard.type('return ', { delay: 60 });
  await page.locator('.ghost-text-decoration, .ghost-text-decoration-preview').first().waitFor({ state: 'visible', timeout: 60_000 });
  const line = (await page.locator('.view-line', { has: page.locator('.ghost-text-decoration') }).first().innerText()).replace(/\u00a0/g, ' ');
  return line.slice(line.indexOf('return ') + 'return '.length);
}

test('two windows share one engine process, and each shows ghost text from it', { skip: process.platform !== 'linux' }, async () => {
  const server = await startCodeServer({ vsix: packageVsix('hearth-e2e-shared.vsix'), settings: { 'hearth.sharedEngineIdleMinutes': 0 } }); // hearth.sharedEngine: on by default
  const engineDir = join(server.stateDir, 'runtime', 'hearth');
  const browser = await launchBrowser();
  try {
    const pages: Page[] = [];
    const consoles: string[][] = [];
    for (const workspace of [copyWorkspace(), copyWorkspace()]) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      consoles.push(collectConsole(page));
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      pages.push(page);
    }
    const shown: string[] = [];
    for (const [i, page] of pages.entries()) {
      await page.bringToFront();
      shown.push(await typeInScale(page));
      await page.screenshot({ path: join(resultsDir, `shared-engine-window-${i + 1}.png`) });
    }
    console.log(`ghost text: ${JSON.stringify(shown)}`);
    assert.ok(shown.every((text) => text.trim().length > 0), 'ghost text in both windows');

    assert.equal(hearthProcesses('server.js').length, 2, 'a Hearth server per window');
    const engines = hearthProcesses('engine.js');
    assert.equal(engines.length, 1, `one engine for both: ${engines.join(', ')}`);
    const logs = readdirSync(engineDir).filter((name) => name.endsWith('.log'));
    assert.equal(logs.length, 1, `one engine log: ${logs.join(', ')}`);
    const log = readFileSync(join(engineDir, logs[0]!), 'utf8');
    assert.match(log, /connected; 2 window\(s\)/, 'the engine served both windows');
    const lock = readdirSync(engineDir).find((name) => name.endsWith('.lock'));
    assert.equal(lock && lockHolder(join(engineDir, lock)), engines[0], 'the engine holds its lock');
    assert.ok(!consoles.flat().some((line) => /hearth.*(crash|stopped unexpectedly)/i.test(line)), 'no server crash in the log');
  } finally {
    await browser.close();
    await server.stop(); // ends the engine too: it is detached from the windows, which must not end it by closing
  }
});
