// The fuzzer's child process: loads each model file it is sent the way the server does — Hearth's validation, then
// llama.cpp through node-llama-cpp — and evaluates a few tokens with it. A crash, a hang or a memory blow-up happens
// here, where the parent can see it and carry on, never in the parent.
import type { Llama } from 'node-llama-cpp';
import { Logger } from '../../../server/src/logger';
import { findFimTokens } from '../../../server/src/model/fimTokens';
import { validateModelFile } from '../../../server/src/model/ggufValidation';
import { loadFailureMessage } from '../../../server/src/model/llamaLoader';
import { createLlama, loadNodeLlamaCpp, takeLlamaErrors } from '../../../server/src/model/llamaRuntime';

export interface FuzzRequest {
  index: number;
  path: string;
}

export interface FuzzReply {
  index: number;
  outcome: 'refusedByHearth' | 'refusedByLlamaCpp' | 'loaded';
  message: string;
}

const quiet = new Logger({ error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined });
let llama: Promise<Llama> | undefined;

async function tryCase(path: string): Promise<Omit<FuzzReply, 'index'>> {
  const lib = await loadNodeLlamaCpp();
  try {
    await validateModelFile(path, (p) => lib.readGgufFileInfo(p, { readTensorInfo: false }));
  } catch (error) {
    return { outcome: 'refusedByHearth', message: error instanceof Error ? error.message : String(error) };
  }
  llama ??= createLlama('off', 1, quiet);
  const runtime = await llama;
  let model: Awaited<ReturnType<Llama['loadModel']>> | undefined;
  try {
    takeLlamaErrors();
    model = await runtime.loadModel({ modelPath: path });
    if (!findFimTokens(model.fileInfo.metadata as unknown as Record<string, unknown>)) return { outcome: 'refusedByHearth', message: 'no fill-in-the-middle tokens' };
    const context = await model.createContext({ contextSize: 128, sequences: 1, threads: 1 });
    try {
      await context.getSequence().evaluateWithoutGeneratingNewTokens(model.tokenize('function add(a, b) {\n  return'));
    } finally {
      await context.dispose();
    }
    return { outcome: 'loaded', message: '' };
  } catch (error) {
    // The message the server shows for such a file.
    return { outcome: 'refusedByLlamaCpp', message: loadFailureMessage(path, error) };
  } finally {
    await model?.dispose();
  }
}

process.on('message', (request: FuzzRequest) => {
  void tryCase(request.path).then((reply) => process.send!({ index: request.index, ...reply } satisfies FuzzReply));
});
process.send!({ ready: true });
