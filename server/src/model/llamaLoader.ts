// Loads a GGUF model into llama.cpp and builds the completion model around it: validation, the context and its
// sequences (one per active document, plus one for quick prompts), the draft model, and the load-time
// calibration that sizes prompt chunks and decides whether speculation can pay.
import { basename } from 'node:path';
import type { Llama, LlamaContextOptions, LlamaModel } from 'node-llama-cpp';
import type { GpuSetting, SpeculationSetting } from '../../../common/settings';
import { ModelError } from '../errors';
import type { Logger } from '../logger';
import { type Calibration, calibrate } from './calibration';
import type { FimOrder } from './fimTemplate';
import { findFimTokens } from './fimTokens';
import { validateModelFile } from './ggufValidation';
import { LlamaCompletionModel } from './llamaCompletionModel';
import { createLlama, loadNodeLlamaCpp, type NodeLlamaCpp, takeLlamaErrors } from './llamaRuntime';
import { chooseChunk, chooseWarmChunk, PromptChunker, typingWarmStepBoundMs } from './promptChunks';
import type { WindowKeeper } from './windowWarmer';
import { bestProposalLength } from './proposalLength';
import { SpeculationGate, type SpeculationMode } from './speculationGate';
import { ExclusiveLock } from './exclusiveLock';
import { chatLayout } from './textGeneration';
import { type DraftResources, disposeDraft, maxProposal, speculativePredictor } from './speculativePredictor';
import { CpuLoadMeter } from './threadCount';

export interface LlamaModelOptions {
  modelPath: string;
  threads: number;
  gpu: GpuSetting;
  /** Largest context to allocate; the model's training context caps it. */
  maxContextSize: number;
  fimOrder: FimOrder;
  speculation: SpeculationSetting;
  draftModelPath: string;
  /** Threads may drop below `threads` while other processes keep cores busy (hearth.threads = 0, auto). */
  adaptiveThreads: boolean;
  /** Keep the KV state of the common prompt prefix between requests (off only to measure what it is worth). */
  reuseKvPrefix: boolean;
  /** Anchor prefix-first prompts at the line being written, and keep to the latency budget (off only to measure them). */
  anchorPrompt: boolean;
  latencyBudget: boolean;
  /** The most a request may spend evaluating its prompt (ms): a longer one is cut to a quick prompt and warmed later. */
  promptLatencyMs: number;
  /** Switch speculation off where verifying proposals costs more than it can save here (off only to measure or test it). */
  speculationCostCheck?: boolean;
  /** Shared with a separate chat model, so that the two never compute at once (completions first). */
  lock?: ExclusiveLock;
  /** Where evaluated windows are kept between sessions, for this model file and runtime (absent: nowhere). */
  keepWindows?: (modelPath: string, runtime: string) => Promise<WindowKeeper | undefined>;
  /**
   * A calibration measured earlier for the same model and settings on this machine (the shared engine keeps its own:
   * an engine restarted after a crash is ready seconds sooner), and where to keep the one measured now.
   */
  calibrationCache?: { read(): Calibration | undefined; write(calibration: Calibration): void };
}

/** Documents whose KV state is kept at once (one context sequence each, least recently used handed over). */
const documentSequences = 3;

