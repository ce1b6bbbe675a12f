// The client's inline middleware (client/src/inlineMiddleware.ts) over fake callbacks: the race between the answer and
// its streamed first line, cancellation by VS Code and by a keystroke, the re-trigger for the whole answer, and
// answers that crossed a keystroke.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Cancellation, inlineMiddleware, type ProvidedCompletions } from '../../client/src/inlineMiddleware';

class Token implements Cancellation {
  isCancellationRequested = false;
  private listeners: Array<() => void> = [];
  onCancellationRequested(listener: () => void) {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }
  cancel() {
    if (this.isCancellationRequested) return;
    this.isCancellationRequested = true;
    for (const listener of this.listeners) listener();
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

type Result = string[];
const tick = () => new Promise((resolve) => setImmediate(resolve));

function setup(options: { enabled?: boolean; nextEditAt?: (uri: string, version: number, position: number) => string | undefined } = {}) {
  const document = { version: 4, languageId: 'typescript' };
  const provided: ProvidedCompletions[] = [];
  const retriggers: Array<{ version: number; cancelled: boolean }> = [];
  const requestTokens: Token[] = [];
  let disposedSources = 0;
  let editListener: ((same: boolean, changes: number) => void) | undefined;
  let editListenerDisposed = false;
  const firstLine = deferred<string | undefined>();
  const answer = deferred<Result>();
  const middleware = inlineMiddleware<typeof document, number, undefined, Result, Token>({
    uriOf: () => 'file:///a.ts',
    languageEnabled: () => options.enabled ?? true,
    newCancellation: () => {
      const token = new Token();
      requestTokens.push(token);
      return { token, cancel: () => token.cancel(), dispose: () => void disposedSources++ };
    },
    firstLine: (_uri, _version, _position, token) => {
      const line = Promise.race([firstLine.promise, new Promise<undefined>((resolve) => token.onCancellationRequested(() => resolve(undefined)))]);
      return { line, dispose() {} };
    },
    onEdit: (_document, listener) => {
      editListener = listener;
      return { dispose: () => void (editListenerDisposed = true) };
    },
    retriggerIfUnchanged: (_document, _position, version, token) => void retriggers.push({ version, cancelled: token.isCancellationRequested }),
    nextEditAt: options.nextEditAt,
    firstLineResult: (text) => [`first:${text}`],
    textsOf: (result) => result ?? [],
    provided: (event) => void provided.push(event),
  });
  const vsCode = new Token();
  const next = (_d: unknown, _p: number, _c: undefined, token: Token) => {
    assert.notEqual(token, vsCode, 'the server request runs under its own token');
    return answer.promise;
  };
  const run = () => middleware(document, 7, undefined, vsCode, next);
  return { document, provided, retriggers, requestTokens, firstLine, answer, vsCode, run, edit: (same: boolean, changes: number) => editListener?.(same, changes), editListenerDisposed: () => editListenerDisposed, disposedSources: () => disposedSources };
}

test('a language switched off: nothing asked, and the event says so', async () => {
  const s = setup({ enabled: false });
  assert.deepEqual(await s.run(), []);
  assert.equal(s.requestTokens.length, 0);
  assert.deepEqual(s.provided, [{ uri: 'file:///a.ts', texts: [], source: 'disabled' }]);
});

test('the answer before any first line: shown as the server sent it', async () => {
  const s = setup();
  const shown = s.run();
  s.answer.resolve(['a + b']);
  assert.deepEqual(await shown, ['a + b']);
  assert.deepEqual(s.provided, [{ uri: 'file:///a.ts', texts: ['a + b'], source: 'server' }]);
  assert.equal(s.retriggers.length, 0);
  assert.equal(s.disposedSources(), 1);
});

test('the first line wins the race: shown at once; the whole answer then re-triggers VS Code where the user still is', async () => {
  const s = setup();
  const shown = s.run();
  s.firstLine.resolve('const s = a + b;');
  assert.deepEqual(await shown, ['first:const s = a + b;']);
  assert.deepEqual(s.provided, [{ uri: 'file:///a.ts', texts: ['const s = a + b;'], source: 'firstLine' }]);
  s.vsCode.cancel(); // VS Code cancels its request once the item is shown; the rest must go on
  assert.equal(s.requestTokens[0]!.isCancellationRequested, false, 'VS Code no longer governs the request after the first line');
  s.edit(false, 1);
  assert.equal(s.requestTokens[0]!.isCancellationRequested, false, 'an edit in another document does not end it');
  s.answer.resolve(['const s = a + b;\nreturn s;']);
  await tick();
  assert.deepEqual(s.retriggers, [{ version: 4, cancelled: false }]);
  assert.equal(s.editListenerDisposed(), true);
  assert.equal(s.disposedSources(), 1);
});

test('a keystroke after the first line is shown ends the request for the rest: the re-trigger sees it cancelled', async () => {
  const s = setup();
  const shown = s.run();
  s.firstLine.resolve('const s = a + b;');
  await shown;
  s.edit(true, 0);
  assert.equal(s.requestTokens[0]!.isCancellationRequested, false, 'a change without content (a save) does not');
  s.edit(true, 1);
  assert.equal(s.requestTokens[0]!.isCancellationRequested, true);
  s.answer.resolve([]);
  await tick();
  assert.deepEqual(s.retriggers, [{ version: 4, cancelled: true }], 'the re-trigger decision sees the cancellation (inlineDecisions.retriggerForWhole)');
});

test('VS Code cancels before anything arrived: the server request is cancelled with it, and nothing is shown', async () => {
  const s = setup();
  const shown = s.run();
  s.vsCode.cancel();
  assert.equal(s.requestTokens[0]!.isCancellationRequested, true, 'cancellation reaches the server request');
  s.answer.resolve(['late']);
  assert.deepEqual(await shown, []);
  assert.deepEqual(s.provided, []);
});

test('an answer or a first line that crossed a keystroke on the wire is never shown', async () => {
  const s = setup();
  const shown = s.run();
  s.document.version = 5;
  s.firstLine.resolve('stale line');
  s.answer.resolve(['stale answer']);
  assert.deepEqual(await shown, []);
  assert.deepEqual(s.provided, []);
  assert.equal(s.retriggers.length, 0);
});

test('a failed server request fails the provider (the language client logs it); the first line wait does not hang', async () => {
  const s = setup();
  const shown = s.run();
  s.answer.reject(new Error('server gone'));
  await assert.rejects(shown, /server gone/);
});

test('a next edit that inserts at this very cursor is the ghost text: shown without asking the server', async () => {
  const asked: Array<[string, number, number]> = [];
  const s = setup({ nextEditAt: (uri, version, position) => (asked.push([uri, version, position]), version === 4 && position === 7 ? ';' : undefined) });
  assert.deepEqual(await s.run(), ['first:;']);
  assert.equal(s.requestTokens.length, 0, 'the server is not asked');
  assert.deepEqual(asked, [['file:///a.ts', 4, 7]]);
  assert.deepEqual(s.provided, [{ uri: 'file:///a.ts', texts: [';'], source: 'nextEdit' }]);
  // Elsewhere (another version): the server's completion as usual.
  const other = setup({ nextEditAt: () => undefined });
  const running = other.run();
  other.answer.resolve(['x']);
  assert.deepEqual(await running, ['x']);
});
