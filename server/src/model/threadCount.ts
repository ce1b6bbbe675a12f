// How many threads llama.cpp may use. Its thread pool spins while waiting: on 2 busy cores the default made a
// 32-token infill take 23 s where 1 thread took 19 ms. Auto takes one thread per physical performance core, as
// llama.cpp's own default does (a hyper-thread shares its core's arithmetic units, and an efficiency core makes every
// step of the pool wait for it), less one core left to the editor; before each request it gives back the cores other
// processes are keeping busy (see CpuLoadMeter).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, platform } from 'node:os';
import type { Logger } from '../logger';

export const maxAutoThreads = 8;

export interface CpuTopology {
  logical: number;
  /** Physical cores (hyper-thread siblings counted once). */
  physical: number;
  /** Physical cores of the fastest kind (P-cores on hybrid Intel, big cores on Arm, Apple's performance level). */
  performance: number;
}

/**
 * The setting (0: auto). A set count is held to the logical cores: more threads than the CPU runs at once only make
 * the spinning pool wait (hearth.threads at its maximum, 256, kept a 2-core machine loading for minutes).
 */
export function chooseThreadCount(setting: number, cpu: CpuTopology): number {
  if (setting > 0) return Math.max(1, Math.min(Math.floor(setting), cpu.logical));
  return Math.max(1, Math.min(maxAutoThreads, cpu.performance - 1));
}

/** CPU numbers in the kernel's list format ("0-3,8,10-11"). */
export function parseCpuList(list: string): number[] {
  return list
    .trim()
    .split(',')
    .filter((part) => part !== '')
    .flatMap((part) => {
      const [from, to = from] = part.split('-').map(Number);
      return Array.from({ length: to! - from! + 1 }, (_, i) => from! + i);
    });
}

/**
 * Linux: physical cores from each CPU's core sibling list; performance cores from Intel's hybrid PMU list
 * (/sys/devices/cpu_core/cpus) or, on Arm, the CPUs of the highest capacity. `read` returns undefined for a missing file.
 */
export function linuxTopology(logical: number, read: (path: string) => string | undefined): CpuTopology {
  const cpuIds = Array.from({ length: logical }, (_, i) => i);
  const coreOf = (id: number) => read(`/sys/devices/system/cpu/cpu${id}/topology/core_cpus_list`) ?? read(`/sys/devices/system/cpu/cpu${id}/topology/thread_siblings_list`) ?? String(id);
  const coresAmong = (ids: number[]) => new Set(ids.map((id) => coreOf(id).trim())).size;
  const physical = coresAmong(cpuIds);
  let fast = cpuIds;
  const pCores = read('/sys/devices/cpu_core/cpus');
  if (pCores !== undefined) {
    fast = parseCpuList(pCores).filter((id) => id < logical);
  } else {
    const capacities = cpuIds.map((id) => Number(read(`/sys/devices/system/cpu/cpu${id}/cpu_capacity`) ?? Number.NaN));
    const highest = Math.max(...capacities);
    if (capacities.every((c) => !Number.isNaN(c))) fast = cpuIds.filter((id) => capacities[id] === highest);
  }
  return { logical, physical, performance: Math.max(1, coresAmong(fast)) };
}

export function readCpuTopology(): CpuTopology {
  const logical = Math.max(1, cpus().length);
  const fallback = { logical, physical: Math.max(1, Math.floor(logical / 2)), performance: Math.max(1, Math.floor(logical / 2)) };
  try {
    if (platform() === 'linux') {
      return linuxTopology(logical, (path) => {
        try {
          return readFileSync(path, 'utf8');
        } catch {
          return undefined;
        }
      });
    }
    if (platform() === 'darwin') {
      const sysctl = (name: string) => Number(execFileSync('sysctl', ['-n', name], { encoding: 'utf8', timeout: 2000 }).trim());
      const physical = sysctl('hw.physicalcpu');
      let performance = physical;
      try {
        performance = sysctl('hw.perflevel0.physicalcpu'); // Apple silicon: its performance cores
      } catch {
        // Intel Macs have one kind of core.
      }
      return { logical, physical, performance };
    }
  } catch {
    // Unreadable: assume two hyper-threads per core, as most desktop CPUs have.
  }
  return fallback;
}

/**
 * Threads to use now: at most `ideal`, and no more than the cores other processes leave idle (a thread that has
 * to share its core with a busy process stalls every other thread of the pool at each step).
 */
export function threadsForLoad(ideal: number, logicalCores: number, otherBusyCores: number): number {
  const idleCores = logicalCores - Math.ceil(Math.max(0, otherBusyCores) - 0.25);
  return Math.max(1, Math.min(ideal, idleCores));
}

/**
 * Gives back threads whose cores other processes are using, and takes them again once those are idle (auto threads
 * only: `threads` is undefined where the user set a count).
 */
export function fitThreadsToLoad(llama: { maxThreads: number }, threads: { ideal: number; meter: CpuLoadMeter } | undefined, log: Pick<Logger, 'debug'>, cores = availableParallelism()): void {
  const busy = threads?.meter.otherBusyCores();
  if (!threads || busy === undefined) return;
  const fitted = threadsForLoad(threads.ideal, cores, busy);
  if (fitted !== llama.maxThreads) {
    log.debug(`Threads ${llama.maxThreads} → ${fitted} (${busy.toFixed(1)} cores busy elsewhere)`);
    llama.maxThreads = fitted;
  }
}

interface CpuSample {
  /** Busy time of all cores together, ms. */
  systemBusyMs: number;
  /** Busy time of this process (all its threads), ms. */
  ownBusyMs: number;
  at: number;
}

/** Measures how many cores processes other than this one kept busy since the previous reading. */
export class CpuLoadMeter {
  private previous: CpuSample;

  constructor(private readonly sample: () => CpuSample = sampleCpu) {
    this.previous = this.sample();
  }

  /** Busy cores outside this process over the last interval; undefined when the interval is too short to tell. */
  otherBusyCores(minIntervalMs = 200): number | undefined {
    const now = this.sample();
    const elapsed = now.at - this.previous.at;
    if (elapsed < minIntervalMs) return undefined;
    const other = (now.systemBusyMs - this.previous.systemBusyMs - (now.ownBusyMs - this.previous.ownBusyMs)) / elapsed;
    this.previous = now;
    return Math.max(0, other);
  }
}

function sampleCpu(): CpuSample {
  let busy = 0;
  for (const cpu of cpus()) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  const own = process.cpuUsage();
  return { systemBusyMs: busy, ownBusyMs: (own.user + own.system) / 1000, at: performance.now() };
}
