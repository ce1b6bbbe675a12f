// One inline completion, as named stages: prefilter → prompt (document window) → cache → context (code from other
// files) and syntax (the parse at the cursor) → generate (streamed through stop rules) → filter → staleness check →
// cache. The pipeline knows nothing of LSP or llama.cpp.
import type { CompletionMetrics, GenerationStats } from '../../../common/protocol';
import { type HearthSettings, isLanguageEnabled } from '../../../common/settings';
import { isAbortError } from '../errors';
import type { CompletionCache } from './completionCache';
import { typedIntoCompletion } from './typedIntoCompletion';
import type { ContextSnippet } from '../context/contextBuilder';
import type { TokenBudget } from '../context/tokenBudget';
import type { CompletionModel, ContextFile, InfillStats } from '../model/completionModel';
import { type DocumentWindow, restOfLine, windowAroundCursor } from './documentWindow';
import { withinDeadline } from './advisoryStage';
import { applyFilters } from './filters';
import { firstStop, type StopRule, stopRulesFor } from './stopRules';

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
  /**
   * Context stage: code from other files for this request, within `budget` (the model's tokens) and the
   * environment's own time budget (what is late is left out). Absent where no context is built.
   */
  context?(request: CompletionRequest, budget: TokenBudget): Promise<RequestContext>;
  /** Syntax stage: what the parse tree says of the cursor; undefined for languages without a grammar. */
  syntax?(request: CompletionRequest): Promise<SyntaxAdvice | undefined>;
}

export interface SyntaxAdvice {
  /** Whether the node at the cursor allows a multi-line completion (see syntax/completionShape.ts). */
  multiLine: boolean;
  /** A stop rule that parses `prefix` + the generated text: ends once a block the completion opened has closed. */
  blockEndRule(prefix: string): StopRule;
}

export interface RequestContext {
  /** Workspace-relative path of the document. */
  filePath: string;
  snippets: readonly ContextSnippet[];
}

/** An advisory stage (context, syntax) that has not answered by then is left out of this request. */
export const advisoryDeadlineMs = 40;

export interface CompletionResult {
  /** The text to insert at the cursor; '' when there is nothing to show. */
  text: string;
  metrics: CompletionMetrics;
}

/** Documents beyond this size are skipped rather than windowed: nobody types code into them. */
export const maxDocumentChars = 8 * 1024 * 1024;

/** A request's metrics: its outcome, what it cost since `started` (no model work where `stats` is absent), and why. */
export function completionMetrics(
  request: Pick<CompletionRequest, 'uri' | 'version'>,
  outcome: CompletionMetrics['outcome'],
  started: number,
  stats?: GenerationStats,
  reason?: string,
): CompletionMetrics {
  const none = { promptTokens: 0, reusedPromptTokens: 0, generatedTokens: 0, decodeStepMs: 0, acceptedPredictions: 0, refutedPredictions: 0 };
  return { ...none, ...stats, uri: request.uri, version: request.version, outcome, reason, totalMs: performance.now() - started };
}

export async function provideCompletion(request: CompletionRequest, env: CompletionEnvironment): Promise<CompletionResult> {
  const started = performance.now();
  const finish = (outcome: CompletionMetrics['outcome'], text = '', stats?: GenerationStats, reason?: string): CompletionResult => ({
    text,
    metrics: completionMetrics(request, outcome, started, stats, reason),
  });

  const settings = env.settings();
  const skip = prefilter(request, settings);
  if (skip) return finish('skipped', '', undefined, skip);
  const model = env.model();
  if (!model) return finish('skipped', '', undefined, 'no model loaded');

  const window = windowAroundCursor(request.text, request.offset);
  // A generation kept going for an earlier keystroke may be about to answer this one: let it finish, and its result
  // reach the cache, first.
  await Promise.race([Promise.all([model.idle(), env.cache.settled()]), abortion(request.signal)]);
  if (request.signal.aborted) return finish('cancelled');
  // A request that waited while the document moved on is dropped, never run.
  if (!env.isCurrent(request.uri, request.version)) return finish('stale', '', undefined, 'document changed while queued');
  const cached = env.cache.get(window.prefix, window.suffix);
  if (cached !== undefined) return finish('cached', cached);

  const contextStart = performance.now();
  const [context, syntax] = await Promise.all([
    gatherContext(request, env, contextBudgetOf(model)),
    // No advice is no loss: plain rules apply.
    env.syntax ? withinDeadline(() => env.syntax!(request), advisoryDeadlineMs, request.signal) : undefined,
  ]);
  const contextMs = performance.now() - contextStart;
  if (request.signal.aborted) return finish('cancelled');

  // The model stops when the request is cancelled, unless the keystroke that cancelled it typed what the model was
  // writing: then it goes on, and the finished completion serves the following requests from the cache.
  const generation = new AbortController();
  const progress = { text: '' };
  const typedThrough = (): boolean => {
    const now = env.currentText(request.uri);
    return now !== undefined && typedIntoCompletion(request.text, request.offset, now, progress.text);
  };
  const onCancel = (): void => {
    if (!env.keepGoing) return generation.abort();
    if (typedThrough()) return;
    // The editor sends the keystroke's change, then the cancel; but the connection handles a cancel the moment it is
    // read, ahead of messages still queued — the change may not be applied yet. Give it a few turns of the event loop
    // before deciding (the generation goes on meanwhile).
    if (env.currentText(request.uri) === request.text) void laterTurns(3).then(() => typedThrough() || generation.abort());
    else generation.abort();
  };
  request.signal.addEventListener('abort', onCancel, { once: true });

  const endGeneration = env.beginGeneration();
  let resultStored!: () => void;
  env.cache.expect(new Promise<void>((resolve) => (resultStored = resolve)));
  let generated: { text: string; stats: InfillStats };
  try {
    generated = await generate(request.uri, model, window, context, syntax, settings, generation.signal, progress, (line) => {
      // Only a line the user can still use: the document has not moved on, and the line shows something.
      const shown = applyFilters(line);
      if (shown !== '' && env.isCurrent(request.uri, request.version)) env.onFirstLine(shown);
    });
  } catch (error) {
    resultStored();
    if (isAbortError(error)) return finish('cancelled');
    throw error;
  } finally {
    request.signal.removeEventListener('abort', onCancel);
    endGeneration();
  }

  // The model's figures and the context stage's, as the server reports them.
  const stats: GenerationStats = { ...generated.stats, contextSnippets: context?.files.length ?? 0, contextMs };
  const text = applyFilters(generated.text);
  if (!generation.signal.aborted) env.cache.set(window.prefix, window.suffix, text); // finished: reusable
  resultStored();
  if (request.signal.aborted) return finish('cancelled', '', stats, generation.signal.aborted ? undefined : 'kept going');
  if (!env.isCurrent(request.uri, request.version)) return finish('stale', '', stats);
  return finish(text === '' ? 'empty' : 'served', text, stats);
}

