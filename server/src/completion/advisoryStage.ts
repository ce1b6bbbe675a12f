// Advisory stages (context, syntax) make a completion better but must never make it late: each runs under one
// deadline, and what fails, comes late or outlives the request is left out — the completion goes on without it.

/** The stage's answer, or undefined when it failed, took longer than `deadlineMs`, or the request was aborted first. */
export async function withinDeadline<T>(stage: () => Promise<T>, deadlineMs: number, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return undefined;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), deadlineMs);
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([stage().catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
