// Headless Debian Chromium for driving code-server (playwright-core; no browser download).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { copyWorkspace as copyWorkspaceFrom, type CodeServer, type CodeServerOptions, startCodeServer as start } from '../../tools/src/codeServer';
import { repoRoot } from '../support/paths';

export const resultsDir = join(repoRoot, 'test-results');

/** Packages the extension as a user installs it (scripts/package.mjs) into test-results/<name>, at most 80 MB. */
export function packageVsix(name: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const vsix = join(resultsDir, name);
  execFileSync(process.execPath, [join(repoRoot, 'scripts/package.mjs'), '--out', vsix], { cwd: repoRoot, stdio: 'pipe' });
  const megabytes = statSync(vsix).size / 1024 / 1024;
  console.log(`packaged .vsix: ${megabytes.toFixed(1)} MB`);
  assert.ok(megabytes < 80, `the .vsix is ${megabytes.toFixed(1)} MB`);
  return vsix;
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title.replace(/"/g, '\\"')}"]`, { timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Quick Open: a file name, or `:LINE[:COLUMN]` in the active editor. */
export async function goToLine(page: Page, where: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(where);
  // A file name: wait for the search to list it (Enter on an empty list does nothing).
  // (The first file search of a session can take a while on a busy machine.)
  if (!where.startsWith(':')) await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget', { state: 'hidden' });
}

/** Opens `workspace` in code-server's workbench and `file` (a name Quick Open finds) in an editor. */
export async function openInWorkbench(page: Page, serverUrl: string, workspace: string, file: string): Promise<void> {
  await page.goto(`${serverUrl}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await goToLine(page, file);
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
}

export const testSettings = { 'hearth.threads': 1, 'hearth.logLevel': 'debug' };

export function startCodeServer(options: Omit<CodeServerOptions, 'repoRoot'> = {}): Promise<CodeServer> {
  return start({ repoRoot, settings: testSettings, ...options });
}

export const copyWorkspace = (): string => copyWorkspaceFrom(repoRoot);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Lines the page logged, Extension Host console lines included. */
export function collectConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (message) => lines.push(message.text()));
  return lines;
}

/** Processes of the installed extension whose command line ends in `script` (Linux /proc). */
export function hearthProcesses(script: 'server.js' | 'engine.js'): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((arg) => new RegExp(`hearth[^/]*/dist/${script.replace('.', '\\.')}$`).test(arg))) pids.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}
