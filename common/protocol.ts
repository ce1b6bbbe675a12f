// Custom LSP messages between Hearth's client and server, declared once for both sides.
import { NotificationType, NotificationType0, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export type ServerState = 'loading' | 'ready' | 'generating' | 'error';

/** A fix the client can offer for an error, by command id. */
export type StatusAction = 'hearth.selectModel' | 'hearth.restartServer' | 'hearth.showLog';

export interface ServerStatus {
  state: ServerState;
  /** One line for the status bar tooltip; for errors, what is wrong in words a user can act on. */
  message: string;
  /** Name of the loaded model file, when one is loaded. */
  model?: string;
  action?: StatusAction;
  /** Where the model runs in the user's shared engine (hearth.sharedEngine): how many windows use it, and its log file. */
  sharedEngine?: { windows: number; log: string };
}

export namespace ServerStatusNotification {
  export const method = 'hearth/serverStatus';
  export const type = new NotificationType<ServerStatus>(method);
}

/** What generating one completion cost, as the model reports it. */
export interface GenerationStats {
  promptTokens: number;
  /** Prompt tokens whose KV state was already in the sequence and not evaluated again. */
  reusedPromptTokens: number;
  generatedTokens: number;
  /** Mean wall time of one decode step in this request (ms), 0 when nothing was decoded. */
  decodeStepMs: number;
  /** Speculative decoding: proposed tokens the target model accepted and refuted in this request. */
  acceptedPredictions: number;
  refutedPredictions: number;
  /** How this request decoded (the speculation gate's choice for its document); absent where speculation is off. */
  speculationMode?: 'off' | 'promptLookup' | 'draft';
  /** Proposals verified (each one batch): accepted ÷ proposals is the mean accepted length. */
  proposals?: number;
  /** Tokens the draft model evaluated to follow the target's prompt (0 when its KV state was already in step). */
  draftPromptTokens?: number;
  /** From the model taking the request (its sequence free) to the first generated token (ms); only when one was. */
  firstTokenMs?: number;
  /** Files of cross-file context in the prompt, and the time the context stage took (ms). */
  contextSnippets?: number;
  contextMs?: number;
  /** Whether the prompt held the whole window; false when it was cut to the latency budget (the rest is warmed later). */
  fullPrompt?: boolean;
  /** The time one prompt chunk takes now: the longest a cancellation waits while the prompt is evaluated (ms). */
  prefillChunkMs?: number;
  /** From the cancellation reaching the generator to the sequence being free (ms); only for cancelled requests. */
  cancelToIdleMs?: number;
}

/** What one completion request cost; sent after every request, for logs, tests and benchmarks. */
export interface CompletionMetrics extends GenerationStats {
  uri: string;
  version: number;
  outcome: 'served' | 'cached' | 'empty' | 'cancelled' | 'stale' | 'skipped' | 'error';
  /** Why a request was skipped or produced nothing (language disabled, no model, ...). */
  reason?: string;
  totalMs: number;
  /** Requests still being answered (not cancelled) when this one arrived: what it could have to wait behind. */
  queuedBehind?: number;
}

export namespace CompletionMetricsNotification {
  export const method = 'hearth/completionMetrics';
  export const type = new NotificationType<CompletionMetrics>(method);
}

/**
 * Streaming: the first line of a multi-line completion, sent the moment it is complete while generation goes on.
 * The client shows it at once; the full answer follows as the request's response.
 */
export interface FirstLine {
  uri: string;
  version: number;
  position: { line: number; character: number };
  text: string;
}

export namespace FirstLineNotification {
  export const method = 'hearth/firstLine';
  export const type = new NotificationType<FirstLine>(method);
}

/** Empties the window cache (hearth.windowCacheMegabytes): answers how many bytes of kept windows were removed. */
export namespace ClearWindowCacheRequest {
  export const method = 'hearth/clearWindowCache';
  export const type = new RequestType0<{ removedBytes: number }, void>(method);
}

/** The last prompt the model was given, as text with its special tokens shown: for the log, debugging and tests. */
export namespace LastPromptRequest {
  export const method = 'hearth/lastPrompt';
  export const type = new RequestType0<string | null, void>(method);
}

/** The same for the last instruction or conversation (explain, refactor, hearth/chat), on the model that answers them. */
export namespace LastInstructPromptRequest {
  export const method = 'hearth/lastInstructPrompt';
  export const type = new RequestType0<string | null, void>(method);
}

/**
 * The cursor has rested at a position (a file opened, a click, a jump): the server may evaluate the prompt for that spot
 * in the background, so the first keystroke there finds it ready. Sent by the client, debounced.
 */
export interface CursorRest {
  uri: string;
  version: number;
  position: { line: number; character: number };
}

/** How long the cursor must stay put before the client reports it: moving through a file with the arrow keys sends nothing. */
export const cursorRestMs = 400;

export namespace CursorRestNotification {
  export const method = 'hearth/cursorRest';
  export const type = new NotificationType<CursorRest>(method);
}

/** Whether the editor window is focused: the shared engine serves the focused window's requests first. */
export interface WindowFocus {
  focused: boolean;
}

export namespace WindowFocusNotification {
  export const method = 'hearth/windowFocus';
  export const type = new NotificationType<WindowFocus>(method);
}

export interface LspPosition {
  line: number;
  character: number;
}

export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

/** Explain or refactor a piece of code with the local model (hearth.explain, hearth.refactor, the headless commands). */
export interface InstructParams {
  task: 'explain' | 'refactor';
  uri: string;
  version: number;
  /** The selection; absent or empty: the function/class/method around `position`. */
  selection?: LspRange;
  position: LspPosition;
  /** Refactor: what to do. */
  instruction?: string;
  /** Explain: the problems the editor reports at the cursor, as text. */
  diagnostics?: string[];
  /** Carried by the progress notifications of this request. */
  id: string;
}

/** A streamed part of an instruction's answer; the first one names the range the answer is about. */
export interface InstructProgress {
  id: string;
  range?: LspRange;
  delta: string;
  /** Refactor, at each line end: the code extracted from the answer so far (the proposal as it grows). */
  code?: string;
}

export interface InstructHunk {
  /** Original lines [startLine, endLine) of the document, replaced by `newText` (whole lines). */
  startLine: number;
  endLine: number;
  newText: string;
}

export interface InstructResult {
  /** The code the answer is about (refactor: whole lines). */
  range: LspRange;
  /** That code as it was when the request started: accepting checks the document still has it. */
  original: string;
  /** The model's whole answer (explain: the Markdown). */
  text: string;
  /** Refactor: the code to put in place of `original` (prose and fences stripped, indented like the original). */
  code?: string;
  hunks?: InstructHunk[];
  /** Why there is no usable answer (no model, no code in the answer, cancelled, too long for the context). */
  error?: string;
  cancelled?: boolean;
  stats?: { promptTokens: number; generatedTokens: number; firstTokenMs?: number; totalMs: number; preemptions: number; chatTemplate: boolean };
}

export namespace InstructRequest {
  export const method = 'hearth/instruct';
  export const type = new RequestType<InstructParams, InstructResult, void>(method);
}

export namespace InstructProgressNotification {
  export const method = 'hearth/instructProgress';
  export const type = new NotificationType<InstructProgress>(method);
}

/** One turn of a conversation another extension holds with the local model (VS Code's language model API). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

/** A conversation's next answer from the model explain/refactor use; streamed as hearth/instructProgress (delta). */
export interface ChatParams {
  /** Oldest first; the last is the user's. */
  messages: ChatMessage[];
  /** Most tokens to answer with; the server's default when absent. */
  maxTokens?: number;
  /** Carried by the progress notifications of this request. */
  id: string;
}

export interface ChatResult {
  text: string;
  /** Why there is no (whole) answer: no model, too long for the context, cancelled. */
  error?: string;
  cancelled?: boolean;
  /** Earlier turns left out so that the conversation fits the model's context. */
  droppedMessages?: number;
  stats?: { promptTokens: number; generatedTokens: number; firstTokenMs?: number; totalMs: number; preemptions: number; chatTemplate: boolean };
}

export namespace ChatRequest {
  export const method = 'hearth/chat';
  export const type = new RequestType<ChatParams, ChatResult, void>(method);
}

/** The model conversations go to, or null while there is none. */
export interface ChatModelInfo {
  name: string;
  /** Prompt and answer together, in the model's tokens. */
  contextTokens: number;
  maxAnswerTokens: number;
}

/** The model conversations go to has changed (a chat model loaded, failed or was cleared): ask for it again. */
export namespace ChatModelChangedNotification {
  export const method = 'hearth/chatModelChanged';
  export const type = new NotificationType0(method);
}

export namespace ChatModelInfoRequest {
  export const method = 'hearth/chatModelInfo';
  export const type = new RequestType0<ChatModelInfo | null, void>(method);
}

/** The number of tokens the conversation model makes of `text` (0 while there is no model). */
export namespace CountTokensRequest {
  export const method = 'hearth/countTokens';
  export const type = new RequestType<{ text: string }, number, void>(method);
}

/** Fetch a model file from the hub (hearth.modelHub) into `dir`; progress as hearth/pullProgress; cancellable. */
export interface PullModelParams {
  repo: string;
  file: string;
  dir: string;
  /** hearth.modelHub as the client has it now (the server's copy may lag a settings change); empty: the default. */
  hub?: string;
  /** VS Code's proxy settings; absent: the server's environment (HTTPS_PROXY, NO_PROXY) decides. */
  proxy?: ProxySettings;
  id: string;
}

/** VS Code's `http.proxy`, `http.noProxy` and `http.proxyStrictSSL`. */
export interface ProxySettings {
  /** A URL such as http://proxy.example:3128; empty: from the environment. */
  url: string;
  /** Hosts (or domain suffixes) reached directly. */
  noProxy: readonly string[];
  /** False accepts a TLS certificate that does not verify (a proxy that intercepts TLS). */
  strictSSL: boolean;
}

export interface PullModelResult {
  path?: string;
  reused?: boolean;
  error?: string;
  errorKind?: string;
}

export interface PullModelProgress {
  id: string;
  downloadedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  secondsLeft: number;
  waitingForOther?: boolean;
}

export namespace PullModelRequest {
  export const method = 'hearth/pullModel';
  export const type = new RequestType<PullModelParams, PullModelResult, void>(method);
}

export namespace PullModelProgressNotification {
  export const method = 'hearth/pullProgress';
  export const type = new NotificationType<PullModelProgress>(method);
}

/** What a GGUF file is, before it is loaded (see server/src/download/modelInfo.ts). */
export interface ModelInfoResult {
  lines?: string[];
  fim?: boolean;
  fits?: boolean;
  error?: string;
}

export namespace ModelInfoRequest {
  export const method = 'hearth/modelInfo';
  export const type = new RequestType<{ path: string }, ModelInfoResult, void>(method);
}

/** What this machine offers a model, for Choose Model's recommendation. */
export interface MachineInfo {
  totalBytes: number;
  freeBytes: number;
  /** Physical cores of the fastest kind. */
  performanceCores: number;
  /** The GPU llama.cpp would use (hearth.gpu permitting), with its free memory; absent: none, the CPU. */
  gpu?: { type: string; freeBytes: number };
}

export namespace MachineInfoRequest {
  export const method = 'hearth/machine';
  export const type = new RequestType0<MachineInfo, void>(method);
}

/** What the client tells the server at start, besides the settings it pulls. */
export interface HearthInitializationOptions {
  /** A folder of VS Code's storage for this workspace, where the workspace index is kept between sessions. */
  indexCacheDir?: string;
  /** A folder of the extension's global storage, where evaluated prompt windows are kept (hearth.windowCacheMegabytes). */
  windowCacheDir?: string;
  /** Settings, for a client that cannot answer workspace/configuration. */
  settings?: unknown;
}

/**
 * The remote engine's access, which settings do not carry: whether the user agreed to send code to
 * `hearth.remote.url` (asked once per URL), and the API key from VS Code's secret storage. The server connects to
 * nothing until it has been told `consented: true` for the URL in the settings.
 */
export interface RemoteAccess {
  url: string;
  consented: boolean;
  apiKey?: string;
}

export namespace RemoteAccessNotification {
  export const method = 'hearth/remoteAccess';
  export const type = new NotificationType<RemoteAccess>(method);
}

/** Where to predict the next edit: the document (at this version) and the cursor. */
export interface NextEditParams {
  uri: string;
  version: number;
  position: { line: number; character: number };
}

/**
 * The edit the user will likely make next, away from the cursor (hearth.nextEditModelPath): lines
 * `[range.start.line, range.end.line)` of the document at `version` become `lines` (the document's own line endings
 * are the client's to put back). Null `suggestion`: none, `reason` says why.
 */
export interface NextEditResult {
  /** `atCursor`: the edit inserts this at the cursor (on its line): shown as ghost text there, not as a next edit. */
  suggestion: { uri: string; version: number; startLine: number; endLine: number; lines: string[]; atCursor?: string } | null;
  reason?: string;
  metrics?: { promptTokens: number; reusedPromptTokens: number; generatedTokens: number; preemptions: number; totalMs: number; ended: string };
}

export namespace NextEditRequest {
  export const method = 'hearth/nextEdit';
  export const type = new RequestType<NextEditParams, NextEditResult, void>(method);
}
