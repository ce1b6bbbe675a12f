import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationTokenSource } from 'vscode-languageserver/node';
import { abortControllerFor } from '../../server/src/cancellation';
import type { ServerStatus } from '../../common/protocol';
import { RestartBackoff } from '../../client/src/restartBackoff';
import { ExclusiveLock, LockPriority } from '../../server/src/model/exclusiveLock';
import { ServerStatusReporter } from '../../server/src/serverStatus';
import { languageIdForPath } from '../../tools/src/languageIds';

test('restart backoff doubles after quick crashes, caps, and resets after a stable run', () => {
  let now = 1_000_000;
  const backoff = new RestartBackoff(1000, 8000, 60_000, () => now);
  backoff.started();
  assert.deepEqual([backoff.nextDelay(), backoff.nextDelay(), backoff.nextDelay(), backoff.nextDelay(), backoff.nextDelay()], [1000, 2000, 4000, 8000, 8000]);
  backoff.started();
  now += 61_000;
  assert.equal(backoff.nextDelay(), 1000);
});

test('the lock hands out the model in arrival order, one holder at a time', async () => {
  const lock = new ExclusiveLock();
  const order: string[] = [];
  const first = await lock.acquire();
  const second = lock.acquire().then((release) => {
    order.push('second');
    release();
  });
  const third = lock.acquire().then((release) => {
    order.push('third');
    release();
  });
  order.push('first');
  assert.equal(lock.waiting, 2, 'background work sees that others wait');
  first();
  await Promise.all([second, third]);
  assert.deepEqual(order, ['first', 'second', 'third']);
  assert.equal(lock.waiting, 0);
});

test('waiting completions go first (the focused window’s, then other windows’), then explain/refactor, then background warming', async () => {
  const lock = new ExclusiveLock();
  const order: string[] = [];
  const holder = await lock.acquire(LockPriority.instruct);
  const take = (name: string, priority: LockPriority) =>
    lock.acquire(priority).then((release) => {
      order.push(name);
      release();
    });
  const all = [
    take('warm', LockPriority.background),
    take('other window', LockPriority.otherWindow),
    take('explain', LockPriority.instruct),
    take('completion 1', LockPriority.completion),
    take('completion 2', LockPriority.completion),
  ];
  assert.equal(lock.waitingAtLeast(LockPriority.completion), 2);
  assert.equal(lock.waitingAtLeast(LockPriority.otherWindow), 3, 'explain sees that completions of any window wait and gives way');
  assert.equal(lock.waitingAtLeast(LockPriority.background), 5);
  let idle = false;
  const idled = lock.idle().then(() => (idle = true));
  holder();
  await Promise.all(all);
  await idled;
  assert.deepEqual(order, ['completion 1', 'completion 2', 'other window', 'explain', 'warm']);
  assert.ok(idle);
});

test('a request cancelled while it waits for the lock leaves the queue at once: it holds up no one, and no one gives way to it', async () => {
  const lock = new ExclusiveLock();
  const holder = await lock.acquire(LockPriority.background);
  const cancelled = new AbortController();
  const waiting = lock.acquireUnlessAborted(cancelled.signal);
  const next = lock.acquireUnlessAborted(new AbortController().signal);
  assert.equal(lock.waiting, 2);
  cancelled.abort();
  assert.equal(await waiting, undefined, 'the cancelled waiter gets no turn');
  assert.equal(lock.waiting, 1, 'background work sees only the live request waiting');
  holder();
  const release = await next;
  assert.ok(release, 'the live request gets the lock');
  release!();
  await lock.idle();
  // Already cancelled: no turn at all; granted before the abort: the caller holds it (and sees the abort itself).
  assert.equal(await lock.acquireUnlessAborted(AbortSignal.abort()), undefined);
  const late = new AbortController();
  const granted = await lock.acquireUnlessAborted(late.signal);
  late.abort();
  assert.ok(granted);
  assert.equal(lock.waiting, 0);
  granted!();
  await lock.idle();
});

test('status shows generating only while a ready model generates, and sends only changes', () => {
  const sent: ServerStatus[] = [];
  const reporter = new ServerStatusReporter((status) => sent.push(status));
  reporter.setModelState({ state: 'ready', message: 'tiny ready', model: 'tiny' });
  const end = reporter.beginGeneration();
  const endOther = reporter.beginGeneration();
  end();
  end();
  assert.equal(reporter.current().state, 'generating');
  endOther();
  assert.deepEqual(sent.map((s) => s.state), ['ready', 'generating', 'ready']);
  reporter.setModelState({ state: 'error', message: 'gone', action: 'chooseModel' });
  reporter.beginGeneration();
  assert.equal(reporter.current().state, 'error');
  assert.equal(reporter.current().action, 'hearth.selectModel', 'the remedy becomes the client command that offers it');
  reporter.setModelState({ state: 'error', message: 'see the log', action: 'showLog' });
  assert.equal(sent.at(-1)?.action, 'hearth.showLog');
  assert.equal(reporter.current().sharedEngine, undefined);
  reporter.setSharedEngine({ windows: 2, log: '/run/user/1/hearth/engine-k.log' });
  assert.deepEqual(sent.at(-1)?.sharedEngine, { windows: 2, log: '/run/user/1/hearth/engine-k.log' }, 'a change in the windows sharing the engine is sent');
  reporter.setSharedEngine(undefined);
  assert.equal('sharedEngine' in sent.at(-1)!, false);
});

test('language ids come from file extensions, plain text otherwise', () => {
  assert.equal(languageIdForPath('/a/b.tsx'), 'typescriptreact');
  assert.equal(languageIdForPath('x.PY'), 'python');
  assert.equal(languageIdForPath('README'), 'plaintext');
});

test('an LSP request’s cancellation aborts its work: later, at once if it came first, and not after dispose', () => {
  const later = new CancellationTokenSource();
  const linked = abortControllerFor(later.token);
  assert.equal(linked.controller.signal.aborted, false);
  later.cancel();
  assert.equal(linked.controller.signal.aborted, true);

  const early = new CancellationTokenSource();
  early.cancel();
  assert.equal(abortControllerFor(early.token).controller.signal.aborted, true, 'cancelled before the handler ran');

  const disposed = new CancellationTokenSource();
  const done = abortControllerFor(disposed.token);
  done.dispose();
  disposed.cancel();
  assert.equal(done.controller.signal.aborted, false, 'a finished request is not aborted afterwards');
});
