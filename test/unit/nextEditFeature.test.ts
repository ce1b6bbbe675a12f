import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Logger } from '../../server/src/logger';
import { maxTrackedChars, nextEditFeature } from '../../server/src/nextEdit/nextEditFeature';

const log = new Logger({ error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined });

/** Documents whose text reads are counted, and the events the feature listens to. */
function fakeDocuments() {
  const listeners: Record<string, Array<(event: { document: TextDocument }) => void>> = { open: [], change: [], close: [] };
  let reads = 0;
  const docs = new Map<string, TextDocument>();
  const make = (uri: string, version: number, text: string) =>
    ({ uri, version, languageId: 'typescript', getText: () => (reads++, text), offsetAt: () => 0 }) as unknown as TextDocument;
  return {
    parts: {
      get: (uri: string) => docs.get(uri),
      onDidOpen: (listener: (event: { document: TextDocument }) => void) => listeners.open!.push(listener),
      onDidChangeContent: (listener: (event: { document: TextDocument }) => void) => listeners.change!.push(listener),
      onDidClose: (listener: (event: { document: TextDocument }) => void) => listeners.close!.push(listener),
    },
    emit(kind: 'open' | 'change', uri: string, version: number, text: string) {
      const document = make(uri, version, text);
      docs.set(uri, document);
      for (const listener of listeners[kind]!) listener({ document });
    },
    get reads() {
      return reads;
    },
  };
}

test('next edits off: no document is read at a keystroke, and a request says they are off', async () => {
  const documents = fakeDocuments();
  let on = false;
  let handler!: (params: unknown, token: unknown) => Promise<{ suggestion: unknown; reason?: string }>;
  nextEditFeature({
    connection: { onRequest: ((_: unknown, h: typeof handler) => (handler = h)) as never },
    documents: documents.parts as never,
    enabled: () => on,
    model: async () => undefined,
    log,
  });
  documents.emit('open', 'file:///a.ts', 1, 'let a = 1;');
  documents.emit('change', 'file:///a.ts', 2, 'let a = 12;');
  assert.equal(documents.reads, 0, 'nothing read while next edits are off');
  const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) };
  assert.match((await handler({ uri: 'file:///a.ts', version: 2, position: { line: 0, character: 0 } }, token)).reason ?? '', /off/);

  on = true;
  documents.emit('change', 'file:///a.ts', 3, 'let a = 123;');
  assert.equal(documents.reads, 1, 'on: the text is read to keep the history');
  // With no model the request says so (the history is there).
  assert.match((await handler({ uri: 'file:///a.ts', version: 3, position: { line: 0, character: 0 } }, token)).reason ?? '', /No next-edit model/);
  // A document too large to split at every keystroke keeps no history.
  documents.emit('change', 'file:///a.ts', 4, 'x'.repeat(maxTrackedChars + 1));
  assert.match((await handler({ uri: 'file:///a.ts', version: 4, position: { line: 0, character: 0 } }, token)).reason ?? '', /too large/);
});
