// Typed errors the server expects, told apart by predicates rather than by message text.
import type { StatusAction } from '../../common/protocol';

export type ModelProblemKind = 'missing' | 'unreadable' | 'corrupt' | 'unsupported' | 'noFimTokens' | 'noRuntime' | 'loadFailed' | 'tooLarge';

/** A model that cannot be used, with a message a user can act on and the command that fixes it. */
export class ModelError extends Error {
  constructor(
    readonly kind: ModelProblemKind,
    message: string,
    readonly action: StatusAction = 'hearth.selectModel',
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
