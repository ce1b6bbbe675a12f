import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SequenceSlots } from '../../server/src/model/sequenceSlots';

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
