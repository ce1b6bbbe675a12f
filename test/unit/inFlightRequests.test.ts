import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlightRequests } from '../../server/src/completion/inFlightRequests';

test('a request for one document ends those for others; it waits behind its own document’s previous one at most', () => {
  const inFlight = new InFlightRequests();
  const a1 = new AbortController();
  const first = inFlight.admit('a', a1);
  assert.equal(first.ahead, 0);
  const a2 = new AbortController();
  const second = inFlight.admit('a', a2);
  assert.equal(second.ahead, 1, 'the previous keystroke in the same document (it may be typed through)');
  assert.equal(a1.signal.aborted, false, 'the same document’s requests are the client’s to cancel');
  const b1 = new AbortController();
  const third = inFlight.admit('b', b1);
  assert.equal(a1.signal.aborted && a2.signal.aborted, true, 'the user moved to b: a’s requests end');
  assert.equal(third.ahead, 0);
  first.release();
  second.release();
  const b2 = new AbortController();
  assert.equal(inFlight.admit('b', b2).ahead, 1);
  third.release();
  assert.equal(inFlight.admit('c', new AbortController()).ahead, 0, 'released requests are not counted');
});
