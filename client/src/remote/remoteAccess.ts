// Asks once per server before code is sent there, keeps the API key in VS Code's secret storage (never in settings),
// and tells the language server both after every start and every change.
import * as vscode from 'vscode';
import { settingsSection } from '../../../common/settings';
import { readSettings } from '../config';
import type { HearthServer } from '../serverClient';
import { apiKeySecretName, consentMessage, remoteAccessFor } from './remoteConsent';

const consentKey = 'hearth.remote.consentedUrls';

export class RemoteAccessManager implements vscode.Disposable {
  private readonly declined = new Set<string>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: HearthServer,
  ) {
    this.subscriptions.push(
      server.onDidStart(() => void this.sync()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${settingsSection}.engine`) || event.affectsConfiguration(`${settingsSection}.remote`)) void this.sync();
      }),
      context.secrets.onDidChange((event) => {
        if (event.key.startsWith('hearth.remote.apiKey')) void this.sync();
      }),
    );
  }

  /** Asks for (or clears) the API key of the configured server and stores it in secret storage. */
  async setApiKey(): Promise<void> {
    const url = readSettings().remote.url;
    if (url === '') {
      void vscode.window.showWarningMessage('Hearth: set hearth.remote.url first, then its API key.');
      return;
    }
    const key = await vscode.window.showInputBox({ title: `API key for ${url}`, prompt: 'Kept in VS Code’s secret storage, sent only to this server. Empty removes it.', password: true, ignoreFocusOut: true });
    if (key === undefined) return;
    if (key.trim() === '') await this.context.secrets.delete(apiKeySecretName(url));
    else await this.context.secrets.store(apiKeySecretName(url), key.trim());
    await this.sync();
  }

  /** Tells the server what it may do with the remote engine, asking the user first where they have not said. */
  async sync(): Promise<void> {
    const settings = readSettings();
    if (settings.engine !== 'remote' || settings.remote.url === '') return;
    const url = settings.remote.url;
    let consented = this.context.globalState.get<string[]>(consentKey, []);
    if (!consented.includes(url) && !this.declined.has(url)) {
      const { message, detail } = consentMessage(url);
      const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Send to This Server', 'Keep Local');
      if (choice === 'Send to This Server') {
        consented = [...consented, url];
        await this.context.globalState.update(consentKey, consented);
      } else {
        this.declined.add(url); // asked once this session; the status bar says what Hearth waits for
      }
    }
    const access = remoteAccessFor(settings, consented, await this.context.secrets.get(apiKeySecretName(url)));
    if (access) this.server.sendRemoteAccess(access);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
