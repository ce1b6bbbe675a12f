import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withinDeadline } from '../../server/src/completion/advisoryStage';

const never = () => new Promise<string>(() => undefined);

test('an advisory stage gives its answer in time, and nothing when it fails, is late or the request is aborted', async () => {
  const live = new AbortController().signal;
  assert.equal(await withinDeadline(async () => 'advice', 1000, live), 'advice');
  assert.equal(await withinDeadline(async () => Promise.reject(new Error('broken grammar')), 1000, live), undefined);
  const started = performance.now();
  assert.equal(await withinDeadline(never, 30, live), undefined, 'a stage that never answers is left out');
  assert.ok(performance.now() - started < 1000, 'at its deadline, not later');
  const aborted = new AbortController();
  const pending = withinDeadline(never, 60_000, aborted.signal);
  aborted.abort();
  assert.equal(await pending, undefined, 'an aborted request stops waiting at once');
  assert.equal(await withinDeadline(async () => 'x', 1000, aborted.signal), undefined);
});
