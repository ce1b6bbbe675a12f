// How many threads llama.cpp may use. Its thread pool spins while waiting: on 2 busy cores the default made a
// 32-token infill take 23 s where 1 thread took 19 ms. Auto therefore leaves at least half the cores to the editor,
// and before each request gives back the cores other processes are keeping busy (see CpuLoadMeter).
import { cpus } from 'node:os';

export const maxAutoThreads = 8;

export function chooseThreadCount(setting: number, logicalCores: number): number {
  if (setting > 0) return Math.floor(setting);
  return Math.max(1, Math.min(maxAutoThreads, Math.floor(logicalCores / 2)));
}

/**
 * Threads to use now: at most `ideal`, and no more than the cores other processes leave idle (a thread that has
 * to share its core with a busy process stalls every other thread of the pool at each step).
 */
export function threadsForLoad(ideal: number, logicalCores: number, otherBusyCores: number): number {
  const idleCores = logicalCores - Math.ceil(Math.max(0, otherBusyCores) - 0.25);
  return Math.max(1, Math.min(ideal, idleCores));
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
