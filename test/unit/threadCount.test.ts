import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseThreadCount, CpuLoadMeter, fitThreadsToLoad, linuxTopology, maxAutoThreads, parseCpuList, threadsForLoad } from '../../server/src/model/threadCount';

const cores = (logical: number, physical: number, performance = physical) => ({ logical, physical, performance });

test('auto takes one thread per performance core, less one for the editor, with at least one thread', () => {
  assert.equal(chooseThreadCount(0, cores(1, 1)), 1);
  assert.equal(chooseThreadCount(0, cores(2, 2)), 1, 'a 2-core VM');
  assert.equal(chooseThreadCount(0, cores(16, 8)), 7, 'an 8-core laptop with hyper-threads: siblings do not count');
  assert.equal(chooseThreadCount(0, cores(20, 14, 6)), 5, 'hybrid Intel, 6 P-cores and 8 E-cores: E-cores would slow every step');
  assert.equal(chooseThreadCount(0, cores(128, 64)), maxAutoThreads);
});

test('an explicit setting is used as given, up to the logical cores', () => {
  assert.equal(chooseThreadCount(6, cores(2, 2)), 2, 'a set count is held to the logical cores');
  assert.equal(chooseThreadCount(256, cores(16, 8)), 16);
  assert.equal(chooseThreadCount(3, cores(16, 8)), 3, 'within them it is taken as set');
});

test('Linux topology: hyper-thread siblings are one core; P-cores from the hybrid PMU list, else the highest capacity', () => {
  assert.deepEqual(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
  // 4 cores with 2 threads each: cpu i and i+4 are siblings.
  const ht = (path: string) => /cpu(\d+)\/topology\/core_cpus_list/.exec(path)?.[1] !== undefined ? `${Number(/cpu(\d+)\//.exec(path)![1]) % 4},${(Number(/cpu(\d+)\//.exec(path)![1]) % 4) + 4}` : undefined;
  assert.deepEqual(linuxTopology(8, ht), { logical: 8, physical: 4, performance: 4 });
  // Hybrid: P-cores 0-3 (siblings 0/1, 2/3), E-cores 4-7 (one thread each).
  const hybrid = (path: string) => {
    if (path === '/sys/devices/cpu_core/cpus') return '0-3';
    const id = Number(/cpu(\d+)\/topology\/core_cpus_list/.exec(path)?.[1] ?? Number.NaN);
    return Number.isNaN(id) ? undefined : id < 4 ? `${id - (id % 2)}-${id - (id % 2) + 1}` : String(id);
  };
  assert.deepEqual(linuxTopology(8, hybrid), { logical: 8, physical: 6, performance: 2 });
  // Arm big.LITTLE: capacities 1024 for the big cores.
  const arm = (path: string) => {
    const capacity = /cpu(\d+)\/cpu_capacity/.exec(path);
    return capacity ? (Number(capacity[1]) < 2 ? '1024' : '446') : undefined;
  };
  assert.deepEqual(linuxTopology(6, arm), { logical: 6, physical: 6, performance: 2 });
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

test('auto threads follow the load: fewer while other processes keep cores busy, all again once they are idle; a set count is left alone', () => {
  const llama = { maxThreads: 4 };
  let busy: number | undefined = 5;
  const meter = { otherBusyCores: () => busy } as unknown as CpuLoadMeter;
  const logged: string[] = [];
  const log = { debug: (line: string) => void logged.push(line) };
  fitThreadsToLoad(llama, { ideal: 4, meter }, log, 8);
  assert.equal(llama.maxThreads, 3);
  assert.match(logged[0] ?? '', /Threads 4 → 3/);
  busy = undefined; // too short an interval to tell: unchanged
  fitThreadsToLoad(llama, { ideal: 4, meter }, log, 8);
  assert.equal(llama.maxThreads, 3);
  busy = 0;
  fitThreadsToLoad(llama, { ideal: 4, meter }, log, 8);
  assert.equal(llama.maxThreads, 4);
  busy = 7;
  fitThreadsToLoad(llama, undefined, log, 8);
  assert.equal(llama.maxThreads, 4);
});
