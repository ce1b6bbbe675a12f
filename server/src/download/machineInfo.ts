// What this machine offers a model — memory, performance cores, the GPU llama.cpp would use and its free memory —
// for Choose Model's recommendation (hearth/machine). The GPU is asked of llama.cpp itself, once per gpu setting.
import { freemem, totalmem } from 'node:os';
import type { MachineInfo } from '../../../common/protocol';
import type { GpuSetting } from '../../../common/settings';
import type { Logger } from '../logger';
import { createLlama } from '../model/llamaRuntime';

const gpus = new Map<GpuSetting, Promise<MachineInfo['gpu']>>();

export async function readMachineInfo(gpu: GpuSetting, performanceCores: number, log: Logger): Promise<MachineInfo> {
  let found = gpus.get(gpu);
  if (!found) {
    found = gpuOf(gpu, log);
    gpus.set(gpu, found);
  }
  return { totalBytes: totalmem(), freeBytes: freemem(), performanceCores, gpu: await found };
}

async function gpuOf(gpu: GpuSetting, log: Logger): Promise<MachineInfo['gpu']> {
  if (gpu === 'off') return undefined;
  try {
    const llama = await createLlama(gpu, 1, log);
    if (llama.gpu === false) return undefined;
    const vram = await llama.getVramState();
    return { type: String(llama.gpu), freeBytes: vram.free };
  } catch (error) {
    log.warn(`Could not ask llama.cpp for the GPU: ${(error as Error).message}`);
    return undefined;
  }
}
