// What a window's server and the shared engine say to each other over their private channel (JSON-RPC, the same
// framing as LSP): the window introduces itself with the engine's secret, then asks for model work in the shapes it
// uses in-process (server/src/model/completionModel.ts); generated tokens come back as notifications before the answer.
import { NotificationType, RequestType } from 'vscode-languageserver/node';
import type { ContextFile, InfillStats, InstructPrompt, TextStats } from '../model/completionModel';

/** Error codes the engine answers with (JSON-RPC's server-defined range): a window without the secret, a model that did not load. */
export const refusedCode = -32001;
export const modelFailedCode = -32002;

export interface HelloParams {
  /** The secret the engine wrote into its private folder: only the same user can read it. */
  secret: string;
  /** The extension's version: an engine of another version is not used (its key differs). */
  version: string;
  /** The window's server process, for the engine's log. */
  pid: number;
}

export interface HelloResult {
  engine: { pid: number; version: string; windows: number };
  model: {
    name: string;
    contextBudgetTokens: number;
    modelPath: string;
    /** Characters of code a token, as the engine's tokenizer makes them, a little short (tokenEstimate.ts): what a window counts with. */
    charsPerToken: number;
    /** Where the model also writes free text (explain, refactor): how instructions are laid out for it. */
    text?: { instructFormat: 'chat' | 'plain'; instructContextTokens: number };
  };
}

export interface EngineInfillParams {
  /** Names the request in its token notifications (common/progressRoutes.ts). */
  id: string;
  prefix: string;
  suffix: string;
  maxTokens: number;
  context?: readonly ContextFile[];
  filePath?: string;
  documentKey?: string;
}

export interface EngineInfillResult {
  stats: InfillStats;
  /** The prompt as text (special tokens shown), for the window's log and tests. */
  prompt?: string;
}

export interface EngineTextParams {
  /** Names the request in its token notifications (the same series as completions'). */
  id: string;
  prompt: InstructPrompt;
  maxTokens: number;
}

export interface EngineTextResult {
  stats: TextStats;
  prompt?: string;
}

export type EnginePrepareParams = Omit<EngineInfillParams, 'id'>;

export interface EngineTokenParams {
  id: string;
  text: string;
}

export interface EngineFocusParams {
  /** Whether the window the user is in is this one: its requests go first. */
  focused: boolean;
}

export interface EngineWindowsParams {
  /** How many windows use this engine now. */
  windows: number;
}

export const HelloRequest = new RequestType<HelloParams, HelloResult, void>('hearthEngine/hello');
export const EngineInfillRequest = new RequestType<EngineInfillParams, EngineInfillResult, void>('hearthEngine/infill');
export const EngineTextRequest = new RequestType<EngineTextParams, EngineTextResult, void>('hearthEngine/text');
export const EngineTokenNotification = new NotificationType<EngineTokenParams>('hearthEngine/token');
export const EnginePrepareNotification = new NotificationType<EnginePrepareParams>('hearthEngine/prepare');
export const EngineFocusNotification = new NotificationType<EngineFocusParams>('hearthEngine/focus');
export const EngineWindowsNotification = new NotificationType<EngineWindowsParams>('hearthEngine/windows');
