import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseThreadCount, maxAutoThreads } from '../../server/src/model/threadCount';

test('auto leaves half the cores to the editor, with at least one thread', () => {
  assert.equal(chooseThreadCount(0, 1), 1);
  assert.equal(chooseThreadCount(0, 2), 1);
  assert.equal(chooseThreadCount(0, 8), 4);
  assert.equal(chooseThreadCount(0, 64), maxAutoThreads);
});

test('an explicit setting is used as given', () => {
  assert.equal(chooseThreadCount(6, 2), 6);
});
