// Requests whose progress comes as notifications carrying the request's id (hearth/instructProgress,
// hearth/pullProgress): one place on each side hands out the ids and routes each notification to its request.

export class ProgressRoutes {
  private readonly listeners = new Map<string, (progress: never) => void>();
  private count = 0;

  /** A fresh id whose notifications go to `listener` until `close()`. */
  open<T extends { id: string }>(prefix: string, listener: (progress: T) => void): { id: string; close(): void } {
    const id = `${prefix}-${++this.count}`;
    this.listeners.set(id, listener as (progress: never) => void);
    return { id, close: () => this.listeners.delete(id) };
  }

  /** Hands a notification to the request it belongs to; one for a request already ended is dropped. */
  deliver(progress: { id: string }): void {
    this.listeners.get(progress.id)?.(progress as never);
  }
}
