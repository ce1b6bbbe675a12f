import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupCorpus, RecentCompletions } from '../../server/src/model/lookupCorpus';

test('the prompt comes last, after other files and recent completions', () => {
  const recent = new RecentCompletions<number>();
  recent.add([7, 8]);
  recent.add([9]);
  assert.deepEqual(lookupCorpus([1, 2, 3], recent, [4, 5]), [4, 5, 7, 8, 9, 1, 2, 3]);
});

test('recent completions keep the newest within their item and token limits', () => {
  const recent = new RecentCompletions<number>(2, 5);
  recent.add([1, 2]);
  recent.add([3, 4]);
  recent.add([5]);
  assert.deepEqual(recent.tokens(), [3, 4, 5], 'two items at most');
  recent.add([6, 7, 8, 9]);
  assert.deepEqual(recent.tokens(), [5, 6, 7, 8, 9]);
  recent.add([10, 11]);
  assert.deepEqual(recent.tokens(), [10, 11], 'five tokens at most');
  recent.add([]);
  assert.deepEqual(recent.tokens(), [10, 11], 'an empty completion adds nothing');
});