/**
 * Where the cursor rests (a file opened, a click, a jump), the model prepares that spot's prompt in the background, so
 * the first request there finds it evaluated. Nothing is generated or sent back; returns whether it was handed over.
 */
export async function prepareCompletion(request: CompletionRequest, env: Pick<CompletionEnvironment, 'settings' | 'model' | 'isCurrent' | 'context'>): Promise<boolean> {
  const settings = env.settings();
  const model = env.model();
  if (prefilter(request, settings) || !model?.prepare) return false;
  const window = windowAroundCursor(request.text, request.offset);
  const context = await gatherContext(request, env, contextBudgetOf(model));
  if (!env.isCurrent(request.uri, request.version)) return false;
  model.prepare({ prefix: window.prefix, suffix: window.suffix, maxTokens: settings.maxTokens, context: context?.files, filePath: context?.filePath, documentKey: request.uri });
  return true;
}

/** Resolves after `count` turns of the event loop (messages already read are handled in between). */
async function laterTurns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
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

/** The context stage, bounded in time: a context that comes late is left out, the completion goes on without it. */
async function gatherContext(request: CompletionRequest, env: Pick<CompletionEnvironment, 'context'>, budget: TokenBudget): Promise<{ filePath: string; files: ContextFile[] } | undefined> {
  const context = env.context;
  if (!context || budget.tokens <= 0) return undefined;
  const found = await withinDeadline(() => context(request, budget), advisoryDeadlineMs, request.signal);
  return found && { filePath: found.filePath, files: groupByPath(found.snippets) };
}

/** The model's room for context, counted by its own tokenizer. */
function contextBudgetOf(model: CompletionModel): TokenBudget {
  return { tokens: model.contextBudgetTokens, count: (text) => model.countTokens(text) };
}

/** Snippets of one file become one file in the prompt, in the order the files first appear. */
export function groupByPath(snippets: readonly ContextSnippet[]): ContextFile[] {
  const files = new Map<string, string[]>();
  for (const snippet of snippets) {
    const texts = files.get(snippet.path) ?? [];
    if (!texts.includes(snippet.text)) texts.push(snippet.text);
    files.set(snippet.path, texts);
  }
  return [...files].map(([path, texts]) => ({ path, text: texts.join('\n\n'), parts: texts }));
}

async function generate(
  uri: string,
  model: CompletionModel,
  window: DocumentWindow,
  context: { filePath: string; files: ContextFile[] } | undefined,
  syntax: SyntaxAdvice | undefined,
  settings: HearthSettings,
  signal: AbortSignal,
  progress: { text: string },
  onFirstLine: (line: string) => void,
): Promise<{ text: string; stats: InfillStats }> {
  const singleLine = restOfLine(window.suffix).trim() !== '' || syntax?.multiLine === false;
  const maxLines = singleLine ? 1 : settings.maxLines;
  const rules = stopRulesFor(window.suffix, maxLines);
  if (syntax && maxLines > 1) rules.push(syntax.blockEndRule(window.prefix));
  const run = model.infill({ prefix: window.prefix, suffix: window.suffix, maxTokens: settings.maxTokens, signal, context: context?.files, filePath: context?.filePath, documentKey: uri });
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
