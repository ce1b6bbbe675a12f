// Typed errors the server expects, told apart by predicates rather than by message text.

export type ModelProblemKind = 'missing' | 'unreadable' | 'corrupt' | 'unsupported' | 'noFimTokens' | 'noRuntime' | 'loadFailed' | 'tooLarge';

/**
 * What the user can do about a problem: choose another model, read the log, restart the server. The status item turns
 * it into the client's command (serverStatus.ts); the layers below it do not know the client's command ids.
 */
export type Remedy = 'chooseModel' | 'showLog' | 'restartServer';

/** A model that cannot be used, with a message a user can act on and what fixes it. */
export class ModelError extends Error {
  constructor(
    readonly kind: ModelProblemKind,
    message: string,
    readonly action: Remedy = 'chooseModel',
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export function isModelError(error: unknown): error is ModelError {
  return error instanceof ModelError;
}

/** True for the errors an aborted AbortSignal produces, which are expected and never reported. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'DisposedError');
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
