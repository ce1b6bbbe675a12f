import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseThreadCount, CpuLoadMeter, maxAutoThreads, threadsForLoad } from '../../server/src/model/threadCount';

test('auto leaves half the cores to the editor, with at least one thread', () => {
  assert.equal(chooseThreadCount(0, 1), 1);
  assert.equal(chooseThreadCount(0, 2), 1);
  assert.equal(chooseThreadCount(0, 8), 4);
  assert.equal(chooseThreadCount(0, 64), maxAutoThreads);
});

test('an explicit setting is used as given', () => {
  assert.equal(chooseThreadCount(6, 2), 6);
});

test('under load, threads give way to the cores other processes keep busy', () => {
  assert.equal(threadsForLoad(4, 8, 0), 4);
  assert.equal(threadsForLoad(4, 8, 5), 3);
  assert.equal(threadsForLoad(4, 8, 7.9), 1);
  assert.equal(threadsForLoad(1, 2, 1), 1);
  assert.equal(threadsForLoad(4, 8, 4.1), 4, 'a sliver of load does not cost a thread');
});

test('the load meter counts other processes, not this one', () => {
  const samples = [
    { systemBusyMs: 0, ownBusyMs: 0, at: 0 },
    { systemBusyMs: 100, ownBusyMs: 100, at: 50 }, // too short an interval to tell
    { systemBusyMs: 1500, ownBusyMs: 500, at: 1000 }, // 1.5 cores busy, 0.5 of them ours
  ];
  const meter = new CpuLoadMeter(() => samples.shift()!);
  assert.equal(meter.otherBusyCores(), undefined);
  assert.equal(meter.otherBusyCores(), 1);
});
