import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownedKey, ownerOf, SequenceSlots } from '../../server/src/model/sequenceSlots';

test('each document keeps its own sequence; the least recently used one is taken over when all are held', () => {
  const slots = new SequenceSlots(['s0', 's1']);
  assert.deepEqual(slots.acquire('a.ts'), { item: 's0', reassigned: true });
  assert.deepEqual(slots.acquire('b.ts'), { item: 's1', reassigned: true });
  assert.deepEqual(slots.acquire('a.ts'), { item: 's0', reassigned: false }, 'a.ts still has its KV state');
  assert.deepEqual(slots.acquire('c.ts'), { item: 's1', reassigned: true }, 'b.ts was used least recently');
  assert.equal(slots.holder('b.ts'), undefined);
  assert.equal(slots.holder('a.ts'), 's0');
});

test('the documents holding a sequence, the most recently used first', () => {
  const slots = new SequenceSlots(['s0', 's1', 's2']);
  assert.deepEqual(slots.held(), []);
  slots.acquire('a');
  slots.acquire('b');
  slots.acquire('a');
  assert.deepEqual(slots.held(), [
    { key: 'a', item: 's0' },
    { key: 'b', item: 's1' },
  ]);
});

test('a window warming its files never takes the sequence of the file another window is typing in', () => {
  const slots = new SequenceSlots(['s0', 's1', 's2']);
  slots.acquire(ownedKey(1, 'typed.ts')); // window 1 types here
  slots.acquire(ownedKey(2, 'a.ts'));
  slots.acquire(ownedKey(2, 'b.ts'));
  // Window 2 opens a third file: window 1's only document is the least recently used, but it is window 1's current one.
  assert.deepEqual(slots.acquire(ownedKey(2, 'c.ts')), { item: 's1', reassigned: true }, 'window 2 gives up its own older file');
  assert.equal(slots.holder(ownedKey(1, 'typed.ts')), 's0');
  // Window 2's current file is now c.ts; b.ts is the least recently used that may go.
  assert.deepEqual(slots.acquire(ownedKey(2, 'd.ts')), { item: 's2', reassigned: true });
  assert.equal(slots.holder(ownedKey(1, 'typed.ts')), 's0', 'still protected');
});

test('where every sequence holds an owner’s current document, the least recently used is taken after all', () => {
  const slots = new SequenceSlots(['s0', 's1']);
  slots.acquire(ownedKey(1, 'a.ts'));
  slots.acquire(ownedKey(2, 'b.ts'));
  assert.deepEqual(slots.acquire(ownedKey(3, 'c.ts')), { item: 's0', reassigned: true });
});

test('a window that went away frees its sequences, which the next documents take before anyone else’s', () => {
  const slots = new SequenceSlots(['s0', 's1', 's2']);
  slots.acquire(ownedKey(1, 'a.ts'));
  slots.acquire(ownedKey(2, 'x.ts'));
  slots.acquire(ownedKey(1, 'b.ts'));
  const released = slots.release((key) => ownerOf(key) === ownerOf(ownedKey(1, '')));
  assert.deepEqual(released, [
    { key: ownedKey(1, 'b.ts'), item: 's2' },
    { key: ownedKey(1, 'a.ts'), item: 's0' },
  ]);
  assert.equal(slots.holder(ownedKey(1, 'a.ts')), undefined);
  assert.deepEqual(slots.held(), [{ key: ownedKey(2, 'x.ts'), item: 's1' }]);
  assert.equal(slots.acquire(ownedKey(3, 'y.ts')).item === 's1', false, 'window 2’s document is not taken while freed ones exist');
  assert.equal(slots.holder(ownedKey(2, 'x.ts')), 's1');
});

test('a key names its owner; a window’s own engine’s keys have none', () => {
  assert.equal(ownerOf(ownedKey(12, 'file:///a|b.ts')), 'w12|');
  assert.equal(ownerOf('file:///work/a.ts'), '');
  assert.equal(ownerOf('w12-not-owned'), '');
});
