// What a capability of the server is to the composition root: it reads the initialize request and says which LSP
// capabilities it adds, starts its background work once the client is ready, and lets go at shutdown. Each feature
// registers its own handlers when it is built; server.ts only builds the shared parts and hands them over.
import { type Connection, type InitializeParams, type InitializeResult, type ServerCapabilities, TextDocumentSyncKind, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export interface Feature {
  /** Reads what the client sent; returns the capabilities this feature adds (merged with the others'). */
  initialize?(params: InitializeParams): ServerCapabilities | void;
  /** The client is ready for requests from the server: register for notifications, start background work. */
  initialized?(): void;
  shutdown?(): Promise<void>;
}

/** Every feature's capabilities in one object; a later feature's key adds to (never silently drops) an earlier one's. */
export function mergeCapabilities(parts: readonly (ServerCapabilities | void)[]): ServerCapabilities {
  const merged: ServerCapabilities = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part ?? {})) {
      if (key in merged) throw new Error(`Two features declare the capability ${key}`);
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}

/**
 * Connects the features to LSP's lifecycle and starts listening; features are initialized in the order given. The
 * documents, when given, are synced incrementally for all of them.
 */
export function serveFeatures(
  connection: Pick<Connection, 'onInitialize' | 'onInitialized' | 'onShutdown' | 'listen'>,
  documents: Pick<TextDocuments<TextDocument>, 'listen'> | undefined,
  features: readonly Feature[],
  serverInfo: InitializeResult['serverInfo'],
): void {
  const sync: ServerCapabilities | undefined = documents && { textDocumentSync: TextDocumentSyncKind.Incremental };
  connection.onInitialize((params): InitializeResult => ({ capabilities: mergeCapabilities([sync, ...features.map((feature) => feature.initialize?.(params))]), serverInfo }));
  connection.onInitialized(() => {
    for (const feature of features) feature.initialized?.();
  });
  connection.onShutdown(async () => {
    await Promise.all(features.map((feature) => feature.shutdown?.()));
  });
  documents?.listen(connection as Connection);
  connection.listen();
}
