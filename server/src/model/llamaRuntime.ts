// Obtains llama.cpp through node-llama-cpp: prebuilt binaries only, never a download or a build at run time.
import type { Llama } from 'node-llama-cpp';
import type { GpuSetting } from '../../../common/settings';
import { ModelError } from '../errors';
import type { Logger } from '../logger';

// node-llama-cpp is ESM with top-level await: it can only be loaded with import(), never require().
export type NodeLlamaCpp = typeof import('node-llama-cpp');

let modulePromise: Promise<NodeLlamaCpp> | undefined;
let cpuFallbackLogged = false;
/** llama.cpp's latest error lines: its reason for refusing a file is logged, not thrown ("Failed to load model"). */
const recentErrors: string[] = [];

/** The error lines llama.cpp logged since the last call (the latest last), and forgets them. */
export function takeLlamaErrors(): string[] {
  return recentErrors.splice(0);
}

export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= import('node-llama-cpp');
  return modulePromise;
}

export async function createLlama(gpu: GpuSetting, maxThreads: number, log: Logger): Promise<Llama> {
  const lib = await loadNodeLlamaCpp();
  try {
    const llama = await lib.getLlama({
      build: 'never',
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
      gpu: gpu === 'off' ? false : 'auto',
      maxThreads,
      logLevel: lib.LlamaLogLevel.warn,
      logger: (level, message) => {
        const line = message.trimEnd();
        if (!line) return;
        if (level === lib.LlamaLogLevel.error || level === lib.LlamaLogLevel.fatal) {
          recentErrors.push(line);
          if (recentErrors.length > 8) recentErrors.shift();
          log.error(`llama.cpp: ${line}`);
        }
        else if (level === lib.LlamaLogLevel.warn) log.warn(`llama.cpp: ${line}`);
        else log.debug(`llama.cpp: ${line}`);
      },
    });
    // 'auto' tries the GPU builds that ship (Vulkan, Metal) and falls back to the CPU where none loads: say so once.
    if (gpu === 'auto' && llama.gpu === false && !cpuFallbackLogged) {
      cpuFallbackLogged = true;
      log.info('No GPU build of llama.cpp loads on this machine (no usable GPU or driver): running on the CPU.');
    }
    return llama;
  } catch (error) {
    if (error instanceof lib.NoBinaryFoundError) {
      throw new ModelError(
        'noRuntime',
        `No llama.cpp binary for ${process.platform}-${process.arch} ships with this build of Hearth. Install the Hearth package made for this platform.`,
        'showLog',
        String(error),
      );
    }
    throw error;
  }
}
