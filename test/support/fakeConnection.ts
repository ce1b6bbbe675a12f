// A stand-in for the LSP connection a feature registers its handlers on: requests and notifications are called by
// method name, what the feature sends is recorded, and workspace/configuration answers from a map.
import type { CancellationToken } from 'vscode-languageserver/node';

type Handler = (params: unknown, token: CancellationToken) => unknown;

export const neverCancelled: CancellationToken = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

export class FakeConnection {
  readonly requests = new Map<string, Handler>();
  readonly notifications = new Map<string, Handler>();
  readonly sent: Array<{ method: string; params: unknown }> = [];
  readonly registered: unknown[] = [];
  configuration: Record<string, unknown> = {};
  configurationChanged: ((change: { settings: unknown }) => void) | undefined;
  inlineCompletion: Handler | undefined;

  onRequest(type: { method: string } | string, handler: Handler): { dispose(): void } {
    this.requests.set(typeof type === 'string' ? type : type.method, handler);
    return { dispose() {} };
  }

  onNotification(type: { method: string } | string, handler: Handler): { dispose(): void } {
    this.notifications.set(typeof type === 'string' ? type : type.method, handler);
    return { dispose() {} };
  }

  sendNotification(type: { method: string } | string, params?: unknown): Promise<void> {
    this.sent.push({ method: typeof type === 'string' ? type : type.method, params });
    return Promise.resolve();
  }

  onDidChangeConfiguration(handler: (change: { settings: unknown }) => void): { dispose(): void } {
    this.configurationChanged = handler;
    return { dispose() {} };
  }

  readonly workspace = {
    getConfiguration: async (item: { section?: string }) => this.configuration[item.section ?? ''] ?? null,
  };

  readonly client = {
    register: async (_type: unknown, options: unknown) => {
      this.registered.push(options);
      return { dispose() {} };
    },
  };

  readonly languages = {
    inlineCompletion: {
      on: (handler: Handler) => {
        this.inlineCompletion = handler;
        return { dispose() {} };
      },
    },
  };

  /** Calls the handler the feature registered for `method`, as the client's request would. */
  async request<R>(method: string, params: unknown, token = neverCancelled): Promise<R> {
    const handler = this.requests.get(method);
    if (!handler) throw new Error(`no handler for ${method}`);
    return (await handler(params, token)) as R;
  }

  notify(method: string, params: unknown): void {
    const handler = this.notifications.get(method);
    if (!handler) throw new Error(`no handler for ${method}`);
    handler(params, neverCancelled);
  }
}
