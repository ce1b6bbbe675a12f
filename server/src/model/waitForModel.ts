// Explain, refactor and conversations wait for a model that is still loading (a chat model named in the settings a
// moment ago) rather than refuse at once; the wait ends with the load, the request's cancellation or a bound. Then
// the model to generate text with, or why there is none.
import type { TextModel } from './completionModel';

/** Longest wait for a model that is loading before the request is refused with the model's state. */
export const modelWaitMs = 180_000;

/** Where explain, refactor and conversations get their model. */
export interface TextModelSource {
  /** The chat model when one is set, else the completion model where it writes text too. */
  model(): TextModel | undefined;
  /** Why the chat model the settings name is not available, when it is not. */
  chatModelProblem?(): string | undefined;
  /** Settles once the model the settings name has loaded or failed to. */
  modelSettled?(): Promise<void>;
}

/** Resolves when `settled` does, the signal aborts or `ms` pass, whichever comes first. */
export function settledWithin(settled: Promise<void>, signal: AbortSignal, ms = modelWaitMs): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
    settled.then(done, done);
  });
}

/** The model to generate text with once any load has settled; else why not (cancelled while waiting, none usable). */
export async function textModel(source: TextModelSource, signal: AbortSignal): Promise<{ model: TextModel } | { error: string; cancelled?: true }> {
  if (source.modelSettled) {
    await settledWithin(source.modelSettled(), signal);
    if (signal.aborted) return { error: 'Cancelled.', cancelled: true };
  }
  const problem = source.chatModelProblem?.();
  if (problem) return { error: problem };
  const model = source.model();
  if (!model) return { error: 'No model is loaded: Hearth: Choose Model… sets one.' };
  return { model };
}
