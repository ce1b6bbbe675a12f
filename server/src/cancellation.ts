// LSP cancellation → an AbortController, the way the model, the downloads and the pipeline are stopped.
import type { CancellationToken } from 'vscode-languageserver/node';

/** Aborts when the request's token is cancelled, or at once if it already was; `dispose` stops listening. */
export function abortControllerFor(token: CancellationToken): { controller: AbortController; dispose(): void } {
  const controller = new AbortController();
  const subscription = token.onCancellationRequested(() => controller.abort());
  if (token.isCancellationRequested) controller.abort();
  return { controller, dispose: () => subscription.dispose() };
}

/** Runs a request's work with a signal that aborts when the request is cancelled. */
export async function withCancellation<T>(token: CancellationToken, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { controller, dispose } = abortControllerFor(token);
  try {
    return await work(controller.signal);
  } finally {
    dispose();
  }
}
