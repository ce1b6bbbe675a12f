// Starts, stops and restarts the Hearth language server. A server that dies is restarted with backoff; its
// status notifications are passed on to whoever shows them.
import * as vscode from 'vscode';
import {
  CloseAction,
  type CloseHandlerResult,
  ErrorAction,
  type ErrorHandlerResult,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { type ServerStatus, ServerStatusNotification } from '../../common/protocol';
import { isLanguageEnabled } from '../../common/settings';
import { readSettings } from './config';
import { RestartBackoff } from './restartBackoff';
import type { ClientStatus } from './statusBar';

/** Inline completions VS Code received from the server, after the language client converted them. */
export interface ProvidedCompletions {
  uri: string;
  texts: string[];
  /** 'server' when the server was asked; 'disabled' when the settings switched completions off here. */
  source: 'server' | 'disabled';
}

export class HearthServer implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly providedEmitter = new vscode.EventEmitter<ProvidedCompletions>();
  readonly onDidProvideInlineCompletions = this.providedEmitter.event;
  private readonly backoff = new RestartBackoff();
  private restartTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    serverModule: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly onStatus: (status: ClientStatus) => void,
  ) {
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      outputChannel: log,
      middleware: {
        provideInlineCompletionItems: async (document, position, context, token, next) => {
          // Decided here, from settings VS Code already holds: no round trip, and no race with the server's
          // own copy of the settings after a toggle.
          if (!isLanguageEnabled(readSettings(), document.languageId)) {
            this.providedEmitter.fire({ uri: document.uri.toString(), texts: [], source: 'disabled' });
            return [];
          }
          const version = document.version;
          const result = await next(document, position, context, token);
          // An answer that crossed a keystroke on the wire is for text the user no longer has: never show it.
          if (token.isCancellationRequested || document.version !== version) return [];
          const items = Array.isArray(result) ? result : (result?.items ?? []);
          const texts = items.map((item) => (typeof item.insertText === 'string' ? item.insertText : item.insertText.value));
          this.providedEmitter.fire({ uri: document.uri.toString(), texts, source: 'server' });
          return result;
        },
      },
      errorHandler: {
        error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue, handled: true }),
        closed: (): CloseHandlerResult => this.onServerClosed(),
      },
    };
    this.client = new LanguageClient('hearth', 'Hearth', serverOptions, clientOptions);
    this.client.onNotification(ServerStatusNotification.type, (status: ServerStatus) => this.onStatus(status));
  }

  async start(): Promise<void> {
    this.onStatus({ state: 'loading', message: 'Starting the server…' });
    this.backoff.started();
    try {
      await this.client.start();
    } catch (error) {
      this.log.error(`The Hearth server did not start: ${String(error)}`);
      this.onStatus({ state: 'stopped', message: 'The Hearth server did not start. See the log.', action: 'hearth.showLog' });
    }
  }

  async restart(): Promise<void> {
    clearTimeout(this.restartTimer);
    if (this.client.state === State.Running) await this.client.stop();
    await this.start();
  }

  private onServerClosed(): CloseHandlerResult {
    if (this.disposed) return { action: CloseAction.DoNotRestart, handled: true };
    const delay = this.backoff.nextDelay();
    const seconds = Math.round(delay / 1000);
    this.log.warn(`The Hearth server stopped unexpectedly; restarting in ${seconds} s.`);
    this.onStatus({ state: 'stopped', message: `The server stopped unexpectedly; restarting in ${seconds} s.`, action: 'hearth.restartServer' });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.start(), delay);
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  dispose(): void {
    this.disposed = true;
    this.providedEmitter.dispose();
    clearTimeout(this.restartTimer);
    void this.client.stop().catch(() => undefined);
  }
}
