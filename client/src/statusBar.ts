// The status bar item, driven by one state function: what it shows follows from the server's status and from
// whether completions are switched on, nothing else.
import * as vscode from 'vscode';
import type { ServerStatus } from '../../common/protocol';
import { bundledModelFile } from './statusMenu';

export type ClientStatus = ServerStatus | { state: 'disabled' | 'stopped'; message: string; action?: ServerStatus['action'] };

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hearth.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Hearth';
    this.setStatus({ state: 'loading', message: 'Starting…' });
    this.item.show();
  }

  setStatus(status: ClientStatus): void {
    const item = this.item;
    item.backgroundColor = undefined;
    switch (status.state) {
      case 'loading':
        item.text = '$(loading~spin) Hearth';
        item.command = 'hearth.showLog';
        break;
      case 'ready':
        item.text = status.model === bundledModelFile ? '$(flame) Hearth (demo model)' : '$(flame) Hearth';
        item.command = 'hearth.statusMenu';
        break;
      case 'generating':
        item.text = '$(sync~spin) Hearth';
        item.command = 'hearth.statusMenu';
        break;
      case 'disabled':
        item.text = '$(circle-slash) Hearth';
        item.command = 'hearth.statusMenu';
        break;
      case 'stopped':
      case 'error':
        item.text = '$(error) Hearth';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        item.command = status.action ?? 'hearth.showLog';
        break;
    }
    const fix = status.action ? `\n\nClick: ${actionTitles[status.action]}` : '';
    const demo = status.state === 'ready' && status.model === bundledModelFile ? '\n\nThe bundled demo model proves the plumbing; its suggestions are noise. Click: choose a real model.' : '';
    const engine = 'sharedEngine' in status && status.sharedEngine ? `\n\nRuns in your shared engine, used by ${status.sharedEngine.windows} window${status.sharedEngine.windows === 1 ? '' : 's'}.` : '';
    item.tooltip = `Hearth — ${status.message}${engine}${demo}${fix}`;
  }

  dispose(): void {
    this.item.dispose();
  }
}

const actionTitles: Record<NonNullable<ServerStatus['action']>, string> = {
  'hearth.selectModel': 'choose a model file',
  'hearth.restartServer': 'restart the server',
  'hearth.showLog': 'show the log',
};