export async function loadLlamaCompletionModel(options: LlamaModelOptions, log: Logger): Promise<LlamaCompletionModel> {
  const lib = await loadNodeLlamaCpp();
  // A calibration kept for this very file (its size and time) was measured once it had loaded: it passed the checks.
  const kept = options.calibrationCache?.read();
  if (!kept) await validateModelFile(options.modelPath, (path) => lib.readGgufFileInfo(path, { readTensorInfo: false }));
  const llama = await createLlama(options.gpu, options.threads, log);
  let model: LlamaModel | undefined;
  try {
    takeLlamaErrors(); // what an earlier load said is not this file's reason
    model = await llama.loadModel({ modelPath: options.modelPath });
    const fim = findFimTokens(model.fileInfo.metadata as unknown as Record<string, unknown>);
    if (!fim) throw new ModelError('noFimTokens', `${basename(options.modelPath)} has no fill-in-the-middle tokens.`);
    // A family without a middle token (Codestral) is trained suffix-first only.
    const fimOrder: FimOrder = fim.suffixFirstOnly ? 'spm' : options.fimOrder;
    log.info(`FIM tokens of ${basename(options.modelPath)}: ${fim.source}${fim.repo ? ', with repository-level tokens' : ''}${fimOrder !== options.fimOrder ? '; suffix-first, the only order it has' : ''}`);
    const contextSize = Math.min(model.trainContextSize, options.maxContextSize);
    const threads = options.adaptiveThreads ? { ideal: options.threads, min: 1 } : options.threads;
    // One sequence per document, one for quick prompts (calibration first) and one for explain/refactor.
    const context = await model.createContext({ contextSize, threads, sequences: documentSequences + 2 });
    // The kept windows, asked for now: checking the latest of them ahead of use runs while the engine calibrates.
    const windows = options.reuseKvPrefix ? options.keepWindows?.(options.modelPath, runtimeIdentity(llama, contextSize)) : undefined;
    const wantsDraft = options.speculation === 'draft' || (options.speculation === 'auto' && options.draftModelPath !== '');
    let draft = wantsDraft ? await loadDraft(lib, llama, options, contextSize, threads, log) : undefined;
    // What could speculate: prompt lookup, the draft when it loaded, or (auto) both; then whether verifying can pay here at all.
    const speculative: SpeculationMode[] = [
      ...(options.speculation === 'promptLookup' || options.speculation === 'auto' ? (['promptLookup'] as const) : []),
      ...(draft ? (['draft'] as const) : []),
    ];
    const mode = speculative.length > 0 ? speculative.map((m) => (m === 'draft' ? `draft ${basename(options.draftModelPath)}` : 'prompt lookup')).join(' or ') : undefined;
    const scratch = context.getSequence();
    const calibration = kept ?? (await calibrate(scratch, model, mode !== undefined));
    if (!kept) options.calibrationCache?.write(calibration);
    else log.info('Calibration: the one measured at this engine\'s last start for this model and settings');
    // Speculation stays on where long proposals would pay on well-repeated code; how long is decided per proposal.
    const costs = calibration.batchCosts;
    const speculates = mode !== undefined && (options.speculationCostCheck === false || bestProposalLength(0.95, costs, maxProposal) > 0);
    const costNote = costs.map((c) => `${c.tokens} → ${c.steps.toFixed(2)}`).join(', ');
    const speculationNote = !mode
      ? 'off'
      : speculates
        ? `${mode} (batches cost ${costNote} decode steps)`
        : `off: verifying proposals costs ${costNote} decode steps on this machine, more than even accepted ones save`;
    if (!speculates) draft = await disposeDraft(draft);
    // Per document, the gate keeps whichever of its modes decodes fastest there, plain decoding among them.
    // The default (auto) starts each document at plain decoding, and keeps a speculative mode only where it measured
    // faster; a mode the user chose is tried first.
    const modes: SpeculationMode[] = options.speculation === 'auto' ? ['off', ...speculative] : [...speculative, 'off'];
    const speculation = speculates ? { gate: new SpeculationGate(modes), counters: { proposals: 0, draftPromptTokens: 0 } } : undefined;
    // Each sequence has its own predictor (a draft predictor drives a draft sequence); the quick prompts' one too.
    // node-llama-cpp sets a predictor only when a sequence is created, so the
    // scratch sequence is made anew.
    scratch.dispose();
    const newSequence = () => context.getSequence({ tokenPredictor: speculation && speculativePredictor(lib, draft, speculation.gate, costs, speculation.counters) });
    const sequences = Array.from({ length: documentSequences }, newSequence);
    const chunk = chooseChunk(calibration.prefillCurve);
    const chunkTiming = calibration.prefillCurve.find((timing) => timing.tokens === chunk)!;
    const curve = calibration.prefillCurve.map((t) => `${t.tokens}: ${Math.round((t.tokens * 1000) / t.ms)}`).join(', ');
    const warmChunk = chooseWarmChunk(calibration.prefillCurve);
    const typingWarmChunk = Math.min(warmChunk, chooseWarmChunk(calibration.prefillCurve, typingWarmStepBoundMs));
    log.info(
      `Loaded ${basename(options.modelPath)}: context ${contextSize} tokens, ${options.threads} thread(s), ` +
        `${llama.gpu === false ? 'CPU' : `GPU ${llama.gpu}`}, FIM order ${fimOrder}, speculation ${speculationNote}; ` +
        `prompt tokens/s by batch size ${curve}: chunks of ${chunk}, warm-up steps of ${warmChunk} (${typingWarmChunk} while typing)`,
    );
    return new LlamaCompletionModel({
      name: basename(options.modelPath),
      llama,
      model,
      context,
      sequences,
      quick: newSequence(),
      instruct: { sequence: context.getSequence(), layout: chatLayout(lib, model) },
      lock: options.lock ?? new ExclusiveLock(),
      draft,
      speculation,
      fimIds: fim.ids,
      repoIds: fim.repo,
      fimOrder,
      threads: options.adaptiveThreads ? { ideal: options.threads, meter: new CpuLoadMeter() } : undefined,
      reuseKv: options.reuseKvPrefix,
      anchorPrompt: options.anchorPrompt,
      latencyBudget: options.latencyBudget,
      promptLatencyMs: options.promptLatencyMs,
      chunker: new PromptChunker(chunk, chunkTiming.ms / chunkTiming.tokens, warmChunk, typingWarmChunk),
      log,
      windows: await windows,
    });
  } catch (error) {
    await model?.dispose();
    await llama.dispose();
    if (error instanceof ModelError) throw error;
    throw new ModelError('loadFailed', loadFailureMessage(options.modelPath, error), 'chooseModel', String(error));
  }
}

