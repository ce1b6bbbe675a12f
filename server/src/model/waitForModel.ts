// Explain, refactor and conversations wait for a model that is still loading (a chat model named in the settings a
// moment ago) rather than refuse at once; the wait ends with the load, the request's cancellation or a bound.

/** Longest wait for a model that is loading before the request is refused with the model's state. */
export const modelWaitMs = 180_000;

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
