// How many threads llama.cpp may use. Its thread pool spins while waiting: on 2 busy cores the default made a
// 32-token infill take 23 s where 1 thread took 19 ms. Auto therefore leaves at least half the cores to the editor.

export const maxAutoThreads = 8;

export function chooseThreadCount(setting: number, logicalCores: number): number {
  if (setting > 0) return Math.floor(setting);
  return Math.max(1, Math.min(maxAutoThreads, Math.floor(logicalCores / 2)));
}