/** A draft model that cannot be used costs the user speculation, not completions: warn and go on without. */
async function loadDraft(
  lib: NodeLlamaCpp,
  llama: Llama,
  options: LlamaModelOptions,
  contextSize: number,
  threads: LlamaContextOptions['threads'],
  log: Logger,
): Promise<DraftResources | undefined> {
  if (options.draftModelPath === '') {
    log.warn('hearth.speculation is "draft" but no draft model is set (hearth.draftModelPath); decoding without speculation.');
    return undefined;
  }
  let model: LlamaModel | undefined;
  try {
    await validateModelFile(options.draftModelPath, (path) => lib.readGgufFileInfo(path, { readTensorInfo: false }), { requireFim: false, setting: 'hearth.draftModelPath' });
    model = await llama.loadModel({ modelPath: options.draftModelPath });
    const context = await model.createContext({ contextSize, threads, sequences: documentSequences + 1 });
    return { model, context };
  } catch (error) {
    await model?.dispose();
    log.warn(`Draft model ${basename(options.draftModelPath)} not used: ${(error as Error).message}`);
    return undefined;
  }
}

/** What llama.cpp said when it refused a file (its log's last error line), rather than node-llama-cpp's "Failed to load model". */
export function loadFailureMessage(modelPath: string, error: unknown): string {
  const said = takeLlamaErrors()
    .map((line) => line.replace(/^\w+: (error loading model: )?/, ''))
    .join('; ') || undefined;
  return `llama.cpp could not load ${basename(modelPath)}: ${said ?? (error as Error).message}. Re-download the model or choose another.`;
}

/** What a saved sequence state depends on besides the model: llama.cpp's release, the backend, the context size. */
function runtimeIdentity(llama: Llama, contextSize: number): string {
  return `llama.cpp ${llama.llamaCppRelease.release} ${llama.gpu === false ? 'cpu' : llama.gpu} context ${contextSize}`;
}
