// Headless Debian Chromium for driving code-server (playwright-core; no browser download).
import { type Browser, chromium, type Page } from 'playwright-core';
import { copyWorkspace as copyWorkspaceFrom, type CodeServer, type CodeServerOptions, startCodeServer as start } from '../../tools/src/codeServer';
import { repoRoot } from '../support/paths';

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
