// Custom LSP messages between Hearth's client and server, declared once for both sides.
import { NotificationType, RequestType0 } from 'vscode-languageserver-protocol';

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

/** The last prompt the model was given, as text with its special tokens shown: for the log, debugging and tests. */
export namespace LastPromptRequest {
  export const method = 'hearth/lastPrompt';
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

export namespace CursorRestNotification {
  export const method = 'hearth/cursorRest';
  export const type = new NotificationType<CursorRest>(method);
}
