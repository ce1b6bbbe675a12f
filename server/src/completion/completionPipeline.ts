// One inline completion, as named stages: prefilter → prompt (document window) → cache → generate (streamed
// through stop rules) → filter → staleness check → cache. The pipeline knows nothing of LSP or llama.cpp.
import type { CompletionMetrics } from '../../../common/protocol';
import { type HearthSettings, isLanguageEnabled } from '../../../common/settings';
import { isAbortError } from '../errors';
import type { CompletionCache } from './completionCache';
import { typedIntoCompletion } from './typedIntoCompletion';
import type { CompletionModel, InfillStats } from '../model/completionModel';
import { type DocumentWindow, restOfLine, windowAroundCursor } from './documentWindow';
import { applyFilters } from './filters';
import { firstStop, stopRulesFor } from './stopRules';

export interface CompletionRequest {
  uri: string;
  languageId: string;
  version: number;
  text: string;
  offset: number;
  signal: AbortSignal;
}

export interface CompletionEnvironment {
  settings(): HearthSettings;
  /** The loaded model, or undefined while none is usable. */
  model(): CompletionModel | undefined;
  /** Whether the document is still at this version: answers for older versions are never sent. */
  isCurrent(uri: string, version: number): boolean;
  /** The document's text now, or undefined when it is closed. */
  currentText(uri: string): string | undefined;
  /** Marks the server busy for the status bar; returns the function that ends it. */
  beginGeneration(): () => void;
  cache: CompletionCache;
  /** Whether a keystroke that types what the model is writing lets the generation go on (see features.ts). */
  keepGoing: boolean;
  /** Streaming: receives the first line of a multi-line completion as soon as it is complete. */
  onFirstLine(text: string): void;
}

export interface CompletionResult {
  /** The text to insert at the cursor; '' when there is nothing to show. */
  text: string;
  metrics: CompletionMetrics;
}

/** Documents beyond this size are skipped rather than windowed: nobody types code into them. */
export const maxDocumentChars = 8 * 1024 * 1024;

export async function provideCompletion(request: CompletionRequest, env: CompletionEnvironment): Promise<CompletionResult> {
  const started = performance.now();
  const finish = (outcome: CompletionMetrics['outcome'], text = '', stats?: InfillStats, reason?: string): CompletionResult => ({
    text,
    metrics: {
      promptTokens: 0,
      reusedPromptTokens: 0,
      generatedTokens: 0,
      decodeStepMs: 0,
      acceptedPredictions: 0,
      refutedPredictions: 0,
      ...stats,
      uri: request.uri,
      version: request.version,
      outcome,
      reason,
      totalMs: performance.now() - started,
    },
  });

  const settings = env.settings();
  const skip = prefilter(request, settings);
  if (skip) return finish('skipped', '', undefined, skip);
  const model = env.model();
  if (!model) return finish('skipped', '', undefined, 'no model loaded');

  const window = windowAroundCursor(request.text, request.offset);
  // A generation kept going for an earlier keystroke may be about to answer this one: let it finish first.
  await Promise.race([model.idle(), abortion(request.signal)]);
  if (request.signal.aborted) return finish('cancelled');
  const cached = env.cache.get(window.prefix, window.suffix);
  if (cached !== undefined) return finish('cached', cached);

  // The model stops when the request is cancelled, unless the keystroke that cancelled it typed what the model was
  // writing: then it goes on, and the finished completion serves the following requests from the cache.
  const generation = new AbortController();
  const progress = { text: '' };
  const onCancel = (): void => {
    const now = env.currentText(request.uri);
    if (!env.keepGoing || now === undefined || !typedIntoCompletion(request.text, request.offset, now, progress.text)) generation.abort();
  };
  request.signal.addEventListener('abort', onCancel, { once: true });

  const endGeneration = env.beginGeneration();
  let generated: { text: string; stats: InfillStats };
  try {
    generated = await generate(model, window, settings, generation.signal, progress, (line) => {
      // Only a line the user can still use: the document has not moved on, and the line shows something.
      const shown = applyFilters(line);
      if (shown !== '' && env.isCurrent(request.uri, request.version)) env.onFirstLine(shown);
    });
  } catch (error) {
    if (isAbortError(error)) return finish('cancelled');
    throw error;
  } finally {
    request.signal.removeEventListener('abort', onCancel);
    endGeneration();
  }

  const text = applyFilters(generated.text);
  if (!generation.signal.aborted) env.cache.set(window.prefix, window.suffix, text); // finished: reusable
  if (request.signal.aborted) return finish('cancelled', '', generated.stats, generation.signal.aborted ? undefined : 'kept going');
  if (!env.isCurrent(request.uri, request.version)) return finish('stale', '', generated.stats);
  return finish(text === '' ? 'empty' : 'served', text, generated.stats);
}

function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

function prefilter(request: CompletionRequest, settings: HearthSettings): string | undefined {
  if (!isLanguageEnabled(settings, request.languageId)) return `disabled for ${request.languageId}`;
  if (request.text.length > maxDocumentChars) return 'document too large';
  if (request.signal.aborted) return 'cancelled before start';
  return undefined;
}

async function generate(
  model: CompletionModel,
  window: DocumentWindow,
  settings: HearthSettings,
  signal: AbortSignal,
  progress: { text: string },
  onFirstLine: (line: string) => void,
): Promise<{ text: string; stats: InfillStats }> {
  const maxLines = restOfLine(window.suffix).trim() !== '' ? 1 : settings.maxLines;
  const rules = stopRulesFor(window.suffix, maxLines);
  const run = model.infill({ prefix: window.prefix, suffix: window.suffix, maxTokens: settings.maxTokens, signal });
  let text = '';
  let firstLineSent = maxLines === 1;
  for await (const token of run.tokens) {
    text += token.text;
    progress.text = text;
    const cut = firstStop(rules, text);
    if (cut !== undefined) {
      text = text.slice(0, cut);
      break; // leaving the loop stops the model before its next decode step
    }
    const newline = firstLineSent ? -1 : text.indexOf('\n');
    if (newline >= 0) {
      firstLineSent = true; // the stop rules let this line through: it is final
      onFirstLine(text.slice(0, newline));
    }
  }
  return { text, stats: await run.done };
}
